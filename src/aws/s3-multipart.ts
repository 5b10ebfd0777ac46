import {createHash} from 'node:crypto'
import type {Readable} from 'node:stream'
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
import {CoronerError, ExitCode} from '../core/errors.js'

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
 * `IfNoneMatch: "*"` on completion, at most `queueSize` parts in flight. Any failure aborts the
 * upload, so nothing is left behind. S3's composite checksum is compared with the parts sent.
 */
export async function uploadMultipart(o: MultipartUploadOptions, parts: AsyncIterable<Buffer>): Promise<MultipartResult> {
  const {client, bucket: Bucket, key: Key} = o
  const created = await client.send(new CreateMultipartUploadCommand({Bucket, Key, ChecksumAlgorithm: 'SHA256', ...o.headers}))
  const UploadId = created.UploadId!
  const done: CompletedPart[] = []
  const inFlight = new Set<Promise<void>>()
  const whole = createHash('sha256')
  let failure: unknown
  let size = 0
  let n = 0
  try {
    for await (const bytes of parts) {
      whole.update(bytes)
      size += bytes.length
      const PartNumber = ++n
      const ChecksumSHA256 = createHash('sha256').update(bytes).digest('base64')
      const p = client
        .send(new UploadPartCommand({Bucket, Key, UploadId, PartNumber, Body: bytes, ContentLength: bytes.length, ChecksumAlgorithm: 'SHA256', ChecksumSHA256}))
        .then((out) => {
          done.push({PartNumber, ETag: out.ETag, ChecksumSHA256: out.ChecksumSHA256 ?? ChecksumSHA256})
        })
        .catch((error: unknown) => {
          failure ??= error
        })
        .finally(() => inFlight.delete(p))
      inFlight.add(p)
      while (inFlight.size >= o.queueSize) await Promise.race(inFlight)
      if (failure !== undefined) throw failure
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
      throw new CoronerError('checksum-mismatch', `S3 reports checksum ${out.ChecksumSHA256} for ${Key}, but the parts sent give ${expected}-${done.length}.`, {exitCode: ExitCode.findings})
    }
    return {sha256, size, ...(out.VersionId === undefined ? {} : {versionId: out.VersionId})}
  } catch (error) {
    await Promise.allSettled(inFlight)
    await client.send(new AbortMultipartUploadCommand({Bucket, Key, UploadId})).catch(() => {})
    throw error
  }
}

/** Re-chunks a stream into buffers of exactly `size` bytes (the last may be shorter). */
export async function* partChunks(stream: Readable, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = []
  let pendingBytes = 0
  for await (const chunk of stream) {
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array)
    while (pendingBytes + buf.length >= size) {
      const take = size - pendingBytes
      pending.push(buf.subarray(0, take))
      yield Buffer.concat(pending, size)
      buf = buf.subarray(take)
      pending = []
      pendingBytes = 0
    }
    if (buf.length > 0) {
      pending.push(buf)
      pendingBytes += buf.length
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes)
}
