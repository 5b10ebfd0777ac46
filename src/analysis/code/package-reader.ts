import path from 'node:path'
import {timestampTZValue, type DuckDBAppender} from '@duckdb/node-api'
import type {EvidenceStore} from '../../evidence/store.js'
import {installPath, languageOf, modeText} from './entry-names.js'
import {FileSink} from './file-sink.js'
import type {Indicator} from './indicators.js'
import {evidenceRange} from './range-reader.js'
import {functionModule, layerModule} from './runtime-paths.js'
import {walkArchive, type ArchiveAnomaly, type ArchiveLimits, type ArchiveOutcome, type EntryContent, type WalkedEntry} from './zip-walk.js'

/** A function version or layer version a package belongs to. */
export interface PackageOwner {
  functionName: string | null
  layerArn: string | null
  region: string | null
  version: string
}

/** One code package of the case to read, and every version that runs it. */
export interface PackageTarget {
  key: string
  sha256: string
  size: number
  versionId?: string | undefined
  layer: boolean
  owners: PackageOwner[]
}

export interface CodeAppenders {
  files: DuckDBAppender
  indicators: DuckDBAppender
  anomalies: DuckDBAppender
}

export interface PackageStats {
  outcome: ArchiveOutcome
  files: number
  indicators: number
  anomalies: Record<string, number>
  binary: number
  oversized: number
  unread: number
}

export interface ReadOptions extends ArchiveLimits {
  /** Text files larger than this are hashed but not scanned. */
  maxScanBytes: number
}

type Cell = string | number | bigint | boolean | Date | null

/** Appends one row; a number goes to an INTEGER column, a bigint to a BIGINT one. */
export function appendRow(appender: DuckDBAppender, cells: readonly Cell[]): void {
  for (const c of cells) {
    if (c === null) appender.appendNull()
    else if (typeof c === 'string') appender.appendVarchar(c)
    else if (typeof c === 'bigint') appender.appendBigInt(c)
    else if (typeof c === 'number') appender.appendInteger(c)
    else if (typeof c === 'boolean') appender.appendBoolean(c)
    else appender.appendTimestampTZ(timestampTZValue(BigInt(c.getTime()) * 1000n))
  }
  appender.endRow()
}

const ownerCells = (o: PackageOwner): Cell[] => [o.functionName, o.layerArn, o.region, o.version]

/**
 * Reads one code package from the evidence store into the code tables, a row per entry for each
 * version that runs it: nothing is extracted or written anywhere but the case database.
 */
export async function readPackage(store: EvidenceStore, target: PackageTarget, out: CodeAppenders, options: ReadOptions): Promise<PackageStats> {
  const stats: Omit<PackageStats, 'outcome'> = {files: 0, indicators: 0, anomalies: {}, binary: 0, oversized: 0, unread: 0}
  const evidence = [target.key, target.sha256]
  const visitor = {
    anomaly(a: ArchiveAnomaly): void {
      stats.anomalies[a.code] = (stats.anomalies[a.code] ?? 0) + 1
      for (const o of target.owners) appendRow(out.anomalies, [...ownerCells(o), a.path, a.entry, a.code, a.detail, ...evidence])
    },
    async entry(entry: WalkedEntry, content: EntryContent | null): Promise<void> {
      const file = await readEntry(entry, content, options, stats)
      if (entry.type === 'symlink') visitor.anomaly({entry: entry.index, path: entry.name, code: 'symlink', detail: symlinkDetail(entry.name, file.linkTarget)})
      const place = target.layer ? layerModule(entry.name) : functionModule(entry.name)
      const cells: Cell[] = [
        entry.name, entry.index, entry.type, BigInt(entry.size), BigInt(entry.compressedSize), modeText(entry.mode, entry.type), entry.modified,
        file.sha256, file.content, entry.type === 'file' ? languageOf(entry.name) : null, installPath(target.layer ? '/opt' : '/var/task', entry.name),
        place.searchRoot, place.module, file.linkTarget, file.indicators.length, file.note, ...evidence,
      ]
      stats.files++
      stats.indicators += file.indicators.length
      for (const o of target.owners) {
        appendRow(out.files, [...ownerCells(o), ...cells])
        for (const i of file.indicators) appendRow(out.indicators, [...ownerCells(o), entry.name, BigInt(i.line), i.column, i.kind, i.value, i.detail, ...evidence])
      }
    },
  }
  const outcome = await walkArchive(evidenceRange(store, target.key, target.versionId), target.size, visitor, options)
  return {outcome, ...stats}
}

/** Where a symlink points, and whether that is outside the package (absolute, or above its root). */
function symlinkDetail(name: string, target: string | null): string {
  if (target === null || target === '') return 'a symbolic link with no target; recorded, never followed'
  const outside = target.startsWith('/') || path.posix.normalize(path.posix.join(path.posix.dirname(name), target)).startsWith('..')
  return `a symbolic link to ${target}${outside ? ', outside the package' : ''}; recorded, never followed`
}

interface EntryResult {
  sha256: string | null
  content: 'text' | 'binary' | null
  linkTarget: string | null
  indicators: Indicator[]
  note: string | null
}

async function readEntry(entry: WalkedEntry, content: EntryContent | null, options: ReadOptions, stats: Omit<PackageStats, 'outcome'>): Promise<EntryResult> {
  if (content === null) {
    if (entry.unread !== null) stats.unread++
    return {sha256: null, content: null, linkTarget: null, indicators: [], note: entry.unread === null ? null : `not read: ${entry.unread}`}
  }
  const sink = new FileSink(entry.type === 'symlink', entry.size, options.maxScanBytes)
  const read = await content((chunk) => sink.write(chunk))
  const {indicators} = sink.end()
  if (read.stopped !== null) stats.unread++
  else if (sink.skipped === 'binary' && entry.type === 'file') stats.binary++
  else if (sink.skipped === 'oversized') stats.oversized++
  return {
    sha256: read.sha256,
    content: read.stopped === null ? sink.content : null,
    linkTarget: sink.linkTarget,
    indicators,
    note: read.stopped === null ? sink.note : `read stopped: ${read.stopped}`,
  }
}
