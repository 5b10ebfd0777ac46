/**
 * Why something could not be collected, as a stable code a responder (or a script) can act on.
 * AWS's own error names never become codes: they stay in the reason.
 */
export const GAP_CODES = [
  'access-denied',
  'not-found',
  'unreachable',
  'throttled',
  'unsupported',
  'aws-error',
  'function-not-found',
  'log-group-not-found',
  'malformed-arn',
  'code-unavailable',
  'code-sha256-mismatch',
  'missing',
  'unreadable',
  'truncated-gzip',
  'too-large',
  'invalid-json',
  'unknown-shape',
  'record-without-eventTime',
  // Import accounting: items of a file skipped (each class counted with its first positions), a
  // file with nothing usable, a file or folder entry that is no CloudTrail input or is not read.
  'records-skipped',
  'no-records',
  'not-cloudtrail',
  'too-deep',
  'special-file',
  'dangling-link',
  'outside-folder',
  'not-collected',
  'failed',
  // Containment: a change whose read-back differs, an undo refused because the resource drifted, a change or undo refused.
  'not-verified',
  'drift',
  'refused',
] as const

export type GapCode = (typeof GAP_CODES)[number]

/** Something that could not be collected; recorded, and the run ends as partial. */
export interface Gap {
  collector: string
  resource: string
  reason: string
  code: GapCode
  region?: string
}
