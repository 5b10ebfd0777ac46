import {createHash, randomBytes} from 'node:crypto'
import {usageError} from '../core/errors.js'
import type {Clock} from '../core/clock.js'

const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/
const RUN_ID = /^\d{8}T\d{9}Z-[0-9a-f]{6}$/

/** Checks a case id given by the user; case ids become key segments, so they are kept plain. */
export function assertCaseId(caseId: string): string {
  if (!CASE_ID.test(caseId) || caseId.includes('..')) {
    throw usageError(
      'invalid-case-id',
      `Case id ${JSON.stringify(caseId)} is not valid.`,
      'Use letters, digits, dot, underscore and dash (up to 100), starting with a letter or digit, e.g. INC-2026-0042.',
    )
  }
  return caseId
}

export function isRunId(value: string): boolean {
  return RUN_ID.test(value)
}

/** A run id that sorts by start time, to the millisecond: `20261124T120000123Z-1a2b3c`. */
export function newRunId(clock: Clock): string {
  const stamp = clock.now().toISOString().replace(/[-:.]/g, '')
  return `${stamp}-${randomBytes(3).toString('hex')}`
}

const SAFE = /^[A-Za-z0-9._=+@-]$/
const MAX_SEGMENT = 180

/**
 * Makes any string (a function name, an ARN, a file name an attacker chose) into one key segment
 * that is safe as both an S3 key part and a local path part: no separators, no `.` or `..`, no
 * control characters. Reversible for short values (percent-encoding); long ones keep a prefix and
 * a hash suffix so that distinct inputs stay distinct.
 */
export function keySegment(value: string): string {
  let out = ''
  for (const ch of value) {
    if (SAFE.test(ch)) out += ch
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  if (out === '' || /^\.+$/.test(out)) out = out.replace(/\./g, '%2E') || '%00'
  if (out.length > MAX_SEGMENT) {
    const digest = createHash('sha256').update(value).digest('hex').slice(0, 16)
    out = `${out.slice(0, MAX_SEGMENT - 17)}~${digest}`
  }
  return out
}

export const casePrefix = (caseId: string): string => `cases/${assertCaseId(caseId)}/`
export const runPrefix = (caseId: string, runId: string): string => `${casePrefix(caseId)}runs/${runId}/`
export const MANIFEST_NAME = 'manifest.json'
export const JOURNAL_NAME = 'custody.jsonl'

/** Checks a full key before a store turns it into a path or an S3 key. */
export function assertSafeKey(key: string): string {
  const parts = key.split('/')
  if (
    key.startsWith('/') ||
    parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\') || /[\u0000-\u001F]/.test(p))
  ) {
    throw usageError('unsafe-key', `Refusing evidence key ${JSON.stringify(key)}.`, 'Build keys with keySegment().')
  }
  return key
}

/** Splits `cases/<case>/runs/<run>/<rest>` into its parts, or undefined for keys of another shape. */
export function parseKey(key: string): {caseId: string; runId: string; rest: string} | undefined {
  const m = /^cases\/([^/]+)\/runs\/([^/]+)\/(.+)$/.exec(key)
  return m ? {caseId: m[1]!, runId: m[2]!, rest: m[3]!} : undefined
}
