import {BIGINT, VARCHAR, LIST, listValue, TIMESTAMPTZ, timestampTZValue} from '@duckdb/node-api'
import type {AnalysisDb, Row} from '../db.js'
import {TIMELINE_ORDER} from '../timeline.js'

/** The findings an event belongs to, and the most severe of them (0 info … 4 critical). */
export type FindingMarks = Map<string, {rank: number; ids: string[]}>

const SEVERITY_OF_RANK = ['info', 'low', 'medium', 'high', 'critical']

/** Every event named by a finding, read once from the findings table (tying rows to findings in SQL over the timeline view is far slower). */
export async function findingMarks(db: AnalysisDb, hasFindings: boolean): Promise<FindingMarks> {
  const marks: FindingMarks = new Map()
  if (!hasFindings) return marks
  const r = await db.all(`SELECT event_id, max(severity_rank) AS rank, list(DISTINCT finding_id ORDER BY finding_id) AS ids
    FROM (SELECT unnest(event_ids) AS event_id, finding_id, severity_rank FROM findings) GROUP BY event_id`)
  for (const row of r.rows) marks.set(String(row.event_id), {rank: Number(row.rank), ids: (row.ids as string[]) ?? []})
  return marks
}

// The view's CloudTrail rows made from the records with one JSON parse each (the view parses the
// record once per field it reads: most of the time of a timeline of a million events); every other
// source as the view makes it. The same rows as `timeline`, a test says so.
const TARGET_PATHS = ['functionName', 'roleName', 'userName', 'policyArn', 'secretId', 'name', 'trailName', 'bucketName', 'layerName'].map((k) => `'$.requestParameters.${k}'`)
const CT_PATHS = [...TARGET_PATHS, `'$.resources[0].ARN'`, `'$.errorMessage'`]
const TIMELINE = `(SELECT r.event_time AS time, 'cloudtrail' AS source, coalesce(r.principal_arn, r.principal_id, r.invoked_by, r.principal_type) AS actor,
    split_part(r.event_source, '.', 1) || ':' || r.event_name AS action, coalesce(${CT_PATHS.slice(0, -1).map((_, i) => `r.j[${i + 1}]`).join(', ')}) AS target,
    r.source_ip, CASE WHEN r.error_code IS NOT NULL THEN r.error_code || coalesce(': ' || r.j[${CT_PATHS.length}], '') END AS detail,
    r.artifact_key AS evidence_key, a.sha256 AS evidence_sha256, r.event_id
  FROM (SELECT *, json_extract_string(raw, [${CT_PATHS.join(', ')}]) AS j FROM cloudtrail_records) r
    LEFT JOIN (SELECT key, min(sha256) AS sha256 FROM artifacts GROUP BY key) a ON a.key = r.artifact_key
  UNION ALL SELECT * FROM timeline WHERE source <> 'cloudtrail')`

const ROW = `strftime(t.time, '%Y-%m-%dT%H:%M:%S.%gZ') AS time, t.source, t.actor, t.action, t.target, t.source_ip AS "sourceIp", t.detail,
  t.evidence_key AS "evidenceKey", t.evidence_sha256 AS "evidenceSha256", t.event_id AS "eventId"`
const ROW_JSON = `CAST(to_json({'time': strftime(t.time, '%Y-%m-%dT%H:%M:%S.%gZ'), 'source': t.source, 'actor': t.actor, 'action': t.action, 'target': t.target,
  'sourceIp': t.source_ip, 'detail': t.detail, 'evidenceKey': t.evidence_key, 'evidenceSha256': t.evidence_sha256, 'eventId': t.event_id}) AS VARCHAR)`
const ORDER = `ORDER BY ${TIMELINE_ORDER.map((c) => `t.${c}`).join(', ')}`

function mark(row: Row, marks: FindingMarks): Row {
  const m = row.source === 'cloudtrail' && typeof row.eventId === 'string' ? marks.get(row.eventId) : undefined
  return {...row, severity: m === undefined ? null : SEVERITY_OF_RANK[m.rank] ?? null, findings: m?.ids ?? []}
}

/**
 * The case timeline in time order with each row's findings; `limit` undefined streams all of it.
 * With a limit, the time of the last row kept is found first (reading the time column only), so
 * only the rows kept are built from their records.
 */
export async function* streamTimeline(db: AnalysisDb, marks: FindingMarks, limit?: number): AsyncGenerator<Row> {
  let where = ''
  const params: Record<string, unknown> = {}
  if (limit !== undefined) {
    const cut = (await db.all(`SELECT epoch_ms(time) AS ms FROM ${TIMELINE} t WHERE time IS NOT NULL ORDER BY time LIMIT 1 OFFSET $n`, {n: BigInt(Math.max(0, limit - 1))}, {n: BIGINT})).rows[0]?.ms
    if (cut !== undefined && cut !== null) {
      where = 'WHERE t.time <= $cut OR t.time IS NULL'
      params.cut = timestampTZValue(BigInt(Number(cut)) * 1000n)
    }
  }
  const sql = `SELECT ${ROW} FROM ${TIMELINE} t ${where} ${ORDER} LIMIT $limit`
  const types = {limit: BIGINT, ...(params.cut === undefined ? {} : {cut: TIMESTAMPTZ})}
  for await (const row of db.stream(sql, {...params, limit: BigInt(limit ?? 9_000_000_000_000)} as never, types)) yield mark(row, marks)
}

/**
 * What the attacker did first: rows tied to a finding, and everything done by a flagged principal or
 * from a flagged address (AWS's own service addresses aside), in time order, at most `limit`.
 */
export async function relevantTimeline(db: AnalysisDb, marks: FindingMarks, actors: readonly string[], addresses: readonly string[], limit: number): Promise<{rows: Row[]; total: number}> {
  const where = `WHERE t.source <> 'custody' AND ((t.source = 'cloudtrail' AND t.event_id IN (SELECT unnest($events))) OR t.actor IN (SELECT unnest($actors)) OR t.source_ip IN (SELECT unnest($ips)))`
  const params = {events: listValue([...marks.keys()]), actors: listValue([...actors]), ips: listValue([...addresses])}
  const types = {events: LIST(VARCHAR), actors: LIST(VARCHAR), ips: LIST(VARCHAR)}
  // The time of the last row kept and the count first, over the few columns the condition reads;
  // then only the rows up to that time are built from their records.
  const head = (await db.all(`SELECT count(*) AS n, epoch_ms(max(time)) AS cut FROM (SELECT t.time FROM ${TIMELINE} t ${where} ORDER BY t.time NULLS LAST LIMIT $limit)`, {...params, limit: BigInt(limit)}, {...types, limit: BIGINT})).rows[0]
  const total = (await db.all(`SELECT count(*) AS n FROM ${TIMELINE} t ${where}`, params, types)).rows[0]?.n
  const cut = head?.cut === null || head?.cut === undefined ? null : timestampTZValue(BigInt(Number(head.cut)) * 1000n)
  const bounded = cut === null ? where : `${where} AND (t.time <= $cut OR t.time IS NULL)`
  const rows = (await db.all(`SELECT ${ROW} FROM ${TIMELINE} t ${bounded} ${ORDER} LIMIT $limit`, {...params, limit: BigInt(limit), ...(cut === null ? {} : {cut})}, {...types, limit: BIGINT, ...(cut === null ? {} : {cut: TIMESTAMPTZ})})).rows
  return {rows: rows.map((r) => mark(r, marks)), total: Number(total ?? 0)}
}

/** The end of a timeline row's JSON text: its severity and findings (as jsonText writes them) and the closing brace. */
const jsonTail = (severity: string | null, findings: readonly string[]): string => `,"severity":${JSON.stringify(severity)},"findings":${JSON.stringify(findings)}}`

/**
 * The whole timeline in time order, each row as compact JSON text DuckDB made (the keys of
 * `TimelineRow` in order, its severity and findings joined from `marks` in SQL), a chunk of about
 * 2,048 rows at a time. Building a million rows as JavaScript objects to write them out again, or
 * copying three strings a row out of DuckDB to mark them, was most of the time of a JSON report.
 * The text is as DuckDB escapes it: not yet what `jsonText` would write of a row with an escape in it.
 */
export async function* streamTimelineJson(db: AnalysisDb, marks: FindingMarks): AsyncGenerator<string[]> {
  const ids = [...marks.keys()]
  const tails = [...marks.values()].map((m) => jsonTail(SEVERITY_OF_RANK[m.rank] ?? null, m.ids))
  // One equality, so DuckDB joins by hash: with the source test beside it in the ON clause the join was a nested loop, ten times the whole report.
  const sql = `WITH m AS (SELECT unnest($ids) AS event_id, unnest($tails) AS tail)
    SELECT left(${ROW_JSON}, -1) || coalesce(m.tail, $none) AS json
    FROM ${TIMELINE} t LEFT JOIN m ON m.event_id = CASE WHEN t.source = 'cloudtrail' THEN t.event_id END ${ORDER}`
  const params = {ids: listValue(ids), tails: listValue(tails), none: jsonTail(null, [])}
  // Never NULL: the text of a struct joined to a text that is never NULL.
  for await (const texts of db.streamTexts(sql, params, {ids: LIST(VARCHAR), tails: LIST(VARCHAR), none: VARCHAR})) yield texts as string[]
}

/** The chart's bucket widths: the label, and the width in milliseconds. */
export const BUCKETS: Array<[string, number]> = [
  ['1 minute', 60e3],
  ['5 minutes', 300e3],
  ['15 minutes', 900e3],
  ['1 hour', 3600e3],
  ['6 hours', 6 * 3600e3],
  ['1 day', 86400e3],
  ['1 week', 7 * 86400e3],
  ['30 days', 30 * 86400e3],
]

/**
 * The start (epoch microseconds) of the bucket `ms` wide that holds the time `col`: where
 * time_bucket starts it (from 2000-01-03 UTC, its origin for widths of days and less), on whole
 * microseconds. time_bucket by the day goes through the calendar: 43 CPU seconds over 5M events.
 */
export const bucketStart = (col: string, ms: number): string => {
  const us = Math.round(ms * 1000)
  return `(epoch_us(${col}) - ((epoch_us(${col}) - 946857600000000) % ${us} + ${us}) % ${us})`
}

/** A bucket's start as the chart names it. */
const bucketLabel = (start: string): string => `strftime(make_timestamptz(${start}), '%Y-%m-%dT%H:%M:%SZ')`

/**
 * Events over time for the chart, the bucket the smallest that draws the window in at most about
 * 120 bars: every event by source (severity `all`), and the CloudTrail events in findings by the
 * severity of their most severe finding. Custody rows (coroner's own work) have their own section.
 * Events are counted by bucket start, and only the buckets are named.
 */
export async function timelineHistogram(db: AnalysisDb, hasFindings: boolean, window: {from: string | null; to: string | null}): Promise<{bucket: string; rows: Row[]}> {
  const span = window.from === null || window.to === null ? 0 : Date.parse(window.to) - Date.parse(window.from)
  const [label, ms] = BUCKETS.find(([, width]) => span / width <= 120) ?? BUCKETS.at(-1)!
  const all = (await db.all(`SELECT ${bucketLabel('b')} AS bucket, source, 'all' AS severity, count
      FROM (SELECT ${bucketStart('time', ms)} AS b, source, count(*) AS count FROM timeline WHERE time IS NOT NULL AND source <> 'custody' GROUP BY ALL)
      ORDER BY bucket, source`)).rows
  const flagged = hasFindings
    ? (await db.all(`WITH fe AS (SELECT event_id, max(severity_rank) AS rank FROM (SELECT unnest(event_ids) AS event_id, severity_rank FROM findings) GROUP BY event_id)
        SELECT ${bucketLabel('b')} AS bucket, 'cloudtrail' AS source, severity, count
        FROM (SELECT ${bucketStart('r.event_time', ms)} AS b, CASE fe.rank WHEN 4 THEN 'critical' WHEN 3 THEN 'high' WHEN 2 THEN 'medium' WHEN 1 THEN 'low' ELSE 'info' END AS severity, count(*) AS count
          FROM fe JOIN cloudtrail_records r USING (event_id) WHERE r.event_time IS NOT NULL GROUP BY ALL)
        ORDER BY bucket, severity`)).rows
    : []
  return {bucket: label, rows: [...all, ...flagged]}
}
