import {z} from 'zod'
import {GAP_CODES} from '../../evidence/gap.js'

/**
 * The pieces every command's `--json` result is made of, each concept with one name and one type
 * wherever it appears: a gap is always a gap object (in a list, never a count), a run's status is
 * always of one vocabulary, times are ISO 8601 strings in UTC, absent values are null (never left
 * out), hashes are lowercase hex, and names are camelCase (rows of SQL keep their column names).
 * Each command's result schema (this folder) is the single source of its TypeScript type
 * (`z.output`) and of its JSON Schema in docs/json/ (`npm run schemas`).
 */

export const text = z.string()
export const count = z.number().int().min(0)
export const time = z.string().describe('ISO 8601 in UTC')
export const nullableTime = time.nullable().describe('ISO 8601 in UTC, or null when unknown')
export const sha256 = z.string().regex(/^[0-9a-f]{64}$/).describe('SHA-256, lowercase hex')
export const nullableSha256 = sha256.nullable()

/** How an evidence run, or one thing a collector went for, ended: one vocabulary. */
export const RUN_STATUSES = ['complete', 'partial', 'incomplete', 'failed'] as const
export const runStatus = z.enum(RUN_STATUSES).describe('complete: nothing missing; partial: gaps recorded; incomplete: interrupted; failed: an error ended it')
/** A run as the store holds it: sealed with one of the run statuses, or never sealed. */
export const storedRunStatus = z.enum([...RUN_STATUSES, 'unsealed', 'open']).describe('a run status; unsealed: the run has no manifest (it never finished); open: the run verifying its own case, not sealed yet')
/** One item of a collection: as a run, or skipped (already collected by an earlier run, or nothing to do). */
export const itemStatus = z.enum([...RUN_STATUSES, 'skipped'])

export const gap = z
  .object({
    code: z.enum(GAP_CODES),
    collector: text,
    resource: text,
    reason: text,
    region: z.string().nullable(),
  })
  .strict()
  .describe('Something that could not be collected, and why')

/** The evidence run a command recorded: where it went and the manifest to record in the incident ticket. */
export const run = z
  .object({
    caseId: text,
    runId: text,
    status: runStatus,
    store: text.describe('The evidence store the run was written to'),
    artifacts: count.describe('Artifacts the run wrote'),
    gaps: z.array(gap),
    manifestKey: text,
    manifestSha256: sha256,
    head: text.describe('The case head (runs:latest manifest SHA-256) to record outside the store; evidence verify --expect checks it'),
    signature: z.object({keyId: text, publicKeySha256: sha256}).strict().optional().describe('Who signed the manifest, when the store signs'),
  })
  .strict()

export type RunJson = z.output<typeof run>
export type GapJson = z.output<typeof gap>

/** What a list result carries beside its array (named in the result): how many there are, and whether the array holds fewer (a --limit). */
export const listCount = {
  total: count.describe('Rows there are in all'),
  truncated: z.boolean().describe('True when the list holds fewer than total (a --limit, or a cap named in a warning)'),
}

/** A row of SQL output: its columns as DuckDB named them, values JSON (timestamps as ISO 8601). */
export const sqlRow = z.record(z.string(), z.unknown())

/** A result schema as every command declares it. */
export const result = <S extends z.ZodRawShape>(shape: S) => z.object(shape).strict()

/** `{total, truncated}` of a list that holds every row. */
export const whole = (rows: readonly unknown[]): {total: number; truncated: boolean} => ({total: rows.length, truncated: false})
