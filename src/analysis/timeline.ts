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

/** The same order backwards, NULLs first: the newest rows first. */
const REVERSED = TIMELINE_ORDER.map((c) => `${c.replace(/ NULLS LAST$/, '')} DESC NULLS FIRST`).join(', ')

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
  const cols = TIMELINE_COLUMNS.join(', ')
  const total = Number((await db.all(`SELECT count(*) AS n FROM timeline WHERE ${where}`, params, types)).rows[0]?.n ?? 0)
  const limit = filter.limit
  if (limit === undefined || total <= limit) {
    const rows = (await db.all(`SELECT ${cols} FROM timeline WHERE ${where} ORDER BY ${ORDER}`, params, types)).rows
    return {columns: [...TIMELINE_COLUMNS], rows, total, truncated: false, omitted: null}
  }
  // The oldest and the newest rows, each a top-N of its own: a window over every row (numbering it, counting them all) took three times as long.
  const head = Math.ceil(limit / 2)
  const tail = Math.floor(limit / 2)
  const limited = {...params, n: BigInt(0)}
  const typed = {...types, n: BIGINT}
  const oldest = (await db.all(`SELECT ${cols} FROM timeline WHERE ${where} ORDER BY ${ORDER} LIMIT $n`, {...limited, n: BigInt(head)}, typed)).rows
  const newest = tail === 0 ? [] : (await db.all(`SELECT ${cols} FROM (SELECT ${cols}, event_id FROM timeline WHERE ${where} ORDER BY ${REVERSED} LIMIT $n) ORDER BY ${ORDER}`, {...limited, n: BigInt(tail)}, typed)).rows
  const rows = [...oldest, ...newest]
  return {columns: [...TIMELINE_COLUMNS], rows, total, truncated: true, omitted: {after: oldest.length, count: total - rows.length, from: timeOf(oldest.at(-1)), to: timeOf(newest[0])}}
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
