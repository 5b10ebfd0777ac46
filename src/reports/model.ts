import {z} from 'zod'

/**
 * The report of a case, built once from the case database and the evidence store; every format
 * (Markdown, HTML, PDF, JSON) renders this one model. The zod schema is the single source of the
 * committed JSON Schema (docs/json/report.schema.json). Every string that came from a log or an
 * API field is attacker-controlled: formatters escape it, and secrets are redacted before any
 * formatter sees the model.
 */
export const REPORT_SCHEMA_ID = 'coroner.report/v1'

const text = z.string()
const time = z.string().nullable().describe('ISO 8601 in UTC, or null when unknown')
const severity = z.enum(['info', 'low', 'medium', 'high', 'critical'])
const cell = z.union([z.string(), z.number(), z.boolean(), z.null()])

export const evidenceRef = z.object({key: text, sha256: z.string().nullable(), versionId: z.string().nullable()}).strict()

const reason = z
  .object({source: z.enum(['sigma', 'query']), id: text, title: text, author: z.string().nullable(), severity, attack: z.array(text), file: text})
  .strict()

export const finding = z
  .object({
    id: text,
    title: text,
    severity,
    attack: z.array(text),
    time,
    lastTime: time,
    actor: z.string().nullable(),
    target: z.string().nullable(),
    sourceIp: z.string().nullable(),
    reasons: z.array(reason),
    eventIds: z.array(text),
    evidence: z.array(evidenceRef),
    details: z.record(z.string(), z.unknown()),
  })
  .strict()

/** The fields a timeline row has wherever it is shown (the `timeline` command, a report): who did what to what, from where, citing which object. */
export const timelineRowFields = {
  actor: z.string().nullable(),
  action: z.string().nullable(),
  target: z.string().nullable(),
  sourceIp: z.string().nullable(),
  detail: z.string().nullable(),
  evidenceKey: z.string().nullable(),
}

export const timelineRow = z
  .object({
    time,
    source: text,
    ...timelineRowFields,
    evidenceSha256: z.string().nullable(),
    eventId: z.string().nullable(),
    /** The most severe finding the row belongs to, or null. */
    severity: severity.nullable(),
    findings: z.array(text),
  })
  .strict()

const keyTime = z.object({time, what: text}).strict()

const functionVersion = z
  .object({
    version: z.string().nullable(),
    arn: z.string().nullable(),
    codeSha256: z.string().nullable(),
    codeSize: z.number().nullable(),
    runtime: z.string().nullable(),
    handler: z.string().nullable(),
    role: z.string().nullable(),
    lastModified: time,
    layers: z.array(text),
    environmentKeys: z.array(text),
    evidence: evidenceRef,
  })
  .strict()

/** A table another part of coroner adds (code forensics, readiness, containment): shown as it is, cut as said. */
export const tableSection = z
  .object({id: text, title: text, columns: z.array(text), rows: z.array(z.record(z.string(), cell)), total: z.number().int(), note: z.string().nullable()})
  .strict()

const fn = z
  .object({
    name: text,
    versions: z.array(functionVersion),
    changes: z.array(z.object({from: z.string().nullable(), to: z.string().nullable(), fields: z.array(z.object({field: text, before: z.string().nullable(), after: z.string().nullable()}).strict())}).strict()),
    code: z.array(tableSection),
  })
  .strict()

const containmentAction = z
  .object({
    action: text,
    target: z.string().nullable(),
    status: z.string().nullable(),
    applied: z.boolean().nullable(),
    verified: z.boolean().nullable(),
    time,
    runId: z.string().nullable(),
    before: z.string().nullable(),
    after: z.string().nullable(),
    notes: z.string().nullable(),
  })
  .strict()

const indicator = z
  .object({type: z.enum(['ip', 'access-key', 'principal', 'user-agent']), value: text, firstSeen: time, lastSeen: time, events: z.number().int(), inFindings: z.number().int()})
  .strict()

const gap = z.object({runId: text, collector: z.string().nullable(), resource: z.string().nullable(), code: z.string().nullable(), region: z.string().nullable(), reason: z.string().nullable(), meaning: text}).strict()

const check = z
  .object({kind: z.enum(['sigma', 'query']), id: text, title: text, author: z.string().nullable(), severity, attack: z.array(text), file: text, status: z.enum(['ran', 'failed', 'not-run', 'unsupported', 'invalid']), hits: z.number().int(), kept: z.number().int(), reason: z.string().nullable()})
  .strict()

const custodyEntry = z.object({runId: text, seq: z.number().int().nullable(), at: time, type: z.string().nullable(), summary: z.string().nullable(), lineSha256: z.string().nullable()}).strict()

const manifestEntry = z
  .object({
    runId: text,
    status: text,
    command: z.string().nullable(),
    startedAt: time,
    endedAt: time,
    caller: z.string().nullable(),
    user: z.string().nullable(),
    host: z.string().nullable(),
    tool: z.string().nullable(),
    manifestKey: z.string().nullable(),
    manifestSha256: z.string().nullable(),
    previousSha256: z.string().nullable(),
    artifacts: z.number().int(),
    gaps: z.number().int(),
    problems: z.array(text),
  })
  .strict()

const count = (description: string) => z.number().int().describe(description)

export const reportModel = z
  .object({
    schema: z.literal(REPORT_SCHEMA_ID),
    caseId: text,
    generatedAt: z.string().describe('When the report was made: the one thing that differs between two reports of the same case'),
    tool: z.object({name: text, version: text}).strict(),
    secretsRedacted: z.boolean(),
    summary: z
      .object({
        headline: text,
        findings: count('Findings in the case'),
        bySeverity: z.record(severity, z.number().int()),
        functions: z.array(text),
        principals: z.array(text),
        accounts: z.array(text),
        regions: z.array(text),
        window: z.object({from: time, to: time}).strict(),
        events: z.record(z.string(), z.number().int()).describe('Timeline rows per source'),
        findingsComputedAtReport: z.boolean().describe('The findings table was missing and was built for this report'),
      })
      .strict(),
    keyTimes: z
      .object({
        firstSuspicious: keyTime.nullable(),
        lastSuspicious: keyTime.nullable(),
        detected: keyTime.nullable(),
        firstCollection: keyTime.nullable(),
        lastCollection: keyTime.nullable(),
        containment: keyTime.nullable(),
        timeToContain: z.string().nullable().describe('From the first suspicious event to the first applied containment, e.g. 2d 4h 10m'),
      })
      .strict(),
    findings: z.array(finding),
    functions: z.array(fn),
    containment: z.object({present: z.boolean(), actions: z.array(containmentAction), total: z.number().int()}).strict(),
    timeline: z
      .object({
        total: count('Rows in the full timeline (the case database holds them all)'),
        relevant: z.array(timelineRow).describe('Rows tied to a finding, or by a flagged principal or address, first'),
        relevantTotal: z.number().int(),
        rows: z.array(timelineRow).describe('The timeline in time order: all of it in JSON, the first rows in HTML and Markdown'),
        histogram: z
          .array(z.object({bucket: text, source: text, severity: text, count: z.number().int()}).strict())
          .describe('Events per bucket: by source with severity "all", and CloudTrail events in findings by the severity of their most severe finding'),
        bucket: z.string().describe('The width of one histogram bucket, e.g. 1 hour'),
      })
      .strict(),
    indicators: z.array(indicator),
    gaps: z.array(gap),
    checks: z.array(check),
    custody: z.array(custodyEntry),
    custodyTotal: z.number().int(),
    manifests: z.array(manifestEntry),
    verification: z
      .object({ok: z.boolean(), at: text, store: text, artifacts: z.record(z.string(), z.number().int()), problems: z.array(text), warnings: z.array(text)})
      .strict(),
    sections: z.array(tableSection).describe('Tables other steps add (readiness checks, and any later), shown when the case database holds them'),
    limits: z.array(text).describe('What this rendering of the report leaves out, and where the rest is'),
  })
  .strict()

export type ReportModel = z.infer<typeof reportModel>
export type ReportFinding = z.infer<typeof finding>
export type TimelineRow = z.infer<typeof timelineRow>
export type TableSection = z.infer<typeof tableSection>
export type EvidenceRef = z.infer<typeof evidenceRef>

/** The JSON Schema of the report, as committed under docs/json/. */
export function reportJsonSchema(): Record<string, unknown> {
  return {title: `coroner report (${REPORT_SCHEMA_ID})`, ...(z.toJSONSchema(reportModel, {target: 'draft-2020-12', unrepresentable: 'any'}) as Record<string, unknown>)}
}
