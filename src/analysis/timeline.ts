import {BIGINT, TIMESTAMPTZ, VARCHAR, timestampTZValue, type DuckDBValue} from '@duckdb/node-api'
import {usageError} from '../core/errors.js'
import type {AnalysisDb, Row} from './db.js'
import {convertParameter} from './queries.js'

export interface TimelineFilter {
  since?: string
  until?: string
  /** Substring of the actor (principal ARN, function name, custody user), case-insensitive. */
  actor?: string
  /** Substring of the target, case-insensitive. */
  target?: string
  /** Only these sources: cloudtrail, logs, lambda, containment, custody. */
  sources?: string[]
  limit?: number
}

export const TIMELINE_SOURCES = ['cloudtrail', 'logs', 'lambda', 'containment', 'custody'] as const

export const TIMELINE_COLUMNS = ['time', 'source', 'actor', 'action', 'target', 'source_ip', 'detail', 'evidence_key', 'evidence_sha256'] as const

/**
 * The case timeline (the `timeline` view) filtered and in time order, every filter bound as a
 * parameter. Rows without a time (records whose time could not be read) come last.
 */
export async function readTimeline(db: AnalysisDb, filter: TimelineFilter = {}): Promise<{columns: string[]; rows: Row[]}> {
  const time = (name: 'since' | 'until'): DuckDBValue => {
    const text = filter[name]
    if (text === undefined) return null
    try {
      return timestampTZValue(BigInt((convertParameter({name, type: 'timestamp'}, text) as Date).getTime()) * 1000n)
    } catch (error) {
      throw usageError('invalid-flag', `--${name}: ${(error as Error).message}`)
    }
  }
  const sources = filter.sources ?? []
  for (const s of sources) {
    if (!(TIMELINE_SOURCES as readonly string[]).includes(s)) throw usageError('invalid-flag', `--source ${s} is not one of ${TIMELINE_SOURCES.join(', ')}.`)
  }
  if (filter.limit !== undefined && (!Number.isInteger(filter.limit) || filter.limit < 1)) throw usageError('invalid-flag', '--limit must be a positive integer.')
  const sql = `SELECT ${TIMELINE_COLUMNS.join(', ')} FROM timeline
    WHERE ($since IS NULL OR time >= $since) AND ($until IS NULL OR time < $until)
      AND ($actor IS NULL OR contains(lower(actor), lower($actor)))
      AND ($target IS NULL OR contains(lower(target), lower($target)))
      AND ($sources = '' OR list_contains(string_split($sources, ','), source))
    ORDER BY time NULLS LAST, source, evidence_key, action, target, detail
    LIMIT $limit`
  return db.all(
    sql,
    {
      since: time('since'),
      until: time('until'),
      actor: filter.actor ?? null,
      target: filter.target ?? null,
      sources: sources.join(','),
      limit: BigInt(filter.limit ?? 1_000_000_000),
    },
    {since: TIMESTAMPTZ, until: TIMESTAMPTZ, actor: VARCHAR, target: VARCHAR, sources: VARCHAR, limit: BIGINT},
  )
}
