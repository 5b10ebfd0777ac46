import {createHash} from 'node:crypto'
import {crc32, inflateRawSync} from 'node:zlib'
import yauzl from 'yauzl'
import {decodeName, entryType, nameAnomalies, unixMode, type EntryType} from './entry-names.js'
import {BlockCache, CachedZipReader, type ReadRange} from './range-reader.js'

const MIB = 1024 * 1024
/** Entries with at most this many compressed bytes are read and inflated in one piece. */
const SMALL_ENTRY = 64 * 1024
/** Inflated bytes are checked against the caps in slices of this size. */
const SLICE = 256 * 1024

/** What reading one archive may cost; beyond each limit the rest is counted, never read. */
export interface ArchiveLimits {
  /** Entries listed per archive. */
  maxEntries: number
  /** Bytes inflated per archive (Lambda refuses more than 250 MB unzipped, function and layers together). */
  maxInflatedBytes: number
  /** Inflated/compressed ratio an entry may reach once past `ratioFloor` bytes (DEFLATE's own ceiling is about 1032). */
  maxRatio: number
  ratioFloor: number
}

export const DEFAULT_LIMITS: ArchiveLimits = {maxEntries: 100_000, maxInflatedBytes: 256 * MIB, maxRatio: 200, ratioFloor: MIB}

/** Something wrong with an archive or one of its entries: a finding of the load, never followed. */
export interface ArchiveAnomaly {
  /** Position in the central directory (0-based), or null for the archive as a whole. */
  entry: number | null
  path: string | null
  code: string
  detail: string
}

export interface WalkedEntry {
  index: number
  name: string
  type: EntryType
  mode: number | null
  size: number
  compressedSize: number
  modified: Date | null
  /** Why the content is not read (encrypted, an unsupported method, a cap), or null. */
  unread: string | null
}

export interface ContentResult {
  bytes: number
  sha256: string | null
  /** Why reading stopped before the end, or null when the whole entry was read. */
  stopped: string | null
}

/** Streams an entry's inflated bytes to `sink`, within the archive's limits. */
export type EntryContent = (sink: (chunk: Buffer) => void) => Promise<ContentResult>

export interface ArchiveVisitor {
  entry(entry: WalkedEntry, content: EntryContent | null): Promise<void>
  anomaly(anomaly: ArchiveAnomaly): void
}

export interface ArchiveOutcome {
  /** `partial` when some entry was listed but not read (encrypted, a cap, overlapping data) or the listing broke. */
  status: 'read' | 'partial' | 'unreadable'
  /** Entries the end of central directory record declares. */
  declaredEntries: number
  listedEntries: number
  inflatedBytes: number
  detail: string | null
}

const OPTIONS: yauzl.Options = {lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false}

async function openZip(cache: BlockCache): Promise<yauzl.ZipFile> {
  return yauzl.fromRandomAccessReaderPromise(new CachedZipReader(cache), cache.size, OPTIONS)
}

/** Central directory pass: how many entries can be listed, which overlap others, and where the listing breaks. */
async function scanDirectory(cache: BlockCache, limits: ArchiveLimits): Promise<{declared: number; listed: number; overlapping: Set<number>; error: string | null}> {
  const zip = await openZip(cache)
  const starts: number[] = []
  const ends: number[] = []
  let error: string | null = null
  try {
    for await (const e of zip.eachEntry()) {
      starts.push(e.relativeOffsetOfLocalHeader)
      ends.push(e.relativeOffsetOfLocalHeader + 30 + e.fileNameLength + e.compressedSize)
      if (starts.length >= limits.maxEntries) break
    }
  } catch (err) {
    error = (err as Error).message
  } finally {
    zip.close()
  }
  const overlapping = new Set<number>()
  const order = starts.map((_, i) => i).sort((a, b) => starts[a]! - starts[b]! || a - b)
  let holder = -1
  for (const i of order) {
    if (holder >= 0 && starts[i]! < ends[holder]!) overlapping.add(i).add(holder)
    if (holder < 0 || ends[i]! > ends[holder]!) holder = i
  }
  return {declared: zip.entryCount, listed: starts.length, overlapping, error}
}

function describeOpenError(message: string, head: Buffer): {code: string; detail: string} {
  if (/signature not found/i.test(message)) {
    return head.readUInt32LE(0) === 0x04034b50
      ? {code: 'truncated', detail: `the archive starts like a zip but has no end of central directory record: it was cut short (${message})`}
      : {code: 'not-a-zip', detail: `no zip structure found (${message})`}
  }
  return {code: 'malformed-archive', detail: message}
}

/**
 * Reads an archive through byte ranges, entry by entry, without extracting anything: each entry's
 * name, type, mode and time as recorded, its anomalies (unsafe names, duplicates, symlinks,
 * encryption, overlapping data, sizes that lie, bombs), and its content streamed to the visitor
 * within the limits. A broken archive is described, not thrown.
 */
export async function walkArchive(read: ReadRange, size: number, visitor: ArchiveVisitor, limits: ArchiveLimits = DEFAULT_LIMITS): Promise<ArchiveOutcome> {
  const cache = new BlockCache(read, size)
  const outcome: ArchiveOutcome = {status: 'read', declaredEntries: 0, listedEntries: 0, inflatedBytes: 0, detail: null}
  let directory: Awaited<ReturnType<typeof scanDirectory>>
  try {
    directory = await scanDirectory(cache, limits)
  } catch (error) {
    const {code, detail} = describeOpenError((error as Error).message, Buffer.concat([await cache.read(0, 4), Buffer.alloc(4)]))
    visitor.anomaly({entry: null, path: null, code, detail})
    return {...outcome, status: 'unreadable', detail}
  }
  outcome.declaredEntries = directory.declared
  outcome.listedEntries = directory.listed
  if (directory.error !== null) {
    outcome.status = 'partial'
    outcome.detail = `the central directory breaks after ${directory.listed} of ${directory.declared} entries: ${directory.error}`
    visitor.anomaly({entry: null, path: null, code: 'malformed-archive', detail: outcome.detail})
  } else if (directory.declared > directory.listed) {
    outcome.status = 'partial'
    outcome.detail = `${directory.declared} entries; the first ${directory.listed} were read, ${directory.declared - directory.listed} counted and not read`
    visitor.anomaly({entry: null, path: null, code: 'entry-limit', detail: outcome.detail})
  }
  const walker = new EntryWalker(visitor, limits, directory.overlapping, outcome, cache)
  const zip = await openZip(cache)
  try {
    let index = 0
    for await (const e of zip.eachEntry()) {
      await walker.visit(zip, e, index++)
      if (index >= directory.listed) break
    }
  } catch {
    // The directory pass already named where the listing breaks.
  } finally {
    zip.close()
  }
  walker.finish()
  return outcome
}

/** The per-entry half of walkArchive: checks, then content within the archive's budget. */
class EntryWalker {
  private readonly names = new Map<string, number>()
  private capped = 0

  constructor(
    private readonly visitor: ArchiveVisitor,
    private readonly limits: ArchiveLimits,
    private readonly overlapping: Set<number>,
    private readonly outcome: ArchiveOutcome,
    private readonly cache: BlockCache,
  ) {}

  async visit(zip: yauzl.ZipFile, e: yauzl.Entry, index: number): Promise<void> {
    const name = decodeName(e)
    const mode = unixMode(e)
    const type = entryType(name, mode, e.externalFileAttributes)
    const flag = (code: string, detail: string): void => this.visitor.anomaly({entry: index, path: name, code, detail})
    for (const a of nameAnomalies(name)) flag(a.code, a.detail)
    const first = this.names.get(name)
    if (first === undefined) this.names.set(name, index)
    else flag('duplicate-name', `entry ${index} repeats the name of entry ${first}: which one runs depends on the extractor (most keep the last)`)
    if (type === 'special') flag('special-file', `a device, FIFO or socket entry (mode ${mode?.toString(8)})`)
    if (mode !== null && (mode & 0o6000) !== 0) flag('setuid', `set-user-ID or set-group-ID bit (mode ${mode.toString(8)})`)
    if (this.overlapping.has(index)) flag('overlapping-entries', 'its data overlaps another entry\'s: one compressed block inflated many times is how non-recursive zip bombs work')
    let unread: string | null = null
    if (e.isEncrypted()) {
      unread = 'encrypted'
      flag('encrypted', 'the entry is encrypted; its content cannot be read or scanned')
    } else if (e.compressionMethod !== 0 && e.compressionMethod !== 8) {
      unread = `compression method ${e.compressionMethod}`
      flag('unsupported-compression', `compression method ${e.compressionMethod} (only stored and deflate are read; Lambda reads no other)`)
    } else if (this.overlapping.has(index)) {
      unread = 'overlapping data'
    } else if (this.outcome.inflatedBytes >= this.limits.maxInflatedBytes) {
      unread = 'archive inflated-size cap reached'
      this.capped++
    }
    if (e.compressionMethod === 0 && !e.isEncrypted() && e.compressedSize !== e.uncompressedSize) {
      flag('size-mismatch', `stored (uncompressed) entry whose compressed size ${e.compressedSize} differs from its size ${e.uncompressedSize}`)
    }
    if (unread !== null) this.outcome.status = 'partial'
    const date = e.getLastModDate({timezone: 'UTC'})
    const entry: WalkedEntry = {index, name, type, mode, size: e.uncompressedSize, compressedSize: e.compressedSize, modified: Number.isNaN(date.getTime()) ? null : date, unread}
    const content = unread !== null || type === 'directory' ? null : (sink: (chunk: Buffer) => void) => this.content(zip, e, entry, sink, flag)
    await this.visitor.entry(entry, content)
  }

  finish(): void {
    if (this.capped > 0) {
      this.outcome.status = 'partial'
      this.visitor.anomaly({entry: null, path: null, code: 'inflated-size-cap', detail: `${this.outcome.inflatedBytes} bytes inflated, the cap is ${this.limits.maxInflatedBytes}: ${this.capped} later entries were listed but not read`})
    }
  }

  private async content(zip: yauzl.ZipFile, e: yauzl.Entry, entry: WalkedEntry, sink: (chunk: Buffer) => void, flag: (code: string, detail: string) => void): Promise<ContentResult> {
    const hash = createHash('sha256')
    let bytes = 0
    let crc = 0
    let stopped: string | null = null
    /** Takes one inflated chunk within the limits; false once reading must stop. */
    const take = (chunk: Buffer): boolean => {
      bytes += chunk.length
      this.outcome.inflatedBytes += chunk.length
      if (bytes > this.limits.ratioFloor && bytes > Math.max(e.compressedSize, 1) * this.limits.maxRatio) {
        stopped = 'compression ratio cap'
        flag('compression-ratio', `inflates past ${this.limits.maxRatio} times its ${e.compressedSize} compressed bytes (stopped at ${bytes}): a zip bomb`)
        return false
      }
      if (this.outcome.inflatedBytes > this.limits.maxInflatedBytes) {
        stopped = 'archive inflated-size cap reached'
        this.capped++
        return false
      }
      hash.update(chunk)
      crc = crc32(chunk, crc)
      sink(chunk)
      return true
    }
    try {
      if (e.compressedSize <= SMALL_ENTRY) await this.readSmall(zip, e, take)
      else await this.readStream(zip, e, take)
    } catch (error) {
      stopped = 'unreadable'
      flag('entry-unreadable', (error as Error).message)
    }
    if (stopped !== null) {
      this.outcome.status = 'partial'
      return {bytes, sha256: null, stopped}
    }
    if (bytes !== entry.size) flag('size-mismatch', `inflates to ${bytes} bytes; its header says ${entry.size}`)
    if (crc >>> 0 !== e.crc32 >>> 0) flag('crc-mismatch', `CRC-32 ${(crc >>> 0).toString(16)} of the content, the header says ${(e.crc32 >>> 0).toString(16)}`)
    return {bytes, sha256: hash.digest('hex'), stopped: null}
  }

  private async readStream(zip: yauzl.ZipFile, e: yauzl.Entry, take: (chunk: Buffer) => boolean): Promise<void> {
    const stream = await zip.openReadStreamPromise(e)
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) if (!take(chunk)) break
    } finally {
      stream.destroy()
    }
  }

  /**
   * A small entry (most files of a package) read and inflated in one piece, without yauzl's stream
   * chain: its compressed bytes are few, and inflation stops at the same caps (maxOutputLength).
   */
  private async readSmall(zip: yauzl.ZipFile, e: yauzl.Entry, take: (chunk: Buffer) => boolean): Promise<void> {
    const header = await this.cache.read(e.relativeOffsetOfLocalHeader, 30)
    if (header.length < 30 || header.readUInt32LE(0) !== 0x04034b50) throw new Error(`invalid local file header at byte ${e.relativeOffsetOfLocalHeader}`)
    const start = e.relativeOffsetOfLocalHeader + 30 + header.readUInt16LE(26) + header.readUInt16LE(28)
    if (start + e.compressedSize > this.cache.size) throw new Error(`file data overflows the archive: ${start} + ${e.compressedSize} > ${this.cache.size}`)
    const raw = await this.cache.read(start, e.compressedSize)
    let data = raw
    if (e.compressionMethod === 8) {
      const room = Math.max(this.limits.ratioFloor, Math.max(e.compressedSize, 1) * this.limits.maxRatio)
      try {
        data = inflateRawSync(raw, {maxOutputLength: room})
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw error
        // Past the ratio cap: stream it, so that the cap stops it and is named as for any entry.
        return this.readStream(zip, e, take)
      }
    }
    if (data.length === 0) take(data)
    for (let at = 0; at < data.length; at += SLICE) if (!take(data.subarray(at, at + SLICE))) return
  }
}
