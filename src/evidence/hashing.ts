import {createHash} from 'node:crypto'
import {Readable, Transform, type TransformCallback} from 'node:stream'
import type {BodySource} from './store.js'

/** A pass-through stream that hashes (SHA-256) and counts what flows through it. */
export class HashingStream extends Transform {
  private readonly hash = createHash('sha256')
  size = 0

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk)
    this.size += chunk.length
    done(null, chunk)
  }

  /** Hex digest; call once, after the stream has ended. */
  digest(): string {
    return this.hash.digest('hex')
  }
}

/** Any body source as a Node readable stream, without copying buffers. */
export function toReadable(body: BodySource): Readable {
  if (typeof body === 'string') return Readable.from([Buffer.from(body, 'utf8')])
  if (body instanceof Uint8Array) return Readable.from([body])
  if (body instanceof Readable) return body
  return Readable.from(body)
}

/** SHA-256 (hex) and size of a stream, read to its end with constant memory. */
export async function hashStream(stream: AsyncIterable<Uint8Array>): Promise<{sha256: string; size: number}> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of stream) {
    hash.update(chunk)
    size += chunk.length
  }
  return {sha256: hash.digest('hex'), size}
}

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex')
