import {Readable} from 'node:stream'
import yauzl from 'yauzl'
import type {EvidenceStore} from '../../evidence/store.js'

const MIB = 1024 * 1024

/** `length` bytes from `start` of one object, fewer at its end. */
export type ReadRange = (start: number, length: number) => Promise<Buffer>

/** Byte ranges of one evidence object (pinned to its version where the store keeps versions). */
export function evidenceRange(store: EvidenceStore, key: string, versionId?: string): ReadRange {
  return (start, length) => store.readRange(key, start, length, versionId)
}

/**
 * Random access to an object through a few cached blocks: a zip is read from its end (the central
 * directory) and then entry by entry, so a handful of 1 MiB blocks serve most reads with one
 * ranged GET (S3) or file read (local) each. Memory is `blockSize * maxBlocks`, whatever the size.
 */
export class BlockCache {
  private readonly blocks = new Map<number, Promise<Buffer>>()

  constructor(
    private readonly readRange: ReadRange,
    readonly size: number,
    private readonly blockSize = MIB,
    private readonly maxBlocks = 8,
  ) {}

  async read(start: number, length: number): Promise<Buffer> {
    const end = Math.min(this.size, start + length)
    if (end <= start) return Buffer.alloc(0)
    const parts: Buffer[] = []
    for (let b = Math.floor(start / this.blockSize); b * this.blockSize < end; b++) {
      const block = await this.block(b)
      const from = Math.max(start - b * this.blockSize, 0)
      const to = Math.min(end - b * this.blockSize, block.length)
      parts.push(block.subarray(from, to))
      if (block.length < this.blockSize) break
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
  }

  private block(index: number): Promise<Buffer> {
    const cached = this.blocks.get(index)
    if (cached) {
      // Most recently used last: the first key is the one to evict.
      this.blocks.delete(index)
      this.blocks.set(index, cached)
      return cached
    }
    const start = index * this.blockSize
    const loading = this.readRange(start, Math.min(this.blockSize, this.size - start))
    loading.catch(() => this.blocks.delete(index))
    this.blocks.set(index, loading)
    if (this.blocks.size > this.maxBlocks) this.blocks.delete(this.blocks.keys().next().value!)
    return loading
  }
}

/** yauzl's reader over a block cache: the archive is never copied to disk or held whole. */
export class CachedZipReader extends yauzl.RandomAccessReader {
  constructor(private readonly cache: BlockCache) {
    super()
  }

  // yauzl calls back with (error, bytesRead); its type declaration omits the second argument.
  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null, bytesRead?: number) => void): void {
    this.cache.read(position, length).then(
      (bytes) => {
        bytes.copy(buffer, offset)
        callback(null, bytes.length)
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    )
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const cache = this.cache
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let at = start; at < end; ) {
        const bytes = await cache.read(at, Math.min(256 * 1024, end - at))
        if (bytes.length === 0) throw new Error(`unexpected end of archive at byte ${at}`)
        at += bytes.length
        yield bytes
      }
    }
    return Readable.from(chunks(), {objectMode: false})
  }
}
