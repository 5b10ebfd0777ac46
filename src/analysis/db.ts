import {DuckDBInstance, DuckDBTypeId, JSDuckDBValueConverter, type DuckDBConnection, type DuckDBDataChunk, type DuckDBResult, type DuckDBType, type DuckDBValue} from '@duckdb/node-api'

/** A value as coroner hands it on: JSON-safe, timestamps as ISO 8601 strings in UTC. */
export type CellValue = string | number | boolean | null | CellValue[] | {[key: string]: CellValue}
export type Row = Record<string, CellValue>

export type Params = Record<string, DuckDBValue> | DuckDBValue[]

/** Some rows of a streamed result: how many, and (each time asked) their values. */
export interface RowChunk {
  count: number
  rows(): Row[]
}
export type ParamTypes = Record<string, DuckDBType | undefined> | DuckDBType[]

export interface OpenOptions {
  readOnly?: boolean
  threads?: number
  /** DuckDB's memory limit (e.g. `2GB`); default duckdbMemoryLimit(). */
  memoryLimit?: string
  /** Where DuckDB spills what does not fit in its memory limit; default `<database>.tmp`. */
  tempDirectory?: string
  /**
   * The only folders DuckDB may read or write files in beside the database itself (the evidence
   * a load reads, the folder an export writes); none by default.
   */
  allowedDirectories?: readonly string[]
  /** Statements track how far they are (DuckDB's progress bar, never printed), for `runTracked`. */
  queryProgress?: boolean
  /**
   * The work's stop (Ctrl-C): once aborted, the statement each connection is running is
   * interrupted and no new one starts, and each throws the signal's reason instead of DuckDB's
   * bare "Interrupted!".
   */
  signal?: AbortSignal
}

/** The connections of one database that an AbortSignal interrupts. */
class Interrupter {
  private readonly connections = new Set<DuckDBConnection>()
  private readonly onAbort = (): void => {
    for (const c of this.connections) c.interrupt()
  }

  constructor(private readonly signal: AbortSignal | undefined) {
    signal?.addEventListener('abort', this.onAbort, {once: true})
  }

  add(connection: DuckDBConnection): void {
    this.connections.add(connection)
  }

  remove(connection: DuckDBConnection): void {
    this.connections.delete(connection)
  }

  dispose(): void {
    this.signal?.removeEventListener('abort', this.onAbort)
    this.connections.clear()
  }

  /** Runs one statement's work: refused once aborted, and its error the signal's reason if it was stopped. */
  async run<R>(work: () => Promise<R>): Promise<R> {
    this.signal?.throwIfAborted()
    try {
      return await work()
    } catch (error) {
      throw this.reason(error)
    }
  }

  /** What a statement that ended with `error` is reported as: the signal's reason once aborted. */
  reason(error: unknown): unknown {
    return this.signal?.aborted ? this.signal.reason : error
  }
}

/**
 * DuckDB's memory limit for case databases: `$CORONER_DUCKDB_MEMORY`, else 1 GB. DuckDB's own
 * default (80% of the machine's memory) lets one load take a shared machine's memory, and fail
 * when the case is larger; with a limit it spills to its temporary directory instead, at about the
 * same speed for loading and hunting (measured in bench/).
 */
export function duckdbMemoryLimit(): string {
  const fromEnv = process.env.CORONER_DUCKDB_MEMORY
  return fromEnv === undefined || fromEnv.trim() === '' ? '1GB' : fromEnv.trim()
}

const UNITS: Record<string, number> = {bytes: 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40}

/** DuckDB's way of writing a size (`953.6 MiB`, `16 GB`, `512 bytes`) in bytes; undefined when it says otherwise. */
export function bytesOfSetting(text: string): number | undefined {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-z]+)\s*$/i.exec(text)
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined
  return m && unit !== undefined ? Number(m[1]) * unit : undefined
}

/** The oldest DuckDB storage format with ZSTD compression of text columns. */
const STORAGE_VERSION = 'v1.2.0'

/**
 * One DuckDB database file and a connection to it, with every session pinned to UTC so that times
 * read and written never depend on the machine's zone. The one way coroner opens DuckDB: external
 * access is always off (a crafted database's views cannot read local files or the network) but
 * for the folders named, and the configuration is locked so no statement can turn it back on.
 */
export class AnalysisDb {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    readonly path: string,
    private readonly stop: Interrupter,
    /** Whether closing this connection closes the database too (false for a sibling). */
    private readonly owner = true,
  ) {
    stop.add(connection)
  }

  static async open(path: string, options: OpenOptions = {}): Promise<AnalysisDb> {
    // A new database file is written in a storage format that can compress the CloudTrail
    // records with ZSTD (tables.ts): about a fifth of their size, so that a hunt's or a query's
    // reads of the records of a few events stay in DuckDB's buffer pool instead of reading the
    // whole column from disk again. Existing files keep the format they were written in.
    const config: Record<string, string> = {memory_limit: options.memoryLimit ?? duckdbMemoryLimit(), storage_compatibility_version: STORAGE_VERSION}
    if (options.readOnly) config.access_mode = 'READ_ONLY'
    if (options.threads !== undefined) config.threads = String(options.threads)
    if (options.tempDirectory !== undefined) config.temp_directory = options.tempDirectory
    const instance = await DuckDBInstance.create(path, config)
    const connection = await instance.connect()
    try {
      // GLOBAL: a sibling connection opened after the lock below starts in UTC too.
      await connection.run("SET GLOBAL TimeZone = 'UTC'")
      const allowed = (options.allowedDirectories ?? []).map((d) => (d.endsWith('/') ? d : `${d}/`))
      if (allowed.length > 0) await connection.run(`SET allowed_directories = [${allowed.map(sqlString).join(', ')}]`)
      if (options.queryProgress) {
        // Printing first off: DuckDB would otherwise draw its own bar on the terminal.
        await connection.run('SET enable_progress_bar_print = false')
        await connection.run('SET enable_progress_bar = true')
      }
      await connection.run('SET enable_external_access = false')
      await connection.run('SET lock_configuration = true')
    } catch (error) {
      connection.closeSync()
      instance.closeSync()
      throw error
    }
    return new AnalysisDb(instance, connection, path, new Interrupter(options.signal))
  }

  /**
   * Another connection to the same database, with the same settings, memory limit and buffer pool:
   * for work that runs beside this connection's (a statement at a time each). Close it before the
   * database.
   */
  async sibling(): Promise<AnalysisDb> {
    return new AnalysisDb(this.instance, await this.instance.connect(), this.path, this.stop, false)
  }

  async run(sql: string, params?: Params, types?: ParamTypes): Promise<void> {
    await this.stop.run(() => this.connection.run(sql, params, types))
  }

  /**
   * `run`, telling `onProgress` every `intervalMs` the rows DuckDB has processed of those it
   * expects to (its own estimate, the rows its scans read). Nothing is told unless the database
   * was opened with `queryProgress`.
   */
  async runTracked(sql: string, onProgress: (rows: number, total: number) => void, intervalMs = 200): Promise<void> {
    const timer = setInterval(() => {
      const p = this.connection.progress
      // Before DuckDB knows what it will read, it says 0 of 0: nothing to tell yet.
      if (p.percentage >= 0 && Number(p.total_rows_to_process) > 0) onProgress(Number(p.rows_processed), Number(p.total_rows_to_process))
    }, intervalMs)
    try {
      await this.stop.run(() => this.connection.run(sql))
    } finally {
      clearInterval(timer)
    }
  }

  /**
   * Runs `work` in one transaction: committed when it ends, rolled back when it throws, even when
   * the work was stopped (Ctrl-C refuses every other statement), so nothing of it is left half done.
   */
  async transaction<R>(work: () => Promise<R>): Promise<R> {
    await this.run('BEGIN TRANSACTION')
    try {
      const result = await work()
      await this.run('COMMIT')
      return result
    } catch (error) {
      // The work's error is the one to tell; a rollback that fails leaves the transaction to close().
      await this.connection.run('ROLLBACK').catch(() => {})
      throw error
    }
  }

  /** Runs a statement and returns its rows as plain values; parameters are bound, never spliced. */
  async all(sql: string, params?: Params, types?: ParamTypes): Promise<{columns: string[]; rows: Row[]}> {
    const result = await this.read(sql, params, types)
    return {columns: result.columns, rows: result.rows()}
  }

  /**
   * Runs a statement and holds its result as DuckDB returned it: values become JavaScript only
   * when asked for, a column or chosen rows at a time. Turning a value into JavaScript costs more
   * than most queries take to find it (a microsecond or two per string), so a caller that keeps
   * some rows of many reads only what it needs to choose them.
   */
  async read(sql: string, params?: Params, types?: ParamTypes): Promise<ReadResult> {
    return this.stop.run(async () => {
      const result = await this.connection.run(sql, params, types)
      return new ReadResult(result.deduplicatedColumnNames(), await chunksOf(result))
    })
  }

  /**
   * `read` for a query whose rows are read in numbers, with its text columns in one JSON array per
   * row: JavaScript parses that in a fraction of the time it takes to copy each string out of
   * DuckDB's memory (a native call a string). The other columns, and a statement whose shape cannot
   * be read first (not a query), come as `read` gives them. The rows keep the query's order: a
   * projection of one subquery preserves it.
   */
  async readQuery(sql: string, params?: Params, types?: ParamTypes): Promise<ReadResult> {
    const packed = await this.packed(sql, params, types)
    if (packed === undefined) return this.read(sql, params, types)
    return this.stop.run(async () => new ReadResult(packed.columns, await chunksOf(await this.connection.run(packed.sql, params, types)), packed.layout))
  }

  /**
   * The query with its text columns in one JSON array per row (readQuery), its names as the query
   * gives them and where each column stands; undefined for a statement whose shape cannot be read
   * first (not a query) or with fewer than two text columns.
   */
  private async packed(sql: string, params?: Params, types?: ParamTypes): Promise<{sql: string; columns: string[]; layout: TextLayout} | undefined> {
    // Wrapped on lines of its own: a line comment at the end of the query must not swallow the parenthesis.
    const body = sql.replace(/;\s*$/, '')
    let columns: string[]
    let texts: number[]
    try {
      // In parentheses, not as a subquery, the names stay as the query gives them (a repeated name too).
      const shape = await this.connection.run(`(\n${body}\n) LIMIT 0`, params, types)
      columns = shape.deduplicatedColumnNames()
      texts = shape.columnTypes().flatMap((t, i) => (t.typeId === DuckDBTypeId.VARCHAR ? [i] : []))
    } catch {
      return undefined
    }
    if (texts.length < 2) return undefined
    const others = columns.flatMap((_, i) => (texts.includes(i) ? [] : [i]))
    // Each as VARCHAR: in a list beside a JSON column DuckDB would read every text as JSON (failing on
    // plain text, and turning the text '123' into the number).
    const select = [`CAST(to_json([${texts.map((i) => `CAST(c${i} AS VARCHAR)`).join(', ')}]) AS VARCHAR)`, ...others.map((i) => `c${i}`)]
    return {
      sql: `SELECT ${select.join(', ')} FROM (\n${body}\n) AS q(${columns.map((_, i) => `c${i}`).join(', ')})`,
      columns,
      layout: {texts: columns.map((_, i) => texts.indexOf(i)), vectors: columns.map((_, i) => 1 + others.indexOf(i))},
    }
  }

  /** Streams a statement's rows a chunk at a time, as plain values: memory stays flat however many rows. */
  async *stream(sql: string, params?: Params, types?: ParamTypes): AsyncGenerator<Row> {
    for await (const chunk of (await this.openStream(sql, params, types)).chunks) yield* chunk.rows()
  }

  /**
   * Runs a statement and hands its column names at once, then its rows a chunk (about 2,048 rows)
   * at a time, each chunk fetched from DuckDB only when asked for and its values made JavaScript
   * only if read (a caller counting rows past a limit reads none). An error DuckDB meets past the
   * first chunk is thrown by the iteration.
   */
  async openStream(sql: string, params?: Params, types?: ParamTypes): Promise<{columns: string[]; chunks: AsyncGenerator<RowChunk>}> {
    // Texts packed as readQuery packs them: a row of a dozen strings is one native call, not twelve.
    const packed = await this.packed(sql, params, types)
    const result = await this.stop.run(() => this.connection.stream(packed?.sql ?? sql, params, types))
    const columns = packed?.columns ?? result.deduplicatedColumnNames()
    const stop = this.stop
    async function* chunks(): AsyncGenerator<RowChunk> {
      for await (const chunk of checked(result, stop)) yield {count: chunk.rowCount, rows: () => new ReadResult(columns, [chunk], packed?.layout).rows()}
    }
    return {columns, chunks: chunks()}
  }

  /**
   * Streams the one text column of a statement a chunk (about 2,048 values) at a time, NULL as
   * null: for a long result of one text a row, read without building an object for each row.
   */
  async *streamTexts(sql: string, params?: Params, types?: ParamTypes): AsyncGenerator<Array<string | null>> {
    const result = await this.stop.run(() => this.connection.stream(sql, params, types))
    const [type, ...more] = result.columnTypes()
    if (type?.typeId !== DuckDBTypeId.VARCHAR || more.length > 0) throw new Error(`streamTexts reads one VARCHAR column, not ${result.columnTypes().join(', ')}`)
    for await (const chunk of checked(result, this.stop)) {
      const vector = chunk.getColumnVector(0)
      const texts = new Array<string | null>(chunk.rowCount)
      for (let i = 0; i < texts.length; i++) texts[i] = vector.getItem(i) as string | null
      yield texts
    }
  }

  close(): void {
    this.stop.remove(this.connection)
    this.connection.closeSync()
    if (!this.owner) return
    this.stop.dispose()
    this.instance.closeSync()
  }
}

/**
 * A streamed result's chunks, and an error when it stopped part-way. DuckDB's Node client ends a
 * streamed result that fails after its first chunks (an error in a later row, an interruption)
 * exactly as one that is exhausted, and does not give the error: the one sign is that the result
 * is no longer streaming. Without this check the rows would be cut without a word.
 */
async function* checked(result: DuckDBResult, stop: Interrupter): AsyncGenerator<DuckDBDataChunk> {
  const streaming = result.isStreaming
  let rows = 0
  try {
    for await (const chunk of result) {
      rows += chunk.rowCount
      yield chunk
    }
  } catch (error) {
    throw stop.reason(error)
  }
  if (streaming && !result.isStreaming) {
    throw stop.reason(new Error(`DuckDB stopped the result after ${rows} row(s): the statement failed or was interrupted part-way, and DuckDB's Node client does not say why (run it with a LIMIT, or in the DuckDB shell, to see its error)`))
  }
}

async function chunksOf(result: AsyncIterable<DuckDBDataChunk>): Promise<DuckDBDataChunk[]> {
  const chunks: DuckDBDataChunk[] = []
  for await (const chunk of result) chunks.push(chunk)
  return chunks
}

type Vector = ReturnType<DuckDBDataChunk['getColumnVector']>

const valueAt = (vector: Vector, type: DuckDBType, row: number): CellValue => plain(JSDuckDBValueConverter(vector.getItem(row), type, JSDuckDBValueConverter))

/**
 * Where each column of a result stands in its chunks (AnalysisDb.readQuery): `texts[i]`, its place in
 * the JSON array of texts in the chunks' first vector (-1 when it has a vector of its own);
 * `vectors[i]`, that vector.
 */
interface TextLayout {
  texts: number[]
  vectors: number[]
}

/** One chunk's vectors as a row reads them: each column's own vector, and the texts of each row once parsed. */
class ChunkReader {
  private readonly vectors: Array<{vector: Vector; type: DuckDBType} | undefined>
  private readonly texts: Vector | undefined
  private readonly parsed: Array<Array<string | null> | undefined> = []

  constructor(
    chunk: DuckDBDataChunk,
    private readonly layout: TextLayout | undefined,
  ) {
    this.texts = layout === undefined ? undefined : chunk.getColumnVector(0)
    this.vectors = (layout?.vectors ?? Array.from({length: chunk.columnCount}, (_, i) => i)).map((v, i) => {
      if (layout !== undefined && layout.texts[i]! >= 0) return undefined
      const vector = chunk.getColumnVector(v)
      return {vector, type: vector.type}
    })
  }

  value(column: number, row: number): CellValue {
    const own = this.vectors[column]
    if (own !== undefined) return valueAt(own.vector, own.type, row)
    const texts = (this.parsed[row] ??= JSON.parse(String(this.texts!.getItem(row))) as Array<string | null>)
    return texts[this.layout!.texts[column]!] ?? null
  }
}

/** A statement's rows as DuckDB returned them, turned into plain values on demand. */
export class ReadResult {
  /** The first row of each chunk, and past the last, the row count. */
  private readonly starts: number[]
  private readonly readers: Array<ChunkReader | undefined> = []

  constructor(
    readonly columns: string[],
    private readonly chunks: readonly DuckDBDataChunk[],
    private readonly layout?: TextLayout,
  ) {
    this.starts = [0]
    for (const c of chunks) this.starts.push(this.starts.at(-1)! + c.rowCount)
  }

  get count(): number {
    return this.starts.at(-1)!
  }

  /** Whether the text columns came as one JSON array a row (readQuery), not a vector each. */
  get textsAsJson(): boolean {
    return this.layout !== undefined
  }

  private reader(c: number): ChunkReader {
    return (this.readers[c] ??= new ChunkReader(this.chunks[c]!, this.layout))
  }

  /** Every value of one column, in row order. */
  column(name: string): CellValue[] {
    const index = this.columns.indexOf(name)
    if (index < 0) throw new Error(`no column ${name}`)
    const out: CellValue[] = []
    for (let c = 0; c < this.chunks.length; c++) {
      const reader = this.reader(c)
      for (let r = 0; r < this.chunks[c]!.rowCount; r++) out.push(reader.value(index, r))
    }
    return out
  }

  /** The rows at the given positions (ascending), or every row. */
  rows(positions?: readonly number[]): Row[] {
    const out: Row[] = []
    let c = -1
    const take = (at: number): void => {
      while (at >= this.starts[c + 1]!) c++
      const reader = this.reader(c)
      const r = at - this.starts[c]!
      const row: Row = {}
      for (let i = 0; i < this.columns.length; i++) row[this.columns[i]!] = reader.value(i, r)
      out.push(row)
    }
    if (positions === undefined) for (let at = 0; at < this.count; at++) take(at)
    else for (const at of positions) take(at)
    return out
  }
}

/** Turns what the DuckDB JS converter gives (bigint, Date, nested values) into JSON-safe values. */
export function plain(value: unknown): CellValue {
  if (value === null || value === undefined) return null
  if (typeof value === 'bigint') return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString()
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString()
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value)
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64')
  if (Array.isArray(value)) return value.map(plain)
  if (typeof value === 'object') {
    const out: Record<string, CellValue> = {}
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = plain(v)
    return out
  }
  return String(value)
}

/** A SQL string literal for values coroner itself produced (file paths under the store root). */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`
}
