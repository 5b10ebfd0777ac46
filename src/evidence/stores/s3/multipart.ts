import {createHash} from 'node:crypto'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  type CompleteMultipartUploadCommandOutput,
  type CompletedPart,
  type CreateMultipartUploadCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3'
import {CoronerError} from '../../../core/errors.js'

export interface MultipartUploadOptions {
  client: S3Client
  bucket: string
  /** The full S3 key. */
  key: string
  /** Lock, hold, encryption, metadata and content type for CreateMultipartUpload. */
  headers: Omit<CreateMultipartUploadCommandInput, 'Bucket' | 'Key' | 'ChecksumAlgorithm'>
  /** Parts in flight at once. */
  queueSize: number
  /** Called with the SHA-256 (hex) and size of everything read, before completing; a throw aborts. */
  beforeComplete(sha256: string, size: number): void
  /** Wraps the completing call, e.g. to map "precondition failed". */
  complete<T>(work: () => Promise<T>): Promise<T>
}

export interface MultipartResult {
  sha256: string
  size: number
  versionId?: string
}

/**
 * A multipart upload with every header under control: SHA-256 per part (sent, so S3 checks it),
 * `IfNoneMatch: "*"` on completion, at most `queueSize` parts in flight. `first` is the first part,
 * already read; the rest come from `parts`, and each part's buffer goes back to `parts` as soon as
 * its upload has settled, so the next part can be read into it. The next part is read while the
 * queue is full, so reading and sending overlap. Any failure aborts the upload and closes `parts`,
 * so nothing is left behind. S3's composite checksum is compared with the parts sent.
 */
export async function uploadMultipart(o: MultipartUploadOptions, first: Buffer, parts: PartReader): Promise<MultipartResult> {
  const {client, bucket: Bucket, key: Key} = o
  const created = await client.send(new CreateMultipartUploadCommand({Bucket, Key, ChecksumAlgorithm: 'SHA256', ...o.headers})).catch(async (error: unknown) => {
    await parts.close()
    throw error
  })
  const UploadId = created.UploadId!
  const done: CompletedPart[] = []
  const inFlight = new Set<Promise<void>>()
  const whole = createHash('sha256')
  let failure: unknown
  let size = 0
  let n = 0
  const send = (bytes: Buffer): void => {
    const PartNumber = ++n
    const ChecksumSHA256 = createHash('sha256').update(bytes).digest('base64')
    const p: Promise<void> = client
      .send(new UploadPartCommand({Bucket, Key, UploadId, PartNumber, Body: bytes, ContentLength: bytes.length, ChecksumAlgorithm: 'SHA256', ChecksumSHA256}))
      .then((out) => {
        done.push({PartNumber, ETag: out.ETag, ChecksumSHA256: out.ChecksumSHA256 ?? ChecksumSHA256})
      })
      .catch((error: unknown) => {
        failure ??= error
      })
      .finally(() => {
        inFlight.delete(p)
        parts.release(bytes)
      })
    inFlight.add(p)
  }
  try {
    for (let bytes: Buffer | undefined = first; bytes !== undefined; bytes = await parts.next()) {
      whole.update(bytes)
      size += bytes.length
      while (inFlight.size >= o.queueSize) await Promise.race(inFlight)
      if (failure !== undefined) throw failure
      send(bytes)
    }
    await Promise.all(inFlight)
    if (failure !== undefined) throw failure
    const sha256 = whole.digest('hex')
    o.beforeComplete(sha256, size)
    done.sort((a, b) => a.PartNumber! - b.PartNumber!)
    const out: CompleteMultipartUploadCommandOutput = await o.complete(() =>
      client.send(new CompleteMultipartUploadCommand({Bucket, Key, UploadId, IfNoneMatch: '*', MultipartUpload: {Parts: done}})),
    )
    const composite = createHash('sha256')
    for (const p of done) composite.update(Buffer.from(p.ChecksumSHA256!, 'base64'))
    const expected = composite.digest('base64')
    if (out.ChecksumSHA256 !== undefined && out.ChecksumSHA256.replace(/-\d+$/, '') !== expected) {
      throw new CoronerError('checksum-mismatch', `S3 reports checksum ${out.ChecksumSHA256} for ${Key}, but the parts sent give ${expected}-${done.length}.`, {})
    }
    return {sha256, size, ...(out.VersionId === undefined ? {} : {versionId: out.VersionId})}
  } catch (error) {
    await Promise.allSettled(inFlight)
    await client.send(new AbortMultipartUploadCommand({Bucket, Key, UploadId})).catch(() => {})
    await parts.close()
    throw error
  }
}

/**
 * Reads a body into parts of exactly `size` bytes (the last may be shorter). Each chunk is copied
 * once, into one of at most `slots` part buffers; a buffer given back with `release` is filled
 * again, so however long the body, parts never take more than `slots` × `size` bytes, and a chunk
 * is let go as soon as it is copied. The source is pulled only when a part needs bytes, so a
 * stream's own buffering is all that is read ahead. A body shorter than one part gets a buffer of
 * its own length (no part-sized buffer for a journal line).
 */
export class PartReader {
  private readonly source: AsyncIterator<Uint8Array | string>
  private allocated = 0
  /** Each part handed out (a view of its own), with the buffer it lies in. */
  private readonly lent = new Map<Buffer, Buffer>()
  private readonly free: Buffer[] = []
  private readonly waiting: ((slot: Buffer) => void)[] = []
  private carry: Buffer | undefined
  private ended = false
  private started = false

  constructor(
    source: AsyncIterable<Uint8Array | string>,
    readonly size: number,
    readonly slots: number,
  ) {
    this.source = source[Symbol.asyncIterator]()
  }

  /** The next part, or undefined at the end of the body. */
  async next(): Promise<Buffer | undefined> {
    const first = !this.started
    this.started = true
    // Before the first part is known to be full, chunks are kept as they are.
    const pending: Buffer[] = []
    let pendingBytes = 0
    let slot: Buffer | undefined
    let filled = 0
    while (filled < this.size) {
      const chunk = await this.chunk()
      if (chunk === undefined) break
      if (slot === undefined && first && pendingBytes + chunk.length < this.size) {
        pending.push(chunk)
        pendingBytes += chunk.length
        continue
      }
      if (slot === undefined) {
        slot = await this.acquire()
        for (const p of pending.splice(0)) filled += p.copy(slot, filled)
        pendingBytes = 0
      }
      const take = Math.min(chunk.length, this.size - filled)
      filled += chunk.copy(slot, filled, 0, take)
      if (take < chunk.length) this.carry = chunk.subarray(take)
    }
    if (slot !== undefined) {
      const part = slot.subarray(0, filled)
      this.lent.set(part, slot)
      return part
    }
    if (pendingBytes > 0) return pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes)
    return undefined
  }

  /** Whether the body has no more bytes (reads ahead by at most one chunk). */
  async atEnd(): Promise<boolean> {
    if (this.carry !== undefined) return false
    const chunk = await this.chunk()
    if (chunk === undefined) return true
    this.carry = chunk
    return false
  }

  /** Gives a part's buffer back to be filled again; the part must no longer be used. */
  release(part: Buffer): void {
    const slot = this.lent.get(part)
    if (slot === undefined) return
    this.lent.delete(part)
    const waiter = this.waiting.shift()
    if (waiter) waiter(slot)
    else this.free.push(slot)
  }

  /** Stops reading: the source is closed (a stream is destroyed) and the buffers are let go. */
  async close(): Promise<void> {
    this.carry = undefined
    this.free.length = 0
    if (this.ended) return
    this.ended = true
    await this.source.return?.()
  }

  private async chunk(): Promise<Buffer | undefined> {
    if (this.carry !== undefined) {
      const c = this.carry
      this.carry = undefined
      return c
    }
    while (!this.ended) {
      const r = await this.source.next()
      if (r.done) {
        this.ended = true
        break
      }
      const v = r.value
      const chunk = typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength)
      if (chunk.length > 0) return chunk
    }
    return undefined
  }

  private acquire(): Promise<Buffer> {
    let slot = this.free.pop()
    if (slot === undefined && this.allocated < this.slots) {
      this.allocated++
      slot = Buffer.allocUnsafeSlow(this.size)
    }
    if (slot !== undefined) return Promise.resolve(slot)
    return new Promise((resolve) => this.waiting.push(resolve))
  }
}
