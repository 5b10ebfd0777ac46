import {z} from 'zod'
import {finding, timelineRowFields} from '../../reports/model.js'
import {SEVERITIES, type Severity} from '../../analysis/queries.js'
import {SIGMA_LEVELS} from '../../analysis/sigma/rule.js'
import {TIMELINE_SOURCES} from '../../analysis/timeline.js'
import {REPORT_FORMATS} from '../../reports/write.js'
import {count, listCount, nullableSha256, nullableTime, result, sha256, sqlRow, text} from './common.js'
import {verification, verifyIssue} from './evidence.js'

const severity = z.enum(SEVERITIES as unknown as [Severity, ...Severity[]])
const level = z.enum(SIGMA_LEVELS).nullable()

/** A problem in a rule or query file, located: `file:line:column severity code message`. */
export const fileIssue = z.object({file: text, line: z.number().int(), column: z.number().int(), severity: z.enum(['error', 'warning']), code: text, message: text}).strict()
export const fileIssueJson = (i: {file: string; line: number; col?: number; column?: number; severity: 'error' | 'warning'; code: string; message: string}): z.output<typeof fileIssue> => ({
  file: i.file,
  line: i.line,
  column: i.column ?? i.col ?? 0,
  severity: i.severity,
  code: i.code,
  message: i.message,
})

export const loadResult = result({
  caseId: text,
  dbPath: text,
  tables: z.array(z.object({table: text, rows: count}).strict()),
  artifacts: z
    .object({
      total: count,
      loaded: count,
      refused: z.array(z.object({key: text, kind: text, state: text, detail: z.string().nullable()}).strict()).describe('Altered or missing: not loaded'),
      unreadable: z.array(z.object({key: text, kind: text, state: text, detail: z.string().nullable()}).strict()),
      notLoaded: count.describe('Artifacts of kinds that are not rows (digests)'),
    })
    .strict(),
  malformedRecords: count,
  code: z
    .object({
      packages: count,
      read: count,
      partial: count,
      unreadable: count,
      files: count,
      indicators: count,
      anomalies: z.record(z.string(), count),
      notScanned: z.object({binary: count, oversized: count, unread: count}).strict(),
    })
    .strict(),
  phases: z.record(z.string(), z.number()).describe('Seconds spent in each phase'),
  verification: verification.describe('The verification the database was built under (also in its case_load table)'),
  damage: z.array(verifyIssue).describe('With --accept-damaged: every problem verify named, each marked on the rows of the evidence it concerns (evidence_damage)'),
  ...listCount,
})

export const queryResult = result({
  query: text.describe("The query's id, or sql for --sql"),
  title: z.string().nullable(),
  severity: severity.nullable(),
  parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  columns: z.array(text),
  rows: z.array(sqlRow).describe('One object per row, keyed by column name'),
  ...listCount,
})

export const queryListResult = result({
  queries: z.array(
    z
      .object({
        id: text,
        title: text,
        description: text,
        severity,
        attack: z.array(text),
        evidence: z.array(text),
        author: text,
        file: text,
        parameters: z.array(z.object({name: text, type: z.enum(['string', 'integer', 'number', 'boolean', 'timestamp']), default: z.string().nullable(), required: z.boolean()}).strict()),
      })
      .strict(),
  ),
  ...listCount,
})

export const timelineRow = z
  .object({
    time: nullableTime,
    source: z.enum(TIMELINE_SOURCES),
    ...timelineRowFields,
    evidenceSha256: nullableSha256,
  })
  .strict()

export const timelineResult = result({
  rows: z.array(timelineRow),
  omitted: z
    .object({after: count.describe('Rows shown before the gap'), count, from: nullableTime.describe('Time of the last row before the gap'), to: nullableTime.describe('Time of the first row after it')})
    .strict()
    .nullable()
    .describe('With a limit, the oldest and the newest rows are kept: the rows between them'),
  ...listCount,
})

const hitRule = z.object({id: z.string().nullable(), title: text, level, author: z.string().nullable(), path: text}).strict()

export const huntResult = result({
  caseId: text,
  db: text,
  rulesRun: count,
  scanError: z.string().nullable().describe("Why the rules' one scan failed, when each rule then ran alone (a rule that fails alone is reported with its error); null when it did not fail"),
  hits: z.array(
    z
      .object({
        rule: hitRule,
        eventId: z.string().nullable(),
        time: nullableTime,
        eventName: z.string().nullable(),
        eventSource: z.string().nullable(),
        principal: z.string().nullable(),
        sourceIp: z.string().nullable(),
        evidenceKey: z.string().nullable(),
        evidenceSha256: nullableSha256,
      })
      .strict(),
  ),
  rules: z.array(hitRule.extend({hits: count.describe('Every matching event, listed or not'), error: z.string().nullable()}).strict()),
  unsupported: z.array(z.object({path: text, title: z.string().nullable(), id: z.string().nullable(), author: z.string().nullable(), code: text, construct: text, message: text}).strict()),
  skipped: count.describe('Rules left out by --min-level'),
  ruleSources: z.array(text),
  invalid: z.array(fileIssue).describe('Rule files that could not be read as Sigma'),
  ...listCount,
})

export const findingsResult = result({
  caseId: text,
  dbPath: text,
  findings: z
    .array(finding)
    .describe('The most severe findings (all are in the findings table of the case database)'),
  bySeverity: z.object({info: count, low: count, medium: count, high: count, critical: count}).strict(),
  checks: z.object({ran: count, failed: count, 'not-run': count, unsupported: count, invalid: count, fired: count}).strict(),
  ...listCount,
})

export const reportResult = result({
  caseId: text,
  path: text,
  format: z.enum(REPORT_FORMATS),
  bytes: count,
  sha256,
  findingCount: count,
  verified: z.boolean().describe('Whether every evidence object and the manifest chain verified when the report was made'),
  findingsComputed: z.boolean().describe('Whether the findings were computed for this report (the case had none)'),
  limits: z.array(text).describe('What the report holds only part of, and where the rest is'),
})

export const exportParquetResult = result({
  dir: text,
  ddl: text,
  tables: z.array(z.object({table: text, rows: count, files: count, location: text}).strict()),
  notExported: z.array(z.object({table: text, reason: text}).strict()).describe('Tables the export names that the case database lacks, and why: nothing was written for them'),
  secrets: z
    .object({treatment: z.enum(['redacted', 'shown']), values: count.describe('Known secret values (Lambda environment values) replaced by [redacted:NAME]')})
    .strict()
    .describe('What the export did with the case\'s secrets: redacted in every text column, or shown (--show-secrets)'),
  ...listCount,
})

export const sigmaCheckResult = result({
  files: count,
  compiled: z.array(z.object({path: text, title: text, id: z.string().nullable(), level, author: z.string().nullable()}).strict()),
  unsupported: z.array(z.object({path: text, title: z.string().nullable(), code: text, construct: text, severity: text}).strict()),
  issues: z.array(fileIssue),
})

export const sigmaCompileResult = result({
  path: text,
  title: text,
  id: z.string().nullable(),
  level,
  author: z.string().nullable(),
  sql: text.describe('The boolean expression over raw'),
  query: text.describe('The full query `coroner hunt` runs'),
  params: z.array(z.union([z.string(), z.number(), z.boolean()])),
})
