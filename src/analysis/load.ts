import {randomBytes} from 'node:crypto'
import {mkdir, open, rename, rm} from 'node:fs/promises'
import path from 'node:path'
import {LIST, VARCHAR, listValue, type DuckDBType, type DuckDBValue} from '@duckdb/node-api'
import {CoronerError, isInterruption} from '../core/errors.js'
import type {Progress, ProgressTask} from '../core/progress.js'
import {removeOnQuit} from '../core/quit.js'
import type {EvidenceStore} from '../evidence/store.js'
import {loadCodePackages, type CodeLoadSummary} from './code/load-code.js'
import {CODE_KINDS} from './code/tables.js'
import {AnalysisDb, bytesOfSetting} from './db.js'
import {inventoryCase, type CaseArtifact, type CaseInventory, type InventoryOptions} from './inventory.js'
import {markDamage, recordLoad} from './load-record.js'
import {deduplicateCloudtrail} from './cloudtrail-dedup.js'
import {markDigestValidated} from './digest-validated.js'
import type {CaseVerification, VerifyIssue} from '../evidence/verify.js'
import {CLOUDTRAIL_READERS, LINE_ORIENTED_CLOUDTRAIL, MALFORMED_CLOUDTRAIL, NEEDS_DEDUPLICATION, cloudtrailSource, insertCloudtrail} from './sql/cloudtrail.js'
import {DOCUMENT_LOADERS, LOG_READERS, MACROS, OBJECT_SIZE, insertCustody, insertLogs, type Compression} from './sql/loaders.js'
import {SNAPSHOT_TABLES, TABLES, VIEWS} from './sql/tables.js'
import {markSnapshots} from './snapshots.js'

/** Where `coroner load` puts a case's database unless told otherwise. */
export function defaultDbPath(caseId: string, cwd = process.cwd()): string {
  return path.join(cwd, 'coroner-analysis', caseId, 'case.duckdb')
}

export interface LoadOptions extends InventoryOptions {
  dbPath: string
  progress?: Progress
  /** DuckDB worker threads; default: DuckDB's own choice (the machine's cores). */
  threads?: number
  /** DuckDB's memory limit (e.g. `2GB`); beyond it DuckDB spills to disk beside the database. Default: $CORONER_DUCKDB_MEMORY, else 1 GB. */
  memoryLimit?: string
  /** JSON per sorted batch of CloudTrail files (their content, inflated); default a quarter of the memory limit (64 MiB to 1 GiB). */
  batchBytes?: number
  /** Stops the load (Ctrl-C): the statement under way is interrupted, the database being built removed, and the signal's reason thrown. */
  signal?: AbortSignal
}

export interface RefusedArtifact {
  key: string
  kind: string
  state: string
  detail?: string
}

export interface LoadResult {
  caseId: string
  dbPath: string
  /** The verification the database was built under (also stored in its case_load table). */
  verification: CaseVerification
  /** With --accept-damaged: every problem verify named, each marked on the rows of the evidence it concerns. */
  damage: VerifyIssue[]
  tables: Record<string, number>
  artifacts: {total: number; loaded: number; refused: RefusedArtifact[]; unreadable: RefusedArtifact[]; notLoaded: number}
  malformedRecords: number
  /** The code packages and layer archives read into the lambda_code_* tables. */
  code: CodeLoadSummary
  /** Seconds spent in each phase of the load. */
  phases: Record<string, number>
  warnings: string[]
}

/** Whether verification lets the load read an artifact's bytes (a damaged one only under --accept-damaged, and marked). */
const isRead = (a: CaseArtifact): boolean => a.state === 'verified' || a.state === 'damaged'

/** Kinds whose bytes are not rows (digests): recorded in `artifacts`, not loaded. */
const LOADED_KINDS = new Set([...Object.keys(CLOUDTRAIL_READERS), ...Object.keys(LOG_READERS), ...Object.keys(DOCUMENT_LOADERS), ...CODE_KINDS])

/** Whether the load reads an artifact: a loaded kind, and for `file.added` only JSON files (possible GuardDuty findings). */
/**
 * A CloudTrail file the importer read as records keeps its `shape`: its records load from the
 * `cloudtrail.records` artifact converted from it, so it is not read again as a possible finding.
 */
const isConvertedCloudTrail = (a: Pick<CaseArtifact, 'kind' | 'attributes'>): boolean => a.kind === 'file.added' && typeof a.attributes?.shape === 'string'

const isLoadable = (a: Pick<CaseArtifact, 'kind' | 'key' | 'contentType' | 'attributes'>): boolean =>
  LOADED_KINDS.has(a.kind) && (a.kind !== 'file.added' || ((/json/i.test(a.contentType ?? '') || /\.json(\.gz)?$/i.test(a.key)) && !isConvertedCloudTrail(a)))

interface FileGroup {
  reader: (c: Compression) => string
  compression: Compression
  files: CaseArtifact[]
  /** maximum_object_size for this group's reader, grown when DuckDB says a value is larger. */
  objectSize: number
  /** Each file's content in bytes (a gzip file's inflated size, never less than what is stored), by path. */
  contentBytes: Map<string, number>
}

const MIB = 1024 * 1024
/** Line-oriented kinds: one value per line, so the size of a file says nothing of its largest value. */
const LINE_KINDS = new Set(['cloudtrail.records', 'cloudtrail.lookup-events', 'logs.events', 'logs.export'])
const LARGEST_OBJECT = 1024 * MIB

/**
 * Builds the DuckDB database of a case from its verified evidence: the case is verified first by
 * the one verifier, and a case that does not verify is refused whole (or, with `acceptDamaged`,
 * loaded with every row of the damaged evidence marked in `evidence_damage`). The database records
 * the verification it was built under (`case_load`). It is written to a temporary file and renamed
 * over the target only when complete, and every table is filled in a fixed order, so the same
 * evidence always gives the same tables.
 */
export async function loadCase(store: EvidenceStore, caseId: string, options: LoadOptions): Promise<LoadResult> {
  const phases: Record<string, number> = {}
  let mark = performance.now()
  const phase = (name: string): void => {
    const now = performance.now()
    phases[name] = Number(((now - mark) / 1000).toFixed(3))
    mark = now
  }
  const inventory = await inventoryCase(store, caseId, options)
  options.signal?.throwIfAborted()
  phase('verify')
  const target = path.resolve(options.dbPath)
  await mkdir(path.dirname(target), {recursive: true})
  const tmp = `${target}.tmp-${randomBytes(4).toString('hex')}`
  const spill = `${tmp}.spill`
  const forget = removeOnQuit(tmp, `${tmp}.wal`, spill)
  // DuckDB reads the verified evidence files under the store root, and nothing else.
  const db = await AnalysisDb.open(tmp, {
    allowedDirectories: [inventory.root],
    ...(options.threads === undefined ? {} : {threads: options.threads}),
    ...(options.memoryLimit === undefined ? {} : {memoryLimit: options.memoryLimit}),
    tempDirectory: spill,
    ...(options.signal === undefined ? {} : {signal: options.signal}),
  })
  const l: Loading = {db, inventory, warnings: [...inventory.warnings], unreadable: [], malformedRecords: 0, task: loadTask(options.progress, caseId, inventory.artifacts), phase, batchBytes: options.batchBytes}
  try {
    const verified = await prepare(l)
    const groups = await groupFiles(verified.filter((a) => !CODE_KINDS.has(a.kind)))
    phase('prepare')
    await loadCloudTrail(l, groups)
    await loadLogsAndDocuments(l, groups)
    const code = await loadCodePackages(db, store, inventory.artifacts, {progress: options.progress})
    l.unreadable.push(...code.unreadable)
    l.warnings.push(...code.warnings)
    phase('code')
    await loadCustody(l)
    await markSnapshots(db, inventory.artifacts, new Set(l.unreadable.map((u) => u.key)))
    phase('snapshots')
    await markDamage(db, inventory)
    await recordLoad(db, store, inventory, options)
    const tables = await finish(l)
    await rm(spill, {recursive: true, force: true})
    phase('checkpoint')
    await rm(target, {force: true})
    await rm(`${target}.wal`, {force: true})
    await rename(tmp, target)
    forget()
    l.task?.done(`${tables.cloudtrail_events} CloudTrail events, ${tables.log_events} log events`)
    const refused = inventory.artifacts
      .filter((a) => !isRead(a))
      .map((a) => ({key: a.key, kind: a.kind, state: a.state, ...(a.detail === undefined ? {} : {detail: a.detail})}))
    return {
      caseId,
      dbPath: target,
      verification: inventory.verification,
      damage: inventory.damage,
      tables,
      artifacts: {
        total: inventory.artifacts.length,
        loaded: verified.length - l.unreadable.length,
        refused,
        unreadable: l.unreadable,
        notLoaded: inventory.artifacts.filter((a) => isRead(a) && !isLoadable(a)).length,
      },
      malformedRecords: l.malformedRecords,
      code: code.summary,
      phases,
      warnings: l.warnings,
    }
  } catch (error) {
    try {
      db.close()
    } catch {
      // Already closed.
    }
    await rm(tmp, {force: true})
    await rm(`${tmp}.wal`, {force: true})
    await rm(spill, {recursive: true, force: true})
    forget()
    // However the statement under way reported it (a file set aside, the load failed), an interruption is one.
    throw options.signal?.aborted ? options.signal.reason : error
  }
}

/** One load under way: the database being built, what it reads, and what it met. */
interface Loading {
  db: AnalysisDb
  inventory: CaseInventory
  warnings: string[]
  unreadable: RefusedArtifact[]
  malformedRecords: number
  task: ProgressTask | undefined
  phase: (name: string) => void
  batchBytes: number | undefined
}

/** Creates the tables and macros, stages the files and the artifacts table; returns the artifacts to read. */
async function prepare(l: Loading): Promise<CaseArtifact[]> {
  for (const sql of Object.values(TABLES)) await l.db.run(sql)
  for (const sql of MACROS) await l.db.run(sql)
  await stageFiles(l.db, l.inventory)
  await insertArtifacts(l.db, l.inventory)
  await markDigestValidated(l.db, l.inventory)
  return l.inventory.artifacts.filter((a) => isRead(a) && isLoadable(a))
}

function onUnreadable(l: Loading): (a: CaseArtifact, reason: string) => void {
  return (a, reason) => {
    l.unreadable.push({key: a.key, kind: a.kind, state: 'unreadable', detail: reason})
    if (a.kind !== 'file.added') l.warnings.push(`artifact ${a.key} (${a.kind}) could not be read and was skipped: ${reason}`)
  }
}

/** The load's progress: the case's artifacts and their bytes, advanced as each group of files is read. */
function loadTask(progress: Progress | undefined, caseId: string, artifacts: readonly CaseArtifact[]): ProgressTask | undefined {
  const task = progress?.task(`Loading case ${caseId}`)
  task?.setTotal(artifacts.length, bytesOf(artifacts))
  return task
}

const bytesOf = (files: ReadonlyArray<{size: number}>): number => files.reduce((n, f) => n + f.size, 0)

/**
 * CloudTrail records are sorted a batch of files at a time (sql/cloudtrail.ts), each batch about a
 * quarter of DuckDB's memory limit in JSON (the files' content, inflated: 238 MiB at the default
 * 1 GB, some 190,000 records, whether the files are gzip or not): the sort, and the rows a
 * transaction holds until a row group is full, then stay within the limit, while the events of one
 * API still lie in a few vectors of each batch. Measured at 1M events (gzip files, 5 times their
 * size in JSON): batches of 320 MiB of JSON peaked at 1.4-2.2 GiB, of 240 MiB at 1.3-1.4 GiB for the
 * same CPU, of 160 MiB at 1.2 GiB for a fifth more; at 512 MB, batches of 320 MiB ran out of memory.
 */
async function cloudtrailBatchBytes(db: AnalysisDb): Promise<number> {
  const r = await db.all("SELECT current_setting('memory_limit') AS limit")
  const limit = bytesOfSetting(String(r.rows[0]?.limit ?? ''))
  return Math.min(1024 * MIB, Math.max(64 * MIB, Math.floor((limit ?? 1024 * MIB) / 4)))
}

/** Items in runs of at most `limit` by `size` in all (a run holds one at least), in order. */
function runsOf<T>(items: readonly T[], size: (item: T) => number, limit: number): T[][] {
  const runs: T[][] = []
  for (let start = 0, end = 0; start < items.length; start = end) {
    for (let total = 0; end < items.length && (end === start || total + size(items[end]!) <= limit); end++) total += size(items[end]!)
    runs.push(items.slice(start, end))
  }
  return runs
}

/** Every CloudTrail kind into cloudtrail_records, malformed lines counted, duplicates folded. */
async function loadCloudTrail(l: Loading, groups: FileGroup[]): Promise<void> {
  const {db, inventory} = l
  for (const group of groups.filter((g) => g.files[0] && g.files[0].kind in CLOUDTRAIL_READERS)) {
    const lines = LINE_ORIENTED_CLOUDTRAIL.has(group.files[0]!.kind)
    const insert = (sorted: boolean) => ([reader]: string[]): string => insertCloudtrail(cloudtrailSource(reader!, [...inventory.root].length), lines, sorted)
    const content = (f: CaseArtifact): number => group.contentBytes.get(f.path) ?? f.size
    const left = await runBatches(db, runsOf(group.files, content, l.batchBytes ?? (await cloudtrailBatchBytes(db))).map((files) => ({...group, files})), insert(true), onUnreadable(l), l.task)
    if (left.length > 0) {
      // Too little memory to sort even a batch: the rest is read in one statement, in file order.
      const rest = {...group, files: left.flatMap((b) => b.files)}
      l.warnings.push(`DuckDB's memory limit is too small to sort CloudTrail records by service (${rest.files.length} file(s) stored in file order): queries and rules over them read more of the records; raise CORONER_DUCKDB_MEMORY to avoid it`)
      await runOverFiles(db, [rest], insert(false), onUnreadable(l))
      l.task?.advance(rest.files.length, bytesOf(rest.files))
    }
  }
  // Lines that are not records were inserted with a NULL record: counted and removed in one pass.
  l.malformedRecords = Number((await db.all(MALFORMED_CLOUDTRAIL.count)).rows[0]?.n ?? 0)
  if (l.malformedRecords > 0) await db.run(MALFORMED_CLOUDTRAIL.remove)
  l.phase('cloudtrail')
  const stray = await db.all('SELECT count(*) AS n FROM cloudtrail_records WHERE artifact_key NOT IN (SELECT key FROM artifacts)')
  if (Number(stray.rows[0]?.n ?? 0) > 0) throw new CoronerError('load-failed', `CloudTrail rows name evidence keys outside the case (store root ${inventory.root}).`)
  const needs = await db.all(NEEDS_DEDUPLICATION)
  if (Number(needs.rows[0]?.n ?? 0) > 0) await deduplicateCloudtrail(db)
  l.phase('deduplicate')
}

async function loadLogsAndDocuments(l: Loading, groups: FileGroup[]): Promise<void> {
  const logs = groups.filter((g) => g.files[0] && g.files[0].kind in LOG_READERS)
  await runOverFiles(l.db, logs, (readers) => insertLogs(readers), onUnreadable(l))
  l.task?.advance(logs.reduce((n, g) => n + g.files.length, 0), bytesOf(logs.flatMap((g) => g.files)))
  l.phase('logs')
  for (const group of groups.filter((g) => g.files[0] && g.files[0].kind in DOCUMENT_LOADERS)) {
    await runOverFiles(l.db, [group], ([reader]) => reader!, onUnreadable(l))
    l.task?.advance(group.files.length, bytesOf(group.files))
  }
  l.phase('lambda, iam, guardduty')
}

/** The custody journals, and the artifacts found unreadable marked so. */
async function loadCustody(l: Loading): Promise<void> {
  if (l.inventory.journals.length > 0) {
    await l.db.run(insertCustody(), {files: listValue(l.inventory.journals.map((j) => j.path))}, {files: LIST(VARCHAR)})
  }
  for (const u of l.unreadable) {
    await l.db.run("UPDATE artifacts SET status = 'unreadable', detail = $detail WHERE key = $key", {detail: u.detail ?? null, key: u.key})
  }
  l.phase('custody')
}

/** The views, the row count of every table, and the database checkpointed and closed. */
async function finish(l: Loading): Promise<Record<string, number>> {
  for (const sql of Object.values(VIEWS)) await l.db.run(sql)
  if (l.malformedRecords > 0) l.warnings.push(`${l.malformedRecords} malformed CloudTrail line(s) could not be read as records and were skipped`)
  const tables: Record<string, number> = {}
  for (const name of ['cloudtrail_events', ...SNAPSHOT_TABLES, ...Object.keys(TABLES).filter((t) => t !== 'cloudtrail_records')]) {
    const r = await l.db.all(`SELECT count(*) AS n FROM ${name}`)
    tables[name] = Number(r.rows[0]?.n ?? 0)
  }
  await l.db.run('CHECKPOINT')
  l.db.close()
  return tables
}

/** The files of each kind, split by compression (read from the bytes, not trusted from the name). */
async function groupFiles(artifacts: CaseArtifact[]): Promise<FileGroup[]> {
  const groups = new Map<string, FileGroup>()
  const readers: Record<string, (c: Compression) => string> = {...CLOUDTRAIL_READERS, ...LOG_READERS, ...DOCUMENT_LOADERS}
  for (const a of artifacts) {
    const {gzip, size} = await contentSize(a.path)
    const compression: Compression = gzip ? 'gzip' : 'uncompressed'
    const id = `${a.kind}/${compression}`
    let g = groups.get(id)
    if (!g) groups.set(id, (g = {reader: readers[a.kind]!, compression, files: [], objectSize: 4 * MIB, contentBytes: new Map()}))
    g.files.push(a)
    g.contentBytes.set(a.path, Math.max(size, a.size))
    // A whole-document file is one JSON value: the reader must hold all of it.
    if (!LINE_KINDS.has(a.kind)) g.objectSize = Math.min(LARGEST_OBJECT, Math.max(g.objectSize, Math.ceil((size * 1.1 + MIB) / MIB) * MIB))
  }
  return [...groups.keys()].sort().map((k) => groups.get(k)!)
}

/** Whether a file is gzip (from its magic bytes) and its content size (gzip: the trailer's ISIZE, mod 4 GiB). */
async function contentSize(file: string): Promise<{gzip: boolean; size: number}> {
  const handle = await open(file, 'r')
  try {
    const {size} = await handle.stat()
    const head = Buffer.alloc(2)
    const {bytesRead} = await handle.read(head, 0, 2, 0)
    const gzip = bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b
    if (!gzip || size < 18) return {gzip, size}
    const tail = Buffer.alloc(4)
    await handle.read(tail, 0, 4, size - 4)
    return {gzip, size: Math.max(tail.readUInt32LE(0), size)}
  } finally {
    await handle.close()
  }
}

/**
 * Runs one statement over groups of files. DuckDB stops a whole read at a file it cannot parse
 * (truncated gzip, broken JSON document); that file is named, set aside and the statement run
 * again without it (and left out of the group for later statements), so one bad object never
 * hides the others.
 */
async function runOverFiles(
  db: AnalysisDb,
  groups: FileGroup[],
  build: (readers: string[]) => string,
  onUnreadable: (a: CaseArtifact, reason: string) => void,
): Promise<void> {
  for (;;) {
    const active = groups.filter((g) => g.files.length > 0)
    if (active.length === 0) return
    try {
      await runStatement(db, active, build)
      return
    } catch (error) {
      setAside(error, active, active, onUnreadable)
    }
  }
}

/**
 * A transaction of CloudTrail batches holds up to this much JSON: committed together, DuckDB
 * writes their rows to the database file a row group at a time, where a batch committed alone
 * (fewer rows than a row group) would go to the write-ahead log and stay in memory until the next
 * checkpoint. A failed batch costs the batches of its transaction read again.
 */
const TRANSACTION_BYTES = 1024 * MIB

/**
 * Runs one statement per batch of files, batches committed together up to TRANSACTION_BYTES. A
 * file DuckDB cannot read rolls its transaction back: it is set aside as in runOverFiles, and the
 * transaction's batches run again without it. Running out of memory rolls back too, and ends the
 * run: the batches not committed are returned. `task` is advanced as each batch ends (and back on
 * a rollback).
 */
async function runBatches(
  db: AnalysisDb,
  batches: FileGroup[],
  build: (readers: string[]) => string,
  onUnreadable: (a: CaseArtifact, reason: string) => void,
  task: ProgressTask | undefined,
): Promise<FileGroup[]> {
  const transactions = runsOf(batches, (b) => bytesOf(b.files), TRANSACTION_BYTES)
  for (let t = 0; t < transactions.length; ) {
    let current: FileGroup | undefined
    const advanced = {files: 0, bytes: 0}
    try {
      await db.transaction(async () => {
        for (current of transactions[t]!.filter((b) => b.files.length > 0)) {
          await runStatement(db, [current], build)
          advanced.files += current.files.length
          advanced.bytes += bytesOf(current.files)
          task?.advance(current.files.length, bytesOf(current.files))
        }
        current = undefined
      })
      t++
    } catch (error) {
      task?.advance(-advanced.files, -advanced.bytes)
      if (isInterruption(error)) throw error
      if (/Out of Memory Error/.test(error instanceof Error ? error.message : '')) return transactions.slice(t).flat()
      setAside(error, current ? [current] : [], transactions.slice(t).flat(), onUnreadable)
    }
  }
  return []
}

async function runStatement(db: AnalysisDb, active: FileGroup[], build: (readers: string[]) => string): Promise<void> {
  const params: Record<string, DuckDBValue> = {}
  const types: Record<string, DuckDBType> = {}
  const readers = active.map((g, i) => {
    params[`files${i}`] = listValue(g.files.map((f) => f.path))
    types[`files${i}`] = LIST(VARCHAR)
    return g.reader(g.compression).replaceAll('$files', `$files${i}`).replaceAll(OBJECT_SIZE, String(g.objectSize))
  })
  await db.run(build(readers), params, types)
}

/**
 * What a failed read over `active` leaves to do before it is run again: a value over the object
 * size grows it (for `alike`, the groups still to read with the same reader, too); a file DuckDB
 * names is taken out of its group and reported unreadable. Any other error ends the load.
 */
function setAside(error: unknown, active: FileGroup[], alike: FileGroup[], onUnreadable: (a: CaseArtifact, reason: string) => void): void {
  const message = error instanceof Error ? error.message : String(error)
  if (/maximum_object_size|max_line_size|Maximum line size/i.test(message) && active.some((g) => g.objectSize < LARGEST_OBJECT)) {
    for (const g of active) {
      g.objectSize = Math.min(LARGEST_OBJECT, g.objectSize * 4)
      for (const other of alike.filter((o) => o.reader === g.reader && o.compression === g.compression)) other.objectSize = Math.max(other.objectSize, g.objectSize)
    }
    return
  }
  const culprit = active
    .flatMap((g) => g.files.map((f) => ({g, f})))
    .filter(({f}) => message.includes(f.path))
    .sort((a, b) => b.f.path.length - a.f.path.length)[0]
  if (!culprit) {
    throw new CoronerError('load-failed', `DuckDB could not load the evidence: ${message}`, {cause: error})
  }
  culprit.g.files.splice(culprit.g.files.indexOf(culprit.f), 1)
  onUnreadable(culprit.f, message.split('\n')[0]!.replaceAll(culprit.f.path, culprit.f.key))
}

async function stageFiles(db: AnalysisDb, inventory: CaseInventory): Promise<void> {
  await db.run(`CREATE TEMP TABLE _files (path VARCHAR, key VARCHAR, sha256 VARCHAR, kind VARCHAR, source VARCHAR,
    attributes JSON, log_group VARCHAR, log_stream VARCHAR)`)
  await db.run('CREATE TEMP TABLE _journals (path VARCHAR, key VARCHAR, run_id VARCHAR, sealed BOOLEAN)')
  const appender = await db.connection.createAppender('_files', 'main', 'temp')
  for (const a of inventory.artifacts) {
    if (!isRead(a)) continue
    const attrs = a.attributes ?? {}
    const str = (...names: string[]): string | null => {
      for (const n of names) if (typeof attrs[n] === 'string') return attrs[n] as string
      return null
    }
    appender.appendVarchar(a.path)
    appender.appendVarchar(a.key)
    appender.appendVarchar(a.sha256)
    appender.appendVarchar(a.kind)
    appender.appendVarchar(a.source ?? '')
    appender.appendVarchar(JSON.stringify(attrs))
    appendNullable(appender, str('logGroupName', 'logGroup') ?? logGroupFromSource(a.source))
    appendNullable(appender, str('logStreamName', 'logStream'))
    appender.endRow()
  }
  appender.closeSync()
  for (const j of inventory.journals) {
    await db.run('INSERT INTO _journals VALUES ($path, $key, $run, $sealed)', {path: j.path, key: j.key, run: j.runId, sealed: j.sealed})
  }
}

function appendNullable(appender: {appendVarchar(v: string): void; appendNull(): void}, value: string | null): void {
  if (value === null) appender.appendNull()
  else appender.appendVarchar(value)
}

/** `arn:aws:logs:region:account:log-group:NAME[:*]` or a bare `/aws/lambda/...` name. */
function logGroupFromSource(source: string | undefined): string | null {
  if (!source) return null
  const m = /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:(.+?)(?::\*)?$/.exec(source)
  if (m) return m[1]!
  return source.startsWith('/') ? source : null
}

async function insertArtifacts(db: AnalysisDb, inventory: CaseInventory): Promise<void> {
  const sorted = [...inventory.artifacts].sort((a, b) => (a.runId === b.runId ? cmp(a.key, b.key) : cmp(a.runId, b.runId)))
  await db.run(`CREATE TEMP TABLE _artifacts (run_id VARCHAR, key VARCHAR, kind VARCHAR, sha256 VARCHAR, size BIGINT, source VARCHAR,
    collector VARCHAR, collected_at VARCHAR, version_id VARCHAR, content_type VARCHAR, region VARCHAR, records BIGINT, attributes VARCHAR,
    sealed BOOLEAN, status VARCHAR, detail VARCHAR, n BIGINT)`)
  const appender = await db.connection.createAppender('_artifacts', 'main', 'temp')
  sorted.forEach((a, n) => {
    appender.appendVarchar(a.runId)
    appender.appendVarchar(a.key)
    appender.appendVarchar(a.kind)
    appender.appendVarchar(a.sha256)
    appender.appendBigInt(BigInt(a.size))
    appendNullable(appender, a.source ?? null)
    appendNullable(appender, a.collector ?? null)
    appendNullable(appender, a.collectedAt ?? null)
    appendNullable(appender, a.versionId ?? null)
    appendNullable(appender, a.contentType ?? null)
    appendNullable(appender, a.region ?? null)
    if (a.records === undefined) appender.appendNull()
    else appender.appendBigInt(BigInt(a.records))
    appendNullable(appender, a.attributes === undefined ? null : JSON.stringify(a.attributes))
    appender.appendBoolean(a.sealed)
    appender.appendVarchar(a.state === 'damaged' ? (isLoadable(a) ? 'damaged' : 'damaged-not-loaded') : a.state === 'verified' ? (isLoadable(a) ? 'loaded' : 'not-loaded') : a.state)
    appendNullable(appender, a.detail ?? (a.state === 'verified' && isConvertedCloudTrail(a) ? 'CloudTrail file converted on import: its records load from the cloudtrail.records artifact made from it' : null))
    appender.appendBigInt(BigInt(n))
    appender.endRow()
  })
  appender.closeSync()
  await db.run(`INSERT INTO artifacts (run_id, key, kind, sha256, size, source, collector, collected_at, version_id, content_type, region, records, attributes, sealed, status, detail)
    SELECT run_id, key, kind, sha256, size, source, collector, TRY_CAST(collected_at AS TIMESTAMPTZ),
    version_id, content_type, region, records, TRY_CAST(attributes AS JSON), sealed, status, detail FROM _artifacts ORDER BY n`)
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
