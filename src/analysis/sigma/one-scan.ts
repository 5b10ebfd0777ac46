import type {DuckDBConnection, DuckDBResultReader} from '@duckdb/node-api'
import {STORED_FIELDS} from '../sql/cloudtrail.js'
import {compileRule, jsonPath} from './compile.js'
import type {CompiledRule, SqlParam} from './rule.js'
import {param, raw, sql, type Fragment} from './sql.js'

/** Where the loader keeps each event: the record and its typed columns (sql/cloudtrail.ts). */
export const RECORDS_TABLE = 'cloudtrail_records'

/** One rule's share of a scan: how many events it matched, and at most `limit` of them, each principal's in turn. */
export interface ScanOutcome {
  counts: number[]
  /** Rows of the listed hits: `rule` (index into the rules), the event's summary columns. */
  rows: Array<Record<string, unknown>>
}

/** The typed columns of a case database, by the JSON path each stores (older databases hold fewer). */
export interface StoredColumns {
  byPath: Map<string, string>
  /** Whether `nested_arrays` says where an array stands on the way to a nested stored field. */
  nestedArrays: boolean
  /** The stored columns a hit's summary reads instead of the record. */
  summary: Set<string>
}

export async function storedColumns(connection: DuckDBConnection): Promise<StoredColumns> {
  const reader = await connection.runAndReadAll(`SELECT column_name FROM information_schema.columns WHERE table_name = ? AND table_schema = 'main'`, [RECORDS_TABLE])
  const present = new Set(reader.getRows().map((r) => String(r[0])))
  // Rules are decided per distinct combination of the few-valued columns; an id or an address would
  // make nearly every event a kind of its own, so rules read those from the record.
  const byPath = new Map(STORED_FIELDS.filter((f) => present.has(f.column) && f.few).map((f) => [jsonPath(f.path), f.column]))
  const summary = new Set(['source_ip', 'principal_id', 'invoked_by'].filter((c) => present.has(c)))
  return {byPath, nestedArrays: present.has('nested_arrays'), summary}
}

/**
 * Every rule in one pass over the events, reading the typed columns stored at load time. Each rule
 * is first compiled three-valued over the stored columns alone (compile.ts `undecided`): on nearly
 * every event that settles it, true or false, without reading the JSON record; only the events it
 * leaves undecided (NULL) are read again, by row id from the vectors holding them, and the rule
 * evaluated in full over them. The lower-cased value of a stored column that rules compare
 * case-insensitively is computed once per event for all rules. Counting and keeping at most
 * `limit` hits of each rule (each principal's in turn) happen in DuckDB, and the summary of a hit
 * is read from its record only for the hits listed.
 */
export async function scanRules(connection: DuckDBConnection, rules: readonly CompiledRule[], limit: number, stored: StoredColumns): Promise<ScanOutcome> {
  const columns = stored.byPath
  const decide = new RuleReader(columns, stored.nestedArrays)
  const settled = rules.map((c) => compileRule(c.rule, decide.options(true)))
  const full = new RuleReader(columns, stored.nestedArrays)
  const reread = settled.map((t, i) => (t.undecidable ? compileRule(rules[i]!.rule, full.options(false)) : undefined))
  // In a CASE the conditions are evaluated as filters: a conjunction stops at its first false test.
  const codes = settled.map((t, i) => (t.undecidable ? `CASE WHEN ${t.sql} THEN ${i} WHEN NOT ${t.sql} THEN NULL ELSE ${-i - 1} END` : `CASE WHEN ${t.sql} THEN ${i} END`))
  const again = reread.flatMap((f, i) => (f === undefined ? [] : [{sql: `CASE WHEN list_contains(c.rules, ${i}) AND ${f.sql} THEN ${i} END`, params: f.params}]))
  const params: SqlParam[] = [...settled.flatMap((t) => (t.undecidable ? [...t.params, ...t.params] : t.params)), ...again.flatMap((a) => a.params)]
  // A field from a stored column where the rows at hand have it, else from the record. The rows
  // re-read (`e`) hold the stored columns the rules read, and the record.
  const fieldOf = (alias: string, has: (column: string, path: string) => boolean) => (column: string, path: string): string =>
    has(column, path) ? `${alias}.${column}` : `json_extract_string(${alias}.raw, '${path}')`
  const principalOf = (read: (column: string, path: string) => string): string =>
    `coalesce(${read('principal_arn', '$.userIdentity.arn')}, ${read('principal_id', '$.userIdentity.principalId')}, ${read('invoked_by', '$.userIdentity.invokedBy')}, ${read('principal_type', '$.userIdentity.type')})`
  const read = fieldOf('r', (column, path) => columns.has(path) || stored.summary.has(column))
  const principal = principalOf(read)
  const rereadPrincipal = principalOf(fieldOf('e', (_, path) => columns.has(path)))
  // A hit's texts, in the order of HIT_TEXTS.
  const texts = ['r.event_id', 'r.artifact_key', 'a.sha256', read('event_name_raw', '$.eventName'), read('event_source', '$.eventSource'), principal, read('source_ip', '$.sourceIPAddress')]
  // A listed hit's summary reads its record only for what no stored column holds.
  const summaryColumns = ['event_id', 'event_time', 'artifact_key', ...columns.values(), ...stored.summary, ...(texts.some((t) => t.includes('r.raw')) ? ['raw'] : [])]
  const kinds = [...columns.values(), ...(stored.nestedArrays ? ['nested_arrays'] : [])]
  const keep = Math.max(1, Math.trunc(limit))
  // `within` narrows the re-read to the vectors holding undecided events (rereadFilter).
  const query = (within: string): string => `WITH kinds AS (SELECT DISTINCT ${kinds.join(', ')} FROM temp.${KINDS_TABLE}),
    verdicts AS (
      SELECT ${kinds.map((c) => `e.${c}`).join(', ')}, unnest(list_filter([${codes.join(', ')}], x -> x IS NOT NULL)) AS code
      FROM (${decide.kinds('kinds')}) e),
    decided AS (
      SELECT r.rowid AS rid, r.event_time, hash(r.event_id) AS h, hash(${principal}) AS p, v.code FROM ${RECORDS_TABLE} r
      JOIN verdicts v ON ${kinds.map((c) => `r.${c} IS NOT DISTINCT FROM v.${c}`).join(' AND ')}),
    undecided AS (SELECT rid, list(-code - 1) AS rules FROM decided WHERE code < 0 GROUP BY rid),
    reread AS (
      SELECT e.rid, e.event_time, hash(e.event_id) AS h, hash(${rereadPrincipal}) AS p, unnest(list_filter([${again.length === 0 ? 'NULL' : again.map((a) => a.sql).join(', ')}], x -> x IS NOT NULL)) AS rule
      FROM (${full.events(`WHERE ${within}rowid IN (SELECT rid FROM undecided)`)}) e JOIN undecided c ON c.rid = e.rid),
    matched AS (
      SELECT rid, event_time, h, p, code AS rule FROM decided WHERE code >= 0
      UNION ALL
      SELECT rid, event_time, h, p, rule FROM reread),
    counted AS (SELECT rule, rid, event_time, h, p, count(*) OVER (PARTITION BY rule) AS n FROM matched),
    -- A rule over the limit keeps each principal's hits in turn (every principal's first by time,
    -- then every principal's second, …): one call beside a background of thousands stays listed.
    -- Principals and same-time events are ordered by hash (h, p), cheaper to sort than their text.
    turns AS (SELECT rule, rid, n, event_time, h, row_number() OVER (PARTITION BY rule, p ORDER BY event_time, h, rid) AS turn FROM counted WHERE n > ${keep}),
    -- The turns every principal's rows fill whole within the limit, then the next turn in time order.
    filled AS (SELECT rule, turn, sum(count(*)) OVER (PARTITION BY rule ORDER BY turn) AS upto FROM turns GROUP BY rule, turn),
    whole AS (SELECT rule, coalesce(max(turn) FILTER (WHERE upto <= ${keep}), 0) AS turns, coalesce(max(upto) FILTER (WHERE upto <= ${keep}), 0) AS rows FROM filled GROUP BY rule),
    listed AS (
      SELECT rule, rid, n FROM counted WHERE n <= ${keep}
      UNION ALL
      SELECT t.rule, t.rid, t.n FROM turns t JOIN whole w ON w.rule = t.rule WHERE t.turn <= w.turns
      UNION ALL
      SELECT t.rule, t.rid, t.n FROM turns t JOIN whole w ON w.rule = t.rule WHERE t.turn = w.turns + 1
      QUALIFY row_number() OVER (PARTITION BY t.rule ORDER BY t.event_time, t.h, t.rid) <= ${keep} - w.rows)
    SELECT l.rule, l.n, epoch_ms(r.event_time) AS event_ms, CAST(to_json([${texts.map((t) => `CAST(${t} AS VARCHAR)`).join(', ')}]) AS VARCHAR) AS texts
    FROM listed l
    JOIN (SELECT rowid AS rid, ${summaryColumns.join(', ')} FROM ${RECORDS_TABLE} WHERE rowid IN (SELECT rid FROM listed)) r ON r.rid = l.rid
    LEFT JOIN artifacts a ON a.key = r.artifact_key
    ORDER BY l.rule, r.event_time, r.event_id, l.rid`
  // The distinct combinations in each vector, read once: the re-read's vectors come from them, then the verdicts.
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${KINDS_TABLE} AS SELECT DISTINCT ${kinds.join(', ')}, rowid // ${VECTOR} AS vector FROM ${RECORDS_TABLE}`)
  let rows: Array<Record<string, unknown>>
  try {
    const within = again.length === 0 ? '' : await rereadFilter(connection, decide, settled)
    rows = hitRows(await connection.runAndReadAll(query(within), params))
  } finally {
    await connection.run(`DROP TABLE IF EXISTS temp.${KINDS_TABLE}`)
  }
  const counts = rules.map(() => 0)
  for (const row of rows) counts[Number(row.rule)] = Number(row.n)
  return {counts, rows}
}

/** The texts of a listed hit, as the scan writes them into one JSON array a row. */
const HIT_TEXTS = ['event_id', 'artifact_key', 'artifact_sha256', 'event_name', 'event_source', 'principal', 'source_ip'] as const

/**
 * The listed hits as rows. Each hit's texts come as one JSON array, parsed by JSON.parse: handing
 * JavaScript each string out of DuckDB is a native call of a microsecond or two, seven a hit.
 */
function hitRows(reader: DuckDBResultReader): Array<Record<string, unknown>> {
  const [rule, n, ms, packed] = reader.getColumns()
  return (packed ?? []).map((t, i) => {
    const row: Record<string, unknown> = {rule: rule![i], n: n![i], event_ms: ms![i]}
    const values = JSON.parse(String(t)) as Array<string | null>
    HIT_TEXTS.forEach((name, k) => (row[name] = values[k]))
    return row
  })
}

/** The distinct combinations of stored columns in each vector of the records, for the length of one scan. */
const KINDS_TABLE = 'sigma_scan_kinds'

/** Rows a scan reads together: one event's record is decompressed with the rest of its vector. */
const VECTOR = 2048

/** Beyond this many ranges of row ids the re-read is left to its join alone (a filter that long would cost more to plan than it saves). */
const MAX_RANGES = 1000

/**
 * A filter on row ids (`… AND `, or nothing) that lets the re-read skip the vectors without an
 * undecided event. The join to the undecided events alone narrows the scan only to the span from the
 * first to the last of them, which is nearly the whole table, and reading a record decompresses its
 * whole vector; ranges of row ids written into the query are applied to the scan itself. The
 * vectors are found from the distinct combinations of stored columns in each (KINDS_TABLE).
 */
async function rereadFilter(connection: DuckDBConnection, decide: RuleReader, settled: ReadonlyArray<{sql: string; params: SqlParam[]; undecidable: boolean}>): Promise<string> {
  const open = settled.filter((t) => t.undecidable)
  const query = `SELECT DISTINCT vector FROM (${decide.kinds(`temp.${KINDS_TABLE}`)}) e WHERE ${open.map((t) => `(${t.sql}) IS NULL`).join(' OR ')} ORDER BY vector`
  const reader = await connection.runAndReadAll(query, open.flatMap((t) => t.params))
  const ranges = vectorRanges(reader.getColumns()[0]?.map(Number) ?? [])
  if (ranges.length > MAX_RANGES) return ''
  const filter = ranges.map(([from, to]) => `rowid BETWEEN ${from * VECTOR} AND ${(to + 1) * VECTOR - 1}`)
  return `(${filter.length === 0 ? 'false' : filter.join(' OR ')}) AND `
}

/** Sorted vector numbers as runs of consecutive vectors: [0, 1, 2, 5] → [[0, 2], [5, 5]]. */
function vectorRanges(vectors: readonly number[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = []
  for (const v of vectors) {
    const last = ranges.at(-1)
    if (last !== undefined && v === last[1] + 1) last[1] = v
    else ranges.push([v, v])
  }
  return ranges
}

/**
 * How compiled rules read an event: stored columns by name, other fields from the JSON record, and
 * the lower-cased stored columns the rules ask for, each computed once per event by `events`.
 */
class RuleReader {
  private readonly byColumn: Map<string, string>
  private readonly lowered = new Set<string>()
  private json = false

  constructor(
    private readonly columns: Map<string, string>,
    private readonly nestedArrays: boolean,
  ) {
    this.byColumn = new Map([...columns.values()].map((c) => [`e.${c}`, c]))
  }

  options(undecided: boolean) {
    return {
      undecided,
      arrayMayHide: (path: string, value: Fragment): Fragment => (this.nestedArrays ? sql`(e.nested_arrays OR left(${value}, 1) = '[')` : arrayMayHide(this.columns, path, value)),
      field: (path: string): Fragment => {
        const column = this.columns.get(path)
        if (column !== undefined) return raw(`e.${column}`)
        this.json = true
        return sql`json_extract_string(e.raw, ${param(path)})`
      },
      stored: (path: string): boolean => this.columns.has(path),
      lowered: (value: Fragment): Fragment | undefined => {
        const column = this.byColumn.get(value.sql)
        if (column === undefined) return undefined
        this.lowered.add(column)
        return raw(`e.l_${column}`)
      },
    }
  }

  /** The distinct combinations of stored columns (`from`), with the lower-cased ones the rules read. */
  kinds(from: string): string {
    const lowered = [...this.lowered].map((c) => `, lower(${c}) AS l_${c}`).join('')
    return `SELECT *${lowered} FROM ${from}`
  }

  /** The events (`where` narrows them) with what the rules read; the record only when a rule reads it. */
  events(where: string): string {
    const lowered = [...this.lowered].map((c) => `, lower(${c}) AS l_${c}`).join('')
    const nested = this.nestedArrays ? ', nested_arrays' : ''
    return `SELECT rowid AS rid, event_time, event_id${this.json || where !== '' ? ', raw' : ''}, ${[...this.columns.values()].join(', ')}${nested}${lowered} FROM ${RECORDS_TABLE} ${where}`
  }
}

/**
 * For a database without `nested_arrays`: where an array may hide a match of a nested stored field
 * (`a.b`): its text starts with `[`, or it is missing while every other stored field under `a` is
 * missing too (`a` may be an array); a missing field under an object `a` hides nothing. Deeper
 * paths: whenever the text is missing.
 */
function arrayMayHide(columns: Map<string, string>, path: string, value: Fragment): Fragment {
  const steps = path.slice(2).split('.')
  const siblings = steps.length === 2 ? [...columns].filter(([p, c]) => p !== path && p.startsWith(`$.${steps[0]}.`) && c !== undefined).map(([, c]) => `e.${c} IS NULL`) : []
  return sql`(left(${value}, 1) = '[' OR (${value} IS NULL${raw(siblings.map((s) => ` AND ${s}`).join(''))}))`
}
