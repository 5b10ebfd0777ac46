import {existsSync} from 'node:fs'
import {BOOLEAN, DOUBLE, BIGINT, StatementType, TIMESTAMPTZ, VARCHAR, timestampTZValue, type DuckDBType, type DuckDBValue} from '@duckdb/node-api'
import {CoronerError, isInterruption, usageError} from '../core/errors.js'
import {AnalysisDb, type ParamTypes, type Params, type ReadResult, type Row, type RowChunk} from './db.js'
import {convertParameter, usedParameters, type NamedQuery, type QueryParameter} from './queries.js'

export interface QueryResult {
  /** The query's id, or `sql` for an ad-hoc statement. */
  query: string
  title?: string
  severity?: string
  parameters: Record<string, string | number | boolean | null>
  columns: string[]
  rows: Row[]
}

/** Splits `--param k=v` values into a map; a value may itself contain `=`. */
export function parseParamArgs(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const a of args) {
    const eq = a.indexOf('=')
    if (eq <= 0) throw usageError('invalid-param', `--param ${JSON.stringify(a)} is not name=value.`, 'Write --param name=value, e.g. --param since=2026-11-01T00:00:00Z.')
    out[a.slice(0, eq)] = a.slice(eq + 1)
  }
  return out
}

const describeParameters = (q: NamedQuery): string =>
  q.parameters.length === 0 ? 'it takes no parameters' : `its parameters are ${q.parameters.map((p) => `${p.name}:${p.type}${p.default === undefined ? ' (required)' : `=${p.default ?? ''}`}`).join(', ')}`

const DUCK_TYPES: Record<QueryParameter['type'], DuckDBType> = {string: VARCHAR, integer: BIGINT, number: DOUBLE, boolean: BOOLEAN, timestamp: TIMESTAMPTZ}

/**
 * Turns `--param` text into bound values of the declared types, with the defaults filled in.
 * Unknown names, missing required ones and values of the wrong type are usage errors naming the
 * query's parameters.
 */
export function bindQueryParameters(
  query: NamedQuery,
  given: Record<string, string>,
): {values: Record<string, DuckDBValue>; types: Record<string, DuckDBType>; shown: QueryResult['parameters']} {
  for (const name of Object.keys(given)) {
    if (!query.parameters.some((p) => p.name === name)) {
      throw usageError('unknown-param', `Query ${query.id} has no parameter "${name}": ${describeParameters(query)}.`, `See \`coroner query list\`.`)
    }
  }
  const values: Record<string, DuckDBValue> = {}
  const types: Record<string, DuckDBType> = {}
  const shown: QueryResult['parameters'] = {}
  for (const p of query.parameters) {
    const text = given[p.name] ?? p.default
    if (text === undefined) throw usageError('missing-param', `Query ${query.id} needs --param ${p.name}=…: ${describeParameters(query)}.`)
    types[p.name] = DUCK_TYPES[p.type]
    if (text === null) {
      values[p.name] = null
      shown[p.name] = null
      continue
    }
    let v: string | number | boolean | Date
    try {
      v = convertParameter(p, text)
    } catch (error) {
      throw usageError('invalid-param', `Query ${query.id}: ${(error as Error).message}; ${describeParameters(query)}.`)
    }
    values[p.name] = v instanceof Date ? timestampTZValue(BigInt(v.getTime()) * 1000n) : p.type === 'integer' ? BigInt(v as number) : v
    shown[p.name] = v instanceof Date ? v.toISOString() : v
  }
  return {values, types, shown}
}

/** Opens a case database for reading only, with no access to files beyond it; `signal` stops its statements (OpenOptions). */
export async function openForQuery(dbPath: string, signal?: AbortSignal): Promise<AnalysisDb> {
  if (!existsSync(dbPath)) {
    throw new CoronerError('no-case-db', `There is no case database at ${dbPath}.`, {hint: 'Run `coroner load --case X` first (or pass --db).'})
  }
  return AnalysisDb.open(dbPath, {readOnly: true, ...(signal === undefined ? {} : {signal})})
}

/** A query's description and columns, and its rows a chunk at a time as DuckDB gives them. */
export interface QueryStream {
  head: Omit<QueryResult, 'rows'>
  chunks: AsyncGenerator<RowChunk>
}

/** Every row of a stream, in order. */
export async function collectRows(stream: QueryStream): Promise<QueryResult> {
  const rows: Row[] = []
  for await (const chunk of stream.chunks) for (const r of chunk.rows()) rows.push(r)
  return {...stream.head, rows}
}

/** A stream whose errors, at the start or past any chunk, are `wrap`ped into coroner's (an interruption stays what it is). */
async function openMapped(db: AnalysisDb, sql: string, values: Params, types: ParamTypes, wrapError: (error: unknown) => CoronerError): Promise<{columns: string[]; chunks: AsyncGenerator<RowChunk>}> {
  const wrap = unlessInterrupted(wrapError)
  let opened
  try {
    opened = await db.openStream(sql, values, types)
  } catch (error) {
    throw wrap(error)
  }
  const inner = opened.chunks
  async function* chunks(): AsyncGenerator<RowChunk> {
    try {
      yield* inner
    } catch (error) {
      throw wrap(error)
    }
  }
  return {columns: opened.columns, chunks: chunks()}
}

/** A named query must cite its evidence: a result without evidence_key and evidence_sha256 columns is an invalid query. */
function assertCitesEvidence(query: NamedQuery, columns: readonly string[]): void {
  for (const c of ['evidence_key', 'evidence_sha256']) {
    if (!columns.includes(c)) {
      throw new CoronerError('invalid-query', `Query ${query.id} (${query.file}) returns no ${c} column: every row must cite its evidence.`, {})
    }
  }
}

/** `wrap`, except for an interruption, which is reported as itself and not as the statement's failure. */
const unlessInterrupted = (wrap: (error: unknown) => CoronerError) => (error: unknown): CoronerError => (isInterruption(error) ? error : wrap(error))

const queryFailed = (query: NamedQuery) => (error: unknown): CoronerError =>
  new CoronerError('invalid-query', `Query ${query.id} (${query.file}) failed: ${(error as Error).message}`, {cause: error})

/** Runs a named query with its parameters bound (never spliced into the SQL) and returns its rows. */
export async function runNamedQuery(db: AnalysisDb, query: NamedQuery, given: Record<string, string> = {}): Promise<QueryResult> {
  return collectRows(await streamNamedQuery(db, query, given))
}

/** A named query's rows as a stream: memory stays flat however many rows it returns. */
export async function streamNamedQuery(db: AnalysisDb, query: NamedQuery, given: Record<string, string> = {}): Promise<QueryStream> {
  const {values, types, shown} = bindQueryParameters(query, given)
  const {columns, chunks} = await openMapped(db, query.sql, values, types, queryFailed(query))
  assertCitesEvidence(query, columns)
  return {head: {query: query.id, title: query.title, severity: query.severity, parameters: shown, columns}, chunks}
}

/** runNamedQuery's result as DuckDB returned it, for a caller that reads only some of its rows. */
export async function readNamedQuery(db: AnalysisDb, query: NamedQuery, given: Record<string, string> = {}): Promise<{result: ReadResult; shown: QueryResult['parameters']}> {
  const {values, types, shown} = bindQueryParameters(query, given)
  let result
  try {
    result = await db.readQuery(query.sql, values, types)
  } catch (error) {
    throw unlessInterrupted(queryFailed(query))(error)
  }
  assertCitesEvidence(query, result.columns)
  return {result, shown}
}

/** Runs an ad-hoc statement; `--param` values are bound as text (`$name`), cast in SQL when needed. */
export async function runSql(db: AnalysisDb, sql: string, given: Record<string, string> = {}): Promise<QueryResult> {
  return collectRows(await streamSql(db, sql, given))
}

/** An ad-hoc statement's rows as a stream. */
export async function streamSql(db: AnalysisDb, sql: string, given: Record<string, string> = {}): Promise<QueryStream> {
  const used = new Set(usedParameters(sql).map((u) => u.name))
  for (const name of Object.keys(given)) {
    if (!used.has(name)) throw usageError('unknown-param', `The SQL does not use $${name}; it uses ${used.size === 0 ? 'no parameters' : [...used].map((u) => `$${u}`).join(', ')}.`)
  }
  for (const name of used) {
    if (!(name in given)) throw usageError('missing-param', `The SQL uses $${name}: pass --param ${name}=…`)
  }
  await assertOneReadStatement(db, sql)
  const types = Object.fromEntries(Object.keys(given).map((k) => [k, VARCHAR]))
  const {columns, chunks} = await openMapped(db, sql, given, types, (error) => new CoronerError('sql-error', `DuckDB rejected the SQL: ${(error as Error).message}`, {cause: error}))
  return {head: {query: 'sql', parameters: given, columns}, chunks}
}

/** What `--sql` may run: queries (SELECT, FROM, WITH, VALUES, DESCRIBE, SHOW, SUMMARIZE, PRAGMA table functions), EXPLAIN and CALL. */
const READ_STATEMENTS: ReadonlySet<StatementType> = new Set([StatementType.SELECT, StatementType.EXPLAIN, StatementType.CALL])

/**
 * Refuses anything but one reading statement: several statements (only the last one's rows would
 * be shown), and statements that change the session even on a read-only database (temporary
 * tables, SET VARIABLE, PRAGMA enable_profiling, which prints to stdout and breaks --json).
 */
async function assertOneReadStatement(db: AnalysisDb, sql: string): Promise<void> {
  let type: StatementType
  try {
    const statements = await db.connection.extractStatements(sql)
    if (statements.count !== 1) {
      throw usageError('sql-statements', `--sql runs one statement; this SQL holds ${statements.count}.`, 'Pass a single SELECT (no ";" between statements).')
    }
    const prepared = await statements.prepare(0)
    type = prepared.statementType
    prepared.destroySync()
  } catch (error) {
    if (error instanceof CoronerError) throw error
    throw new CoronerError('sql-error', `DuckDB rejected the SQL: ${(error as Error).message}`, {cause: error})
  }
  if (!READ_STATEMENTS.has(type)) {
    throw usageError('sql-not-a-query', `--sql runs queries only; this is a ${StatementType[type] ?? String(type)} statement.`, 'Use SELECT (or FROM, WITH, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, CALL) over the case tables.')
  }
}
