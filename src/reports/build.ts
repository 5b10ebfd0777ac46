import type {AnalysisDb, Row} from '../analysis/db.js'
import {readFindings} from '../analysis/findings/store.js'
import {readCaseFacts} from '../analysis/report/case-facts.js'
import {caseScope, collectionTimes, custody, functionVersions, gaps, hasTable, readTable} from '../analysis/report/facts.js'
import {escapeJsonUnsafe, jsonText} from '../analysis/output.js'
import {caseSecrets, valueRedactor, type Redact} from '../analysis/secrets.js'
import {findingMarks, relevantTimeline, streamTimeline, streamTimelineJson, timelineHistogram} from '../analysis/report/timeline.js'
import type {Progress, ProgressTask} from '../core/progress.js'
import {TOOL} from '../core/version.js'
import type {EvidenceStore} from '../evidence/store.js'
import {verifyCase} from '../evidence/verify.js'
import {manifestChain, verificationSummary} from './chain.js'
import {FINDING_CARDS, FINDING_ROWS} from './format/outline.js'
import {REPORT_SCHEMA_ID, type ReportModel, type TableSection, type TimelineRow} from './model.js'
import {DEFAULT_GAP_MEANING, GAP_MEANING, containmentSection, duration, functionsSection} from './sections.js'

export interface ReportLimits {
  /** Timeline rows the model holds (the JSON format streams all of them instead). */
  timelineRows: number
  relevantRows: number
  custodyLines: number
  indicatorsPerType: number
  /** Rows of each table another step adds. */
  tableRows: number
}

export const DEFAULT_LIMITS: ReportLimits = {timelineRows: 2000, relevantRows: 1000, custodyLines: 2000, indicatorsPerType: 100, tableRows: 500}

export interface BuildOptions {
  store: EvidenceStore
  caseId: string
  /** The playbook run the report is made inside, still open: verified against its journal so far. */
  openRun?: string | undefined
  generatedAt: string
  showSecrets: boolean
  findingsComputed: boolean
  limits?: Partial<ReportLimits>
  /** Shows the stages of the build, and the verification object by object. */
  progress?: Progress
  /** Ctrl-C: the verification stops reading objects (the report's queries stop with their database). */
  signal?: AbortSignal
}

/** A built report: the model, and the full timeline to stream for formats that hold all of it. */
export interface BuiltReport {
  /** The model as HTML, Markdown and PDF render it: `limits` says what they leave out. */
  model: ReportModel
  /** What a rendering that holds every timeline row and every finding (JSON) leaves out. */
  wholeLimits: string[]
  fullTimeline(): AsyncGenerator<TimelineRow>
  /**
   * The same rows as `fullTimeline`, each as the JSON text `jsonText` gives it (made by DuckDB),
   * joined by `separator` in pieces of a few thousand rows, each with the number of rows it holds.
   */
  fullTimelineJson(separator: string): AsyncGenerator<TimelinePiece>
}

/** Rows of the timeline as JSON text, joined. */
export interface TimelinePiece {
  text: string
  rows: number
}

/** What the build shows as its stages: findings, facts, timeline, chart, custody, verification, sections. */
const BUILD_STAGES = 7

/** Tables other steps add, shown as sections when the case database holds rows of them. */
const EXTRA_TABLES: Array<{id: string; title: string}> = [{id: 'readiness_checks', title: 'Readiness checks'}]

/**
 * Builds the report model of a case once, from its database (opened by the caller, read-only) and
 * its evidence store (verified now, so the report states the result at the time it was made).
 * Secrets are redacted here, by value as every output is (`[redacted:NAME]`), before any formatter sees a value.
 */
export async function buildReport(db: AnalysisDb, options: BuildOptions): Promise<BuiltReport> {
  const limits = {...DEFAULT_LIMITS, ...options.limits}
  const task = options.progress?.task(`building the report of ${options.caseId}`, BUILD_STAGES)
  try {
    return await build(db, options, limits, task)
  } finally {
    task?.done()
  }
}

async function build(db: AnalysisDb, options: BuildOptions, limits: ReportLimits, task: ProgressTask | undefined): Promise<BuiltReport> {
  const stored = await readFindings(db)
  const hasFindings = stored !== undefined
  const findings = stored?.findings ?? []
  const redact = valueRedactor(await caseSecrets(db), options.showSecrets)
  task?.advance()
  const facts = await readCaseFacts(db, hasFindings, limits.indicatorsPerType)
  const scope = await caseScope(db, facts)
  const collected = await collectionTimes(db)
  task?.advance()
  const actors = [...new Set(findings.map((f) => f.actor).filter((a): a is string => a !== null))].sort()
  const addresses = [...new Set(findings.map((f) => f.sourceIp).filter((a): a is string => a !== null && !/amazonaws\.com$|^AWS Internal$/.test(a)))].sort()
  const marks = await findingMarks(db, hasFindings)
  const relevant = await relevantTimeline(db, marks, actors, addresses, limits.relevantRows)
  const rows: Row[] = []
  for await (const r of streamTimeline(db, marks, limits.timelineRows)) rows.push(r)
  task?.advance()
  const histogram = await timelineHistogram(db, hasFindings, scope)
  task?.advance()
  const journal = await custody(db, limits.custodyLines)
  const containment = (await hasTable(db, 'containment_actions')) ? await readTable(db, 'containment_actions', limits.tableRows) : undefined
  task?.advance()
  const actions = containmentSection(containment?.rows ?? [])
  const applied = actions.filter((a) => a.applied === true && a.time !== null).map((a) => a.time!).sort()[0] ?? null
  const times = findings.flatMap((f) => [f.time, f.lastTime]).filter((t): t is string => t !== null).sort()
  const detected = findings.filter((f) => f.reasons.some((r) => r.id === 'guardduty-findings') && f.time !== null).map((f) => f.time!).sort()[0] ?? null
  const check = options.progress?.task(`verifying ${options.caseId}`)
  const verification = await verifyCase(options.store, options.caseId, {openRun: options.openRun, ...(check ? {progress: check} : {}), ...(options.signal === undefined ? {} : {signal: options.signal})}).finally(() => check?.done())
  task?.advance()
  const total = Object.values(scope.events).reduce((a, b) => a + b, 0)
  const bySeverity = {critical: 0, high: 0, medium: 0, low: 0, info: 0}
  for (const f of findings) bySeverity[f.severity]++

  const model: ReportModel = {
    schema: REPORT_SCHEMA_ID,
    caseId: options.caseId,
    generatedAt: options.generatedAt,
    tool: {name: TOOL.name, version: TOOL.version},
    secretsRedacted: !options.showSecrets,
    summary: {
      headline: headline(findings.length, bySeverity, scope.functions.length, total),
      findings: findings.length,
      bySeverity,
      functions: scope.functions,
      principals: actors,
      accounts: scope.accounts,
      regions: scope.regions,
      window: {from: scope.from, to: scope.to},
      events: scope.events,
      findingsComputedAtReport: options.findingsComputed,
    },
    keyTimes: {
      firstSuspicious: times[0] === undefined ? null : {time: times[0], what: findings.find((f) => f.time === times[0])?.title ?? 'first suspicious event'},
      lastSuspicious: times.at(-1) === undefined ? null : {time: times.at(-1)!, what: 'last suspicious event'},
      detected: detected === null ? null : {time: detected, what: 'first GuardDuty finding'},
      firstCollection: collected.first === null ? null : {time: collected.first, what: 'first evidence run'},
      lastCollection: collected.last === null ? null : {time: collected.last, what: 'last evidence run'},
      containment: applied === null ? null : {time: applied, what: 'first containment action applied'},
      timeToContain: duration(times[0] ?? null, applied),
    },
    findings,
    functions: functionsSection(await functionVersions(db), () => []),
    containment: {present: (containment?.total ?? 0) > 0, actions, total: containment?.total ?? 0},
    timeline: {
      total,
      relevant: relevant.rows.map(toTimelineRow),
      relevantTotal: relevant.total,
      rows: rows.map(toTimelineRow),
      histogram: histogram.rows.map((h) => ({bucket: String(h.bucket), source: String(h.source), severity: String(h.severity), count: Number(h.count)})),
      bucket: histogram.bucket,
    },
    indicators: facts.indicators.map((r) => ({type: r.type as 'ip', value: String(r.value), firstSeen: (r.firstSeen as string | null) ?? null, lastSeen: (r.lastSeen as string | null) ?? null, events: Number(r.events), inFindings: Number(r.inFindings)})),
    gaps: (await gaps(db)).map((g) => ({runId: String(g.runId), collector: text(g.collector), resource: text(g.resource), code: text(g.code), region: text(g.region), reason: text(g.reason), meaning: GAP_MEANING[String(g.code)] ?? DEFAULT_GAP_MEANING})),
    checks: stored?.checks ?? [],
    custody: journal.rows.map((c) => ({runId: String(c.runId), seq: c.seq === null ? null : Number(c.seq), at: text(c.at), type: text(c.type), summary: text(c.summary), lineSha256: text(c.lineSha256)})),
    custodyTotal: journal.total,
    manifests: await manifestChain(db, verification),
    verification: verificationSummary(verification, options.generatedAt),
    sections: await extraSections(db, limits.tableRows),
    limits: [],
  }
  await addCodeSections(db, model, limits.tableRows)
  task?.advance()
  model.limits = limitsOf(model, facts.totals, limits, false)
  const {model: safe, wholeLimits} = redact({model, wholeLimits: limitsOf(model, facts.totals, limits, true)})
  return {model: safe, wholeLimits, fullTimeline: () => redactRows(streamTimeline(db, marks), redact), fullTimelineJson: (separator) => redactJsonRows(streamTimelineJson(db, marks), redact, separator)}
}

/**
 * The JSON text of the timeline's rows (each as `jsonText` writes the row) joined by `separator`, a
 * piece per chunk DuckDB hands on. Text with no escape in it holds every value as it is, so where
 * the redactor changes nothing in the text of a run of such rows (checked once for the run: a
 * match inside a row is a match in the run) it changes nothing in any of their values, and the
 * run stands as DuckDB wrote it, with what `jsonText` escapes escaped. Any other row, and each
 * row of a run the redactor would change, is parsed and redacted value by value.
 */
async function* redactJsonRows(chunks: AsyncGenerator<string[]>, redact: Redact, separator: string): AsyncGenerator<TimelinePiece> {
  const row = (json: string): string => (!json.includes('\\') && redact(json) === json ? escapeJsonUnsafe(json) : jsonText(redact(toTimelineRow(JSON.parse(json) as Row))))
  for await (const rows of chunks) {
    const out: string[] = []
    let run: string[] = []
    const flush = (): void => {
      const text = run.join(separator)
      if (run.length > 0) out.push(redact(text) === text ? escapeJsonUnsafe(text) : run.map(row).join(separator))
      run = []
    }
    for (const json of rows) {
      if (!json.includes('\\')) run.push(json)
      else {
        flush()
        out.push(row(json))
      }
    }
    flush()
    if (out.length > 0) yield {text: out.join(separator), rows: rows.length}
  }
}

async function* redactRows(rows: AsyncGenerator<Row>, redact: Redact): AsyncGenerator<TimelineRow> {
  for await (const r of rows) yield redact(toTimelineRow(r))
}

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v))

function toTimelineRow(r: Row): TimelineRow {
  return {
    time: text(r.time),
    source: String(r.source),
    actor: text(r.actor),
    action: text(r.action),
    target: text(r.target),
    sourceIp: text(r.sourceIp),
    detail: text(r.detail),
    evidenceKey: text(r.evidenceKey),
    evidenceSha256: text(r.evidenceSha256),
    eventId: text(r.eventId),
    severity: (r.severity as TimelineRow['severity']) ?? null,
    findings: Array.isArray(r.findings) ? r.findings.map(String) : [],
  }
}

function headline(n: number, s: Record<string, number>, functions: number, events: number): string {
  const grades = ['critical', 'high', 'medium', 'low'].filter((k) => (s[k] ?? 0) > 0).map((k) => `${s[k]} ${k}`)
  return `${n} finding(s)${grades.length > 0 ? ` (${grades.join(', ')})` : ''} over ${events} timeline row(s) and ${functions} function(s).`
}

async function extraSections(db: AnalysisDb, limit: number): Promise<TableSection[]> {
  const out: TableSection[] = []
  for (const t of EXTRA_TABLES) {
    if (!(await hasTable(db, t.id))) continue
    const r = await readTable(db, t.id, limit)
    if (r.total === 0) continue
    out.push({id: t.id, title: t.title, columns: r.columns, rows: r.rows as TableSection['rows'], total: r.total, note: r.total > r.rows.length ? `first ${r.rows.length} of ${r.total} rows; all are in the case database` : null})
  }
  return out
}

/** The code forensics tables, per function, when the case database holds them. */
async function addCodeSections(db: AnalysisDb, model: ReportModel, limit: number): Promise<void> {
  for (const [id, title] of [['lambda_code_files', 'Changed code files'], ['lambda_code_indicators', 'Indicators in the code']] as const) {
    if (!(await hasTable(db, id))) continue
    for (const fn of model.functions) {
      // The file contents stay in the case database (`coroner code show`): a report lists what changed, not the code.
      const r = await readTable(db, id, limit, 'function_name = $name', {name: fn.name}, ['content'])
      if (r.total === 0) continue
      fn.code.push({id, title, columns: r.columns, rows: r.rows as TableSection['rows'], total: r.total, note: r.total > r.rows.length ? `first ${r.rows.length} of ${r.total} rows; all are in the case database` : null})
    }
  }
}

/** What a rendering leaves out: one that holds every timeline row and finding (`whole`, JSON) leaves out only the other cuts. */
function limitsOf(m: ReportModel, indicatorTotals: Record<string, number>, limits: ReportLimits, whole: boolean): string[] {
  const out: string[] = []
  if (!whole && m.timeline.rows.length < m.timeline.total) out.push(`The timeline lists its first ${m.timeline.rows.length} of ${m.timeline.total} rows here; the JSON report and the case database (view timeline) hold every row.`)
  if (!whole && m.findings.length > FINDING_CARDS) out.push(`HTML and Markdown list the first ${Math.min(FINDING_ROWS, m.findings.length)} of ${m.findings.length} findings and detail the first ${FINDING_CARDS}; the JSON report and the case database (table findings) hold them all.`)
  if (m.timeline.relevant.length < m.timeline.relevantTotal) out.push(`Attacker-relevant rows: the first ${m.timeline.relevant.length} of ${m.timeline.relevantTotal}.`)
  if (m.custody.length < m.custodyTotal) out.push(`Custody journal: the first ${m.custody.length} of ${m.custodyTotal} lines; every line is in the case database (table custody) and the journals.`)
  for (const [type, n] of Object.entries(indicatorTotals)) if (n > limits.indicatorsPerType) out.push(`Indicators (${type}): ${limits.indicatorsPerType} of ${n}, those in findings first.`)
  if (m.containment.actions.length < m.containment.total) out.push(`Containment actions: ${m.containment.actions.length} of ${m.containment.total}.`)
  return out
}
