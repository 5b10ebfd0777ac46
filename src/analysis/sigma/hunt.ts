import {stat} from 'node:fs/promises'
import type {DuckDBConnection} from '@duckdb/node-api'
import {AnalysisDb} from '../db.js'
import {CoronerError} from '../../core/errors.js'
import type {Progress} from '../../core/progress.js'
import {compileRule} from './compile.js'
import {levelRank, type CompiledRule, type SigmaLevel, type UnsupportedRule} from './rule.js'
import {RECORDS_TABLE, scanRules, storedColumns} from './one-scan.js'

/** The rule a hit came from; the author is shown with every hit, as the Detection Rule License asks. */
export interface HitRule {
  id: string | null
  title: string
  level: SigmaLevel | null
  author: string | null
  path: string
}

export interface HuntHit {
  rule: HitRule
  event_id: string | null
  event_time: string | null
  /** The evidence object the event was read from, and its SHA-256. */
  evidence_key: string | null
  evidence_sha256: string | null
  eventName: string | null
  eventSource: string | null
  principal: string | null
  sourceIP: string | null
}

export interface RuleOutcome extends HitRule {
  /** Every matching event, including those beyond the per-rule limit. */
  hits: number
  /** Set when the query failed (e.g. a regular expression DuckDB refuses). */
  error?: string
}

export interface HuntResult {
  rulesRun: number
  /** How the rules ran: all in one scan, or one query each (asked for, or after the scan failed). */
  strategy: 'one-scan' | 'per-rule'
  /** Why the one scan failed, when the rules then ran one query each; null when it did not fail. */
  scanError: string | null
  /** Hits ordered by event time, then rule; at most `maxHitsPerRule` per rule, each principal's in turn. */
  hits: HuntHit[]
  rules: RuleOutcome[]
  unsupported: Array<{path: string; title: string | null; id: string | null; author: string | null; code: string; construct: string; message: string}>
  /** Rules left out by `minLevel`. */
  skipped: number
}

export interface HuntOptions {
  minLevel?: SigmaLevel
  /** Hits returned per rule (all are counted); default 1000. */
  maxHitsPerRule?: number
  progress?: Progress
  signal?: AbortSignal
  /** `one-scan` (default): every rule in a single pass over the table; `per-rule`: a query per rule. */
  strategy?: 'one-scan' | 'per-rule'
}

/** The view of the events the case loader builds; a rule compiled alone reads its `raw` column only. */
export const EVENTS_TABLE = 'cloudtrail_events'

/** What a hunt (or the findings) says when the rules' one scan failed and each rule ran alone. */
export function scanFallbackWarning(scanError: string): string {
  return `the rules' one scan failed (${scanError}); each rule then ran alone, a rule that fails alone reported with its error, and the hunt took longer`
}

/**
 * Runs the compiled rules over the case's events and collects the hits with the evidence object
 * each came from: by default all in one scan over the stored events and their typed columns; with
 * `strategy: 'per-rule'`, as each rule reads alone, one query per rule over the JSON records of
 * `cloudtrail_events` (the straightforward evaluation, which the one scan must agree with).
 */
export async function huntCase(
  connection: DuckDBConnection,
  rules: {compiled: readonly CompiledRule[]; unsupported?: readonly UnsupportedRule[]},
  options: HuntOptions = {},
): Promise<HuntResult> {
  const stored = await assertEventsTable(connection)
  const minRank = levelRank(options.minLevel)
  const selected = rules.compiled.filter((r) => options.minLevel === undefined || levelRank(r.rule.level ?? 'informational') >= minRank)
  const limit = options.maxHitsPerRule ?? 1000
  let found: {hits: HuntHit[]; outcomes: RuleOutcome[]} | undefined
  let scanError: string | null = null
  if ((options.strategy ?? 'one-scan') === 'one-scan' && selected.length > 0 && stored) {
    try {
      found = await huntInOneScan(connection, selected, limit, options)
    } catch (error) {
      options.signal?.throwIfAborted()
      // One rule DuckDB refuses (say, a regular expression RE2 rejects) fails the shared scan:
      // run the rules one by one so that only that rule is reported as failed, and say why.
      scanError = (error as Error).message.split('\n')[0]!
    }
  }
  const strategy = found === undefined ? 'per-rule' : 'one-scan'
  found ??= await huntRuleByRule(connection, selected, limit, options)
  const {hits, outcomes} = found
  hits.sort(
    (a, b) =>
      (a.event_time ?? '').localeCompare(b.event_time ?? '') ||
      levelRank(b.rule.level ?? undefined) - levelRank(a.rule.level ?? undefined) ||
      a.rule.title.localeCompare(b.rule.title) ||
      (a.event_id ?? '').localeCompare(b.event_id ?? '') ||
      (a.evidence_key ?? '').localeCompare(b.evidence_key ?? ''),
  )
  return {
    rulesRun: selected.length,
    strategy,
    scanError,
    hits,
    rules: outcomes,
    unsupported: (rules.unsupported ?? []).map((u) => ({
      path: u.path,
      title: u.rule?.title ?? null,
      id: u.rule?.id ?? null,
      author: u.rule?.author ?? null,
      code: u.code,
      construct: u.construct,
      message: u.message,
    })),
    skipped: rules.compiled.length - selected.length,
  }
}

const SUMMARY_COLUMNS = `event_id, epoch_ms(event_time) AS event_ms, artifact_key, artifact_sha256,
  json_extract_string(raw, '$.eventName') AS event_name,
  json_extract_string(raw, '$.eventSource') AS event_source,
  coalesce(json_extract_string(raw, '$.userIdentity.arn'), json_extract_string(raw, '$.userIdentity.principalId'), json_extract_string(raw, '$.userIdentity.invokedBy'), json_extract_string(raw, '$.userIdentity.type')) AS principal,
  json_extract_string(raw, '$.sourceIPAddress') AS source_ip`

function toHit(rule: HitRule, row: Record<string, unknown>): HuntHit {
  return {
    rule,
    event_id: text(row.event_id),
    event_time: row.event_ms === null || row.event_ms === undefined ? null : new Date(Number(row.event_ms)).toISOString(),
    evidence_key: text(row.artifact_key),
    evidence_sha256: text(row.artifact_sha256),
    eventName: text(row.event_name),
    eventSource: text(row.event_source),
    principal: text(row.principal),
    sourceIP: text(row.source_ip),
  }
}

/** All rules in one pass over the stored events (one-scan.ts); hits listed in time order, at most `limit` per rule. */
async function huntInOneScan(connection: DuckDBConnection, selected: readonly CompiledRule[], limit: number, options: HuntOptions): Promise<{hits: HuntHit[]; outcomes: RuleOutcome[]}> {
  const task = options.progress?.task(`Sigma hunt: ${selected.length} rules in one scan`)
  const {counts, rows} = await scanRules(connection, selected, limit, await storedColumns(connection))
  options.signal?.throwIfAborted()
  const rules = selected.map(hitRule)
  const hits = rows.map((row) => toHit(rules[Number(row.rule)]!, row))
  task?.done(`${counts.reduce((a, b) => a + b, 0)} hit(s)`)
  return {hits, outcomes: rules.map((r, i) => ({...r, hits: counts[i]!}))}
}

/** One query per rule; a rule whose query fails is reported with the error and the others go on. */
async function huntRuleByRule(connection: DuckDBConnection, selected: readonly CompiledRule[], limit: number, options: HuntOptions): Promise<{hits: HuntHit[]; outcomes: RuleOutcome[]}> {
  const task = options.progress?.task('Sigma rules', selected.length)
  const hits: HuntHit[] = []
  const outcomes: RuleOutcome[] = []
  for (const compiled of selected) {
    options.signal?.throwIfAborted()
    const rule = hitRule(compiled)
    try {
      const reader = await connection.runAndReadAll(
        // Over the limit, each principal's hits in turn, in the order one scan takes them.
        `SELECT * FROM (
           SELECT *, row_number() OVER (PARTITION BY hash(principal) ORDER BY event_ms, hash(event_id), artifact_key) AS turn
           FROM (SELECT ${SUMMARY_COLUMNS}, count(*) OVER () AS total FROM ${EVENTS_TABLE} WHERE ${compiled.sql}))
         ORDER BY turn, event_ms, hash(event_id), artifact_key
         LIMIT ${Number(limit)}`,
        compiled.params,
      )
      const rows = reader.getRowObjects()
      outcomes.push({...rule, hits: rows.length === 0 ? 0 : Number(rows[0]!.total)})
      for (const row of rows) hits.push(toHit(rule, row))
    } catch (error) {
      outcomes.push({...rule, hits: 0, error: (error as Error).message.split('\n')[0]!})
    }
    task?.advance()
  }
  task?.done()
  return {hits, outcomes}
}

function hitRule(c: CompiledRule): HitRule {
  return {id: c.rule.id ?? null, title: c.rule.title, level: c.rule.level ?? null, author: c.rule.author ?? null, path: c.rule.path}
}

function text(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v)
}

/** Fails unless the database has the events view; says whether the loader's stored events (and their typed columns) are there. */
async function assertEventsTable(connection: DuckDBConnection): Promise<boolean> {
  const reader = await connection.runAndReadAll(`SELECT table_name FROM information_schema.tables WHERE table_name IN (?, ?)`, [EVENTS_TABLE, RECORDS_TABLE])
  const names = new Set(reader.getRows().map((r) => String(r[0])))
  if (!names.has(EVENTS_TABLE)) {
    throw new CoronerError('case-not-loaded', `the case database has no ${EVENTS_TABLE} table`, {hint: 'Run `coroner load --case <case>` first.'})
  }
  return names.has(RECORDS_TABLE)
}

/**
 * Opens a case's DuckDB file read-only, external access off (AnalysisDb.open). A missing file is a
 * usage error telling the user to load the case first.
 */
export async function openCaseDatabase(file: string, caseId: string, signal?: AbortSignal): Promise<AnalysisDb> {
  const exists = await stat(file).then((s) => s.isFile(), () => false)
  if (!exists) {
    throw new CoronerError('case-not-loaded', `no case database at ${file}`, {hint: `Run \`coroner load --case ${caseId}\` first, or pass --db.`})
  }
  return AnalysisDb.open(file, {readOnly: true, ...(signal === undefined ? {} : {signal})})
}
