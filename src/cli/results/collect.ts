import {z} from 'zod'
import {importAccount, lambdaImportAccount} from './import-account.js'
import {count, itemStatus, listCount, nullableSha256, nullableTime, result, run, runStatus, text, time} from './common.js'

const functionSummary = z
  .object({
    input: text.describe('The name or ARN as given'),
    functionName: text,
    region: text,
    status: runStatus,
    functionArn: z.string().nullable(),
    runtime: z.string().nullable(),
    packageType: z.string().nullable(),
    role: z.string().nullable(),
    versions: z.array(text).describe('Versions collected'),
    publishedVersions: z.array(text),
    aliases: z.array(text),
    codePackages: count,
    artifacts: count,
    gapCount: count.describe('Gaps of this function (each is in the run\'s gaps)'),
    environment: z.record(z.string(), z.string()).nullable().describe("$LATEST's environment, values [redacted:NAME] unless --show-secrets"),
    message: z.string().nullable(),
  })
  .strict()

export const collectLambdaResult = result({run, functions: z.array(functionSummary), roles: z.array(text), layers: z.array(text), ...listCount})

export const collectRoleResult = result({
  run,
  roles: z.array(z.object({roleName: text, roleArn: z.string().nullable(), artifacts: count}).strict()),
  ...listCount,
})

const slice = z
  .object({
    start: time,
    end: time,
    status: itemStatus,
    events: count,
    key: z.string().nullable(),
    sha256: nullableSha256,
    runId: z.string().nullable().describe('For a skipped slice: the earlier run that holds it'),
  })
  .strict()

export const collectLogsResult = result({
  run,
  groups: z.array(
    z
      .object({
        logGroupName: text,
        region: text,
        start: time,
        end: time,
        sliceMinutes: z.number(),
        events: count,
        streams: z.record(z.string(), count).describe('Events per log stream'),
        slices: z.array(slice),
        found: z.boolean(),
      })
      .strict(),
  ),
  ...listCount,
})

const lookupStream = z
  .object({
    stream: text,
    region: text,
    filter: z.object({key: text, value: text}).strict().nullable(),
    status: itemStatus,
    events: count,
    chunks: count,
    requests: count,
    error: z.object({code: text, message: text}).passthrough().nullable(),
  })
  .strict()

const problem = z.object({file: text, code: text, reason: text}).strict()

export const archiveSummary = z
  .object({
    mode: z.enum(['archive', 'plain']),
    listedPrefixes: z.array(text),
    files: count,
    stored: count,
    malformed: count,
    records: count,
    bytes: count,
    partitions: z.array(z.object({prefix: text, account: text, orgId: z.string().nullable()}).strict()),
    problems: z.array(problem).describe('The first malformed files, named (every one is a gap of the run)'),
    skipped: count.describe('Items of plain files (imported record by record) that were skipped'),
    plain: importAccount.nullable().describe('A folder without the trail layout, imported file by file: the whole account'),
  })
  .strict()

export const validationSummary = z.object({digests: count, validDigests: count, logFiles: count, okLogFiles: count, findings: count}).strict()
export const validationFinding = z.object({type: text, key: text, message: text}).strict()

export const collectCloudTrailResult = result({
  run,
  streams: z.array(lookupStream).describe('LookupEvents: each region and filter; empty for an archive'),
  resumedFrom: z.string().nullable(),
  archive: archiveSummary.nullable(),
  validation: z
    .object({
      status: z.enum(['valid', 'invalid', 'unvalidated']),
      reason: z.string().nullable().describe('Why no digest vouches for the records, when unvalidated'),
      summary: validationSummary.nullable(),
      findings: z.array(validationFinding),
    })
    .strict()
    .describe('What vouches for the records: the digest validation, or unvalidated and why'),
  ...listCount,
})

export const importCloudTrailResult = result({run, converted: count.describe('Files from which records were loaded (wholly or in part)'), ...importAccount.shape})

export const importLambdaResult = result({run, ...lambdaImportAccount.shape})

export const importLogsResult = result({
  run,
  files: z.array(
    z
      .object({path: text, taskId: z.string().nullable(), logStreamName: z.string().nullable(), lines: count, status: runStatus, key: z.string().nullable(), sha256: nullableSha256})
      .strict(),
  ),
  lines: count,
  ...listCount,
})

export const validateCloudTrailResult = result({
  run: run.nullable().describe('The run the digests and the report were stored in (with --case)'),
  source: text,
  window: z.object({since: time, until: time}).strict().nullable(),
  publicKeys: z.array(z.object({fingerprint: text, source: text}).strict()),
  digests: z.array(
    z
      .object({
        key: text,
        account: text,
        region: text,
        digestStartTime: nullableTime,
        digestEndTime: nullableTime,
        status: text,
        reason: z.string().nullable(),
        signatureSource: z.string().nullable(),
        logFiles: count,
      })
      .strict(),
  ),
  logFiles: z.array(z.object({key: text, digest: z.string().nullable(), status: text, expectedSha256: nullableSha256, actualSha256: nullableSha256}).strict()),
  findings: z.array(validationFinding),
  summary: validationSummary,
  status: z.enum(['valid', 'invalid', 'unvalidated']).describe('valid: digests checked, no finding; invalid: findings; unvalidated: no digest was found, so nothing was checked'),
  unvalidatedReason: z.string().nullable(),
})
