import {BIGINT, VARCHAR, listValue, LIST} from '@duckdb/node-api'
import type {AnalysisDb, Row} from '../db.js'

/** Each event's findings (ids) and the most severe of them, from the findings table. */
const FINDING_EVENTS = (hasFindings: boolean): string =>
  hasFindings
    ? `fe AS (SELECT event_id, max(severity_rank) AS rank, list(DISTINCT finding_id ORDER BY finding_id) AS ids
        FROM (SELECT unnest(event_ids) AS event_id, finding_id, severity_rank FROM findings) GROUP BY event_id)`
    : `fe AS (SELECT NULL::VARCHAR AS event_id, NULL::INTEGER AS rank, NULL::VARCHAR[] AS ids WHERE false)`

const ROW = `strftime(t.time, '%Y-%m-%dT%H:%M:%S.%gZ') AS time, t.source, t.actor, t.action, t.target, t.source_ip AS "sourceIp", t.detail,
  t.evidence_key AS "evidenceKey", t.evidence_sha256 AS "evidenceSha256", t.event_id AS "eventId",
  CASE fe.rank WHEN 4 THEN 'critical' WHEN 3 THEN 'high' WHEN 2 THEN 'medium' WHEN 1 THEN 'low' WHEN 0 THEN 'info' END AS severity,
  coalesce(fe.ids, []) AS findings`
const ORDER = 'ORDER BY t.time NULLS LAST, t.source, t.evidence_key, t.event_id, t.action, t.target, t.detail'
const JOIN = `FROM timeline t LEFT JOIN fe ON t.source = 'cloudtrail' AND t.event_id = fe.event_id`

/** The case timeline in time order with each row's findings; `limit` undefined streams all of it. */
export function streamTimeline(db: AnalysisDb, hasFindings: boolean, limit?: number): AsyncGenerator<Row> {
  return db.stream(`WITH ${FINDING_EVENTS(hasFindings)} SELECT ${ROW} ${JOIN} ${ORDER} LIMIT $limit`, {limit: BigInt(limit ?? 9_000_000_000_000)}, {limit: BIGINT})
}

/**
 * What the attacker did first: rows tied to a finding, and everything done by a flagged principal or
 * from a flagged address (AWS's own service addresses aside), in time order, at most `limit`.
 */
export async function relevantTimeline(db: AnalysisDb, hasFindings: boolean, actors: readonly string[], addresses: readonly string[], limit: number): Promise<{rows: Row[]; total: number}> {
  const where = `WHERE t.source <> 'custody' AND (fe.event_id IS NOT NULL OR list_contains($actors, t.actor) OR list_contains($ips, t.source_ip))`
  const params = {actors: listValue([...actors]), ips: listValue([...addresses]), limit: BigInt(limit)}
  const types = {actors: LIST(VARCHAR), ips: LIST(VARCHAR), limit: BIGINT}
  const rows = (await db.all(`WITH ${FINDING_EVENTS(hasFindings)} SELECT ${ROW} ${JOIN} ${where} ${ORDER} LIMIT $limit`, params, types)).rows
  const total = (await db.all(`WITH ${FINDING_EVENTS(hasFindings)} SELECT count(*) AS n ${JOIN} ${where}`, {actors: params.actors, ips: params.ips}, {actors: types.actors, ips: types.ips})).rows[0]?.n
  return {rows, total: Number(total ?? 0)}
}

const BUCKETS: Array<[string, string, number]> = [
  ['1 minute', 'INTERVAL 1 MINUTE', 60e3],
  ['5 minutes', 'INTERVAL 5 MINUTE', 300e3],
  ['15 minutes', 'INTERVAL 15 MINUTE', 900e3],
  ['1 hour', 'INTERVAL 1 HOUR', 3600e3],
  ['6 hours', 'INTERVAL 6 HOUR', 6 * 3600e3],
  ['1 day', 'INTERVAL 1 DAY', 86400e3],
  ['1 week', 'INTERVAL 7 DAY', 7 * 86400e3],
  ['30 days', 'INTERVAL 30 DAY', 30 * 86400e3],
]

/**
 * Events over time by source and by the severity of their findings, for the chart: the bucket is
 * the smallest that draws the window in at most about 120 bars. Custody rows (coroner's own work)
 * are left out: they have their own section.
 */
export async function timelineHistogram(db: AnalysisDb, hasFindings: boolean, window: {from: string | null; to: string | null}): Promise<{bucket: string; rows: Row[]}> {
  const span = window.from === null || window.to === null ? 0 : Date.parse(window.to) - Date.parse(window.from)
  const [label, interval] = BUCKETS.find(([, , ms]) => span / ms <= 120) ?? BUCKETS.at(-1)!
  const rows = (
    await db.all(`WITH ${FINDING_EVENTS(hasFindings)}
      SELECT strftime(time_bucket(${interval}, t.time), '%Y-%m-%dT%H:%M:%SZ') AS bucket, t.source,
        CASE fe.rank WHEN 4 THEN 'critical' WHEN 3 THEN 'high' WHEN 2 THEN 'medium' WHEN 1 THEN 'low' WHEN 0 THEN 'info' ELSE 'none' END AS severity,
        count(*) AS count
      ${JOIN} WHERE t.time IS NOT NULL AND t.source <> 'custody' GROUP BY ALL ORDER BY bucket, source, severity`)
  ).rows
  return {bucket: label, rows}
}
