import {Readable, pipeline} from 'node:stream'
import {createGzip} from 'node:zlib'

/**
 * Streams records as gzip-compressed NDJSON (one JSON document per line), pulling from the source
 * only as fast as the consumer reads: memory stays flat however many records there are.
 * `onRecord` sees each record as it passes (to count per stream, track the last timestamp).
 * A source that fails (an API error mid-pagination) errors the returned stream, so the write fails
 * instead of hanging or crashing the process.
 */
export function ndjsonGzip<T>(records: AsyncIterable<T> | Iterable<T>, onRecord?: (record: T) => void): Readable {
  async function* lines(): AsyncIterable<Buffer> {
    for await (const r of records) {
      onRecord?.(r)
      yield Buffer.from(`${JSON.stringify(r)}\n`, 'utf8')
    }
  }
  return pipeline(Readable.from(lines()), createGzip(), () => {})
}

/** The lines of a byte stream split at `\n` only, each with its `\n` (a last line without one as it is), decoded as UTF-8. */
export async function* splitLines(stream: AsyncIterable<Uint8Array>): AsyncIterable<string> {
  let pending: Buffer[] = []
  for await (const chunk of stream) {
    let buffer = Buffer.from(chunk)
    for (let at = buffer.indexOf(0x0a); at >= 0; at = buffer.indexOf(0x0a)) {
      pending.push(buffer.subarray(0, at + 1))
      yield Buffer.concat(pending).toString('utf8')
      pending = []
      buffer = buffer.subarray(at + 1)
    }
    if (buffer.length > 0) pending.push(buffer)
  }
  if (pending.length > 0) yield Buffer.concat(pending).toString('utf8')
}
