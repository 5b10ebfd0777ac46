import type {Row} from '../db.js'
import {SEVERITIES, type Severity} from '../queries.js'
import type {FindingReason} from './model.js'

/** One hit of one check, before hits on the same event are folded into one finding. */
export interface Candidate {
  reason: FindingReason
  time: string | null
  lastTime: string | null
  actor: string | null
  target: string | null
  sourceIp: string | null
  eventIds: string[]
  evidence: Array<{key: string; sha256: string | null}>
  details: Record<string, unknown>
}

// Named queries say the same thing under different column names; the first present wins.
const TIME = ['time', 'first_seen', 'window_start', 'hour', 'creation_time', 'last_modified_time', 'last_modified', 'event_time']
const LAST_TIME = ['last_seen']
export const ACTOR = ['actor', 'principal', 'principal_arn']
const TARGET = ['target', 'function', 'role', 'trail', 'bucket', 'policy']
const SOURCE_IP = ['source_ip', 'source_ips']
const EVIDENCE = new Set(['evidence_key', 'evidence_sha256', 'event_id', 'event_ids'])

export const first = (row: Row, names: readonly string[]): string | null => {
  for (const n of names) {
    const v = row[n]
    if (v !== null && v !== undefined && v !== '') return typeof v === 'object' ? JSON.stringify(v) : String(v)
  }
  return null
}

/**
 * A named query's row as a candidate finding: time, actor, target and source IP from the columns
 * the queries use for them, the event ids (`event_id`, or a list in `event_ids`), the evidence
 * object, and every other column kept as details.
 */
export function candidateOfRow(reason: FindingReason, row: Row): Candidate {
  const ids = Array.isArray(row.event_ids) ? row.event_ids.filter((v): v is string => typeof v === 'string') : typeof row.event_id === 'string' ? [row.event_id] : []
  const key = typeof row.evidence_key === 'string' ? row.evidence_key : null
  const details: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(row)) if (!EVIDENCE.has(k) && v !== null) details[k] = v
  // A row may grade itself (a GuardDuty finding carries its own severity).
  const own = typeof row.severity === 'string' && (SEVERITIES as readonly string[]).includes(row.severity) ? (row.severity as Severity) : undefined
  return {
    reason: own === undefined ? reason : {...reason, severity: own},
    time: first(row, TIME),
    lastTime: first(row, LAST_TIME),
    actor: first(row, ACTOR),
    target: first(row, TARGET),
    sourceIp: first(row, SOURCE_IP),
    eventIds: ids,
    evidence: key === null ? [] : [{key, sha256: typeof row.evidence_sha256 === 'string' ? row.evidence_sha256 : null}],
    details,
  }
}

/**
 * Which of a check's rows to keep when it has more than `limit`: each actor's rows in turn (every
 * actor's first, then every actor's second, …), so that a principal with a handful of calls is
 * kept whole beside one the background traffic made thousands of times, where the first `limit`
 * rows by time keep only the busiest. Positions come back in the order given. `share` is the most
 * rows any one actor kept; `cutActors`, how many actors had rows left out.
 */
export function takeInTurn(actors: ReadonlyArray<string | null>, limit: number): {positions: number[]; share: number; cutActors: number} {
  const seen = new Map<string | null, number>()
  const turn = actors.map((a) => {
    const n = seen.get(a) ?? 0
    seen.set(a, n + 1)
    return n
  })
  const positions = actors.map((_, i) => i).sort((a, b) => turn[a]! - turn[b]! || a - b).slice(0, Math.max(0, limit))
  const share = positions.length === 0 ? 0 : turn[positions.at(-1)!]! + 1
  const kept = new Map<string | null, number>()
  for (const p of positions) kept.set(actors[p]!, (kept.get(actors[p]!) ?? 0) + 1)
  return {positions: positions.sort((a, b) => a - b), share, cutActors: [...seen].filter(([a, n]) => (kept.get(a) ?? 0) < n).length}
}
