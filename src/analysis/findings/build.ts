import path from 'node:path'
import type {Progress, ProgressTask} from '../../core/progress.js'
import {AnalysisDb} from '../db.js'
import {builtinQueryDir, loadQueries, type Severity} from '../queries.js'
import {BUILTIN_RULES_DIR} from '../sigma/load.js'
import {scanFallbackWarning} from '../sigma/hunt.js'
import type {Candidate} from './candidates.js'
import {runDetectionQueries} from './from-queries.js'
import {runSigmaRules} from './from-hunt.js'
import {mergeCandidates} from './merge.js'
import type {CheckStatus, Finding, FindingCheck} from './model.js'
import {writeCaseFacts} from '../report/case-facts.js'
import {writeFindings} from './store.js'

export interface FindingsOptions {
  dbPath: string
  /** Extra Sigma rule files or directories. */
  rules?: readonly string[]
  /** Include the shipped Sigma rules (default true). */
  builtin?: boolean
  /** Hits (or rows) of one rule or query kept as findings; all are counted. Default 10,000. */
  limit?: number
  progress?: Progress
  signal?: AbortSignal
}

export interface FindingsSummary {
  dbPath: string
  findings: number
  bySeverity: Record<Severity, number>
  checks: Record<CheckStatus, number> & {fired: number}
  /** The most severe findings, for a summary to show. */
  top: Finding[]
  /** Every finding, most severe first (what `findings --json` lists). */
  all: Finding[]
  /** Checks that failed, or whose hits were cut, and the rules' one scan when it failed. */
  warnings: string[]
}

const PACKAGE_ROOT = path.resolve(builtinQueryDir(), '..')

/** A rule or query file as reports name it: relative to coroner's own folder for the shipped ones. */
function displayPath(file: string): string {
  const rel = path.relative(PACKAGE_ROOT, file)
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/')
}

/**
 * Runs every Sigma rule and every detection query over a case database and replaces its
 * `findings` and `finding_checks` tables. The database must have been built by `coroner load`.
 */
export async function buildFindings(options: FindingsOptions): Promise<FindingsSummary> {
  const limit = options.limit ?? 10_000
  const sources = [...(options.builtin === false ? [] : [BUILTIN_RULES_DIR]), ...(options.rules ?? [])]
  const db = await AnalysisDb.open(options.dbPath, options.signal === undefined ? {} : {signal: options.signal})
  let task: ProgressTask | undefined
  try {
    const {sigma, queries} = await runChecks(db, {sources, limit, ...(options.progress ? {progress: options.progress} : {}), ...(options.signal ? {signal: options.signal} : {})})
    // After the checks: their targets, the fold into findings, the findings stored, the case's facts.
    task = options.progress?.task('findings: folding and storing', 4)
    await addTargets(db, sigma.candidates)
    task?.advance()
    const versions = await versionIds(db)
    const candidates = [...sigma.candidates, ...queries.candidates].map((c) => ({...c, reason: {...c.reason, file: displayPath(c.reason.file)}}))
    const findings = mergeCandidates(candidates, (key) => versions.get(key) ?? null)
    const checks: FindingCheck[] = [...sigma.checks, ...queries.checks].map((c) => ({...c, file: displayPath(c.file)}))
    task?.advance()
    // The findings and the facts counted from them replace the earlier ones together, or neither does.
    await db.transaction(async () => {
      await writeFindings(db, findings, checks)
      task?.advance()
      await writeCaseFacts(db)
      task?.advance()
    })
    return summarise(options.dbPath, findings, checks, sigma.scanError)
  } finally {
    task?.done()
    db.close()
  }
}

type Checked = Awaited<ReturnType<typeof runDetectionQueries>>
type SigmaChecked = Awaited<ReturnType<typeof runSigmaRules>>

/**
 * The Sigma rules (in their one scan) and the detection queries, side by side on two connections
 * of the database: the scan leaves a core idle while it turns hits into JavaScript, and the
 * queries while they turn rows, so together they take less than one after the other. When one
 * fails the other is stopped, and the first error is thrown once both have ended.
 */
export async function runChecks(db: AnalysisDb, options: {sources: readonly string[]; limit: number; progress?: Progress; signal?: AbortSignal}): Promise<{sigma: SigmaChecked; queries: Checked}> {
  const stop = new AbortController()
  const signal = options.signal === undefined ? stop.signal : AbortSignal.any([options.signal, stop.signal])
  const stopOnError = async <T>(work: Promise<T>): Promise<T> => {
    try {
      return await work
    } catch (error) {
      stop.abort(error)
      throw error
    }
  }
  const side = await db.sibling()
  const task = options.progress?.task('detection queries')
  try {
    const [sigma, queries] = await Promise.allSettled([
      stopOnError(options.sources.length === 0 ? Promise.resolve({candidates: [], checks: [], scanError: null}) : runSigmaRules(db, {sources: options.sources, limit: options.limit, signal, ...(options.progress ? {progress: options.progress} : {})})),
      stopOnError(runDetectionQueries(side, loadQueries(), options.limit, signal, task)),
    ])
    for (const r of [sigma, queries]) if (r.status === 'rejected') throw firstError(stop.signal, r.reason)
    return {sigma: (sigma as PromiseFulfilledResult<SigmaChecked>).value, queries: (queries as PromiseFulfilledResult<Checked>).value}
  } finally {
    task?.done()
    side.close()
  }
}

/** The error that stopped the work, not the abort it caused in the other half. */
const firstError = (stopped: AbortSignal, reason: unknown): unknown => (stopped.aborted ? stopped.reason : reason)

/** Sigma hits name the event; what it acted on comes from the event, as the timeline says it. */
async function addTargets(db: AnalysisDb, candidates: Candidate[]): Promise<void> {
  const ids = [...new Set(candidates.flatMap((c) => c.eventIds))]
  if (ids.length === 0) return
  await db.run('CREATE OR REPLACE TEMP TABLE _finding_events (event_id VARCHAR)')
  const appender = await db.connection.createAppender('_finding_events', 'main', 'temp')
  for (const id of ids) {
    appender.appendVarchar(id)
    appender.endRow()
  }
  appender.closeSync()
  const r = await db.all('SELECT e.event_id, e.target FROM cloudtrail_records e JOIN _finding_events USING (event_id)')
  const targets = new Map(r.rows.map((row) => [String(row.event_id), row.target === null ? null : String(row.target)]))
  for (const c of candidates) c.target ??= targets.get(c.eventIds[0] ?? '') ?? null
  await db.run('DROP TABLE _finding_events')
}

async function versionIds(db: AnalysisDb): Promise<Map<string, string>> {
  const r = await db.all('SELECT key, version_id FROM artifacts WHERE version_id IS NOT NULL')
  return new Map(r.rows.map((row) => [String(row.key), String(row.version_id)]))
}

function summarise(dbPath: string, findings: Finding[], checks: FindingCheck[], scanError: string | null): FindingsSummary {
  const bySeverity: Record<Severity, number> = {critical: 0, high: 0, medium: 0, low: 0, info: 0}
  for (const f of findings) bySeverity[f.severity]++
  const counts: FindingsSummary['checks'] = {ran: 0, failed: 0, 'not-run': 0, unsupported: 0, invalid: 0, fired: 0}
  for (const c of checks) {
    counts[c.status]++
    if (c.hits > 0) counts.fired++
  }
  const warnings = [
    ...(scanError === null ? [] : [`sigma: ${scanFallbackWarning(scanError)}`]),
    ...checks.filter((c) => c.status === 'failed' || (c.status === 'ran' && c.reason !== null)).map((c) => `${c.kind} ${c.id} (${c.file}): ${c.reason}`),
  ]
  return {dbPath, findings: findings.length, bySeverity, checks: counts, top: findings.slice(0, 20), all: findings, warnings}
}
