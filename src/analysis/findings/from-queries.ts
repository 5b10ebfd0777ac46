import type {ProgressTask} from '../../core/progress.js'
import type {AnalysisDb, ReadResult} from '../db.js'
import {readNamedQuery} from '../run-query.js'
import type {NamedQuery} from '../queries.js'
import {ACTOR, candidateOfRow, first, takeInTurn, type Candidate} from './candidates.js'
import type {FindingCheck, FindingReason} from './model.js'

/** The table whose rows say the case holds each kind of evidence a query header names. */
const EVIDENCE_TABLES: Record<string, string[]> = {
  cloudtrail: ['cloudtrail_records'],
  logs: ['log_events'],
  lambda: ['lambda_functions', 'lambda_policies', 'lambda_url_configs', 'lambda_aliases', 'lambda_event_source_mappings', 'lambda_layers'],
  iam: ['iam_policies'],
  custody: ['custody'],
  guardduty: ['guardduty_findings'],
}

/** Which evidence sources the case database holds rows of. */
export async function heldEvidence(db: AnalysisDb): Promise<Set<string>> {
  const tables = new Set((await db.all('SELECT table_name FROM information_schema.tables')).rows.map((r) => String(r.table_name)))
  const held = new Set<string>()
  for (const [source, names] of Object.entries(EVIDENCE_TABLES)) {
    for (const t of names.filter((n) => tables.has(n))) {
      const r = await db.all(`SELECT EXISTS (SELECT 1 FROM ${t}) AS any`)
      if (r.rows[0]?.any === true) {
        held.add(source)
        break
      }
    }
  }
  return held
}

/**
 * Which rows of a query over the limit become findings: each actor's in turn (takeInTurn), read
 * from the actor columns alone; a query with no actor column keeps its first rows.
 */
function cutOf(result: ReadResult, limit: number): {positions: number[]; how: string} | undefined {
  if (result.count <= limit) return undefined
  const names = ACTOR.filter((c) => result.columns.includes(c))
  if (names.length === 0) return {positions: Array.from({length: limit}, (_, i) => i), how: `the first ${limit} in the query's order kept`}
  const values = names.map((c) => result.column(c))
  const actors = Array.from({length: result.count}, (_, i) => first(Object.fromEntries(names.map((c, k) => [c, values[k]![i]!])), names))
  const {positions, share, cutActors} = takeInTurn(actors, limit)
  return {positions, how: `each actor's rows taken in turn, at most ${share} of each of the ${cutActors} busiest actor(s) kept`}
}

const reasonOf = (q: NamedQuery): FindingReason => ({source: 'query', id: q.id, title: q.title, author: q.author, severity: q.severity, attack: q.attack, file: q.file})

/**
 * Runs every detection query (a severity above info) whose evidence the case holds, with its
 * default parameters, and turns each row into a candidate. A query that needs evidence the case
 * lacks, or a parameter with no default, is recorded as not run; one that fails, as failed.
 * `task` counts the detection queries as each is done with (run or not).
 */
export async function runDetectionQueries(db: AnalysisDb, queries: readonly NamedQuery[], limit: number, signal?: AbortSignal, task?: ProgressTask): Promise<{candidates: Candidate[]; checks: FindingCheck[]}> {
  const held = await heldEvidence(db)
  const candidates: Candidate[] = []
  const checks: FindingCheck[] = []
  const detections = queries.filter((x) => x.severity !== 'info')
  task?.setTotal(detections.length)
  const runOne = async (q: NamedQuery): Promise<void> => {
    const check: FindingCheck = {kind: 'query', id: q.id, title: q.title, author: q.author, severity: q.severity, attack: q.attack, file: q.file, status: 'ran', hits: 0, kept: 0, reason: null}
    checks.push(check)
    const missing = q.evidence.filter((e) => !held.has(e))
    const required = q.parameters.filter((p) => p.default === undefined)
    if (missing.length > 0 || required.length > 0) {
      check.status = 'not-run'
      check.reason = missing.length > 0 ? `the case holds no ${missing.join(', ')} evidence` : `needs parameter(s) ${required.map((p) => p.name).join(', ')} with no default`
      return
    }
    try {
      const {result} = await readNamedQuery(db, q)
      check.hits = result.count
      const cut = cutOf(result, limit)
      const kept = result.rows(cut?.positions)
      check.kept = kept.length
      if (cut !== undefined) check.reason = `${result.count - kept.length} row(s) over the limit of ${limit} not kept as findings: ${cut.how}`
      for (const row of kept) candidates.push(candidateOfRow(reasonOf(q), row))
    } catch (error) {
      check.status = 'failed'
      check.reason = (error as Error).message.split('\n')[0]!
    }
  }
  for (const q of detections) {
    signal?.throwIfAborted()
    await runOne(q)
    task?.advance()
  }
  for (const q of queries.filter((x) => x.severity === 'info')) {
    checks.push({kind: 'query', id: q.id, title: q.title, author: q.author, severity: q.severity, attack: q.attack, file: q.file, status: 'not-run', hits: 0, kept: 0, reason: 'severity info: an inventory, not a detection'})
  }
  return {candidates, checks}
}
