import {BIGINT, TIMESTAMPTZ, VARCHAR, timestampTZValue, type DuckDBType, type DuckDBValue} from '@duckdb/node-api'
import {CoronerError, usageError} from '../core/errors.js'
import {invalidTimeMessage, readTimeSpec} from '../core/time.js'
import type {AnalysisDb, Row, RowChunk} from './db.js'

export interface TimelineFilter {
  /** From this time, inclusive: ISO 8601, a duration before `now`, or `now` (core/time.ts). */
  since?: string
  /** Up to this time, exclusive. */
  until?: string
  /** Substring of the actor (principal ARN, function name, custody user), case-insensitive. */
  actor?: string
  /** Substring of the target, case-insensitive. */
  target?: string
  /** Only these sources: cloudtrail, logs, lambda, iam, containment, custody. */
  sources?: string[]
  /**
   * At most this many rows: the oldest half and the newest half of those matching, so a limited
   * view still shows how the incident began and where it stands. Default: every row.
   */
  limit?: number
}

export const TIMELINE_SOURCES = ['cloudtrail', 'logs', 'lambda', 'iam', 'containment', 'custody'] as const

export const TIMELINE_COLUMNS = ['time', 'source', 'actor', 'action', 'target', 'source_ip', 'detail', 'evidence_key', 'evidence_sha256'] as const

/** The rows a limit left out: how many, and the times of the rows either side of the gap. */
export interface TimelineGap {
  /** Rows shown before the gap. */
  after: number
  count: number
  from: string | null
  to: string | null
}

export interface TimelinePage {
  columns: string[]
  rows: Row[]
  /** Rows matching the filter, shown or not. */
  total: number
  truncated: boolean
  omitted: TimelineGap | null
}

/** The timeline's order, to the event: the command's and the report's, so the same case always lists its rows the same way. */
export const TIMELINE_ORDER = ['time NULLS LAST', 'source', 'evidence_key', 'event_id', 'action', 'target', 'detail'] as const

const ORDER = TIMELINE_ORDER.join(', ')

/** The filter as bound parameters, checked: a wrong time, source or limit is a usage error. */
function bound(filter: TimelineFilter, now: Date): {where: string; params: Record<string, DuckDBValue>; types: Record<string, DuckDBType>} {
  const time = (name: 'since' | 'until'): DuckDBValue => {
    const text = filter[name]
    if (text === undefined) return null
    const d = readTimeSpec(text, now)
    if (d === undefined) throw usageError('invalid-time', invalidTimeMessage(`--${name}`, text), 'e.g. --since 2026-11-20T08:00:00Z, --since 24h, --until now.')
    return timestampTZValue(BigInt(d.getTime()) * 1000n)
  }
  const sources = filter.sources ?? []
  for (const s of sources) {
    if (!(TIMELINE_SOURCES as readonly string[]).includes(s)) throw usageError('invalid-flag', `--source ${s} is not one of ${TIMELINE_SOURCES.join(', ')}.`)
  }
  if (filter.limit !== undefined && (!Number.isInteger(filter.limit) || filter.limit < 1)) throw usageError('invalid-flag', '--limit must be a positive integer.')
  return {
    where: `($since IS NULL OR time >= $since) AND ($until IS NULL OR time < $until)
        AND ($actor IS NULL OR contains(lower(actor), lower($actor)))
        AND ($target IS NULL OR contains(lower(target), lower($target)))
        AND ($sources = '' OR list_contains(string_split($sources, ','), source))`,
    params: {since: time('since'), until: time('until'), actor: filter.actor ?? null, target: filter.target ?? null, sources: sources.join(',')},
    types: {since: TIMESTAMPTZ, until: TIMESTAMPTZ, actor: VARCHAR, target: VARCHAR, sources: VARCHAR},
  }
}

/**
 * The case timeline (the `timeline` view) filtered and in time order, every filter bound as a
 * parameter. Rows without a time (records whose time could not be read) come last. With a limit,
 * the oldest and the newest rows are kept and the gap between them is described.
 */
export async function readTimeline(db: AnalysisDb, filter: TimelineFilter = {}, now: Date = new Date()): Promise<TimelinePage> {
  const {where, params, types} = bound(filter, now)
  const head = filter.limit === undefined ? null : Math.ceil(filter.limit / 2)
  const tail = filter.limit === undefined ? null : Math.floor(filter.limit / 2)
  const sql = `WITH matched AS (
      SELECT ${TIMELINE_COLUMNS.join(', ')}, row_number() OVER (ORDER BY ${ORDER}) AS row_n, count(*) OVER () AS row_total FROM timeline
      WHERE ${where}
    )
    SELECT * FROM matched WHERE $head IS NULL OR row_n <= $head OR row_n > row_total - $tail ORDER BY row_n`
  const result = await db.all(sql, {...params, head: head === null ? null : BigInt(head), tail: tail === null ? null : BigInt(tail)}, {...types, head: BIGINT, tail: BIGINT})
  const total = Number(result.rows[0]?.row_total ?? 0)
  const rows = result.rows.map(({row_n: _n, row_total: _t, ...row}) => row)
  const before = head === null ? rows.length : Math.min(head, rows.length)
  const omitted = rows.length < total ? {after: before, count: total - rows.length, from: timeOf(rows[before - 1]), to: timeOf(rows[before])} : null
  return {columns: [...TIMELINE_COLUMNS], rows, total, truncated: omitted !== null, omitted}
}

/**
 * Every row of the filtered timeline, in readTimeline's order, a chunk at a time: for a timeline
 * of millions of rows, never held whole. A limit is readTimeline's.
 */
export async function streamTimelineRows(db: AnalysisDb, filter: TimelineFilter = {}, now: Date = new Date()): Promise<{columns: string[]; chunks: AsyncGenerator<RowChunk>}> {
  if (filter.limit !== undefined) throw new CoronerError('internal', 'A limited timeline is read whole (readTimeline): it keeps the oldest and the newest rows.')
  const {where, params, types} = bound(filter, now)
  return db.openStream(`SELECT ${TIMELINE_COLUMNS.join(', ')} FROM timeline WHERE ${where} ORDER BY ${ORDER}`, params, types)
}

const timeOf = (row: Row | undefined): string | null => (typeof row?.time === 'string' ? row.time : null)
