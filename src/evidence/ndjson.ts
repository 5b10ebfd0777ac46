import {Readable, pipeline} from 'node:stream'
import {createGzip} from 'node:zlib'

/**
 * Characters of NDJSON lines gathered before they are written to gzip: each write to a zlib stream
 * is a trip to its thread, and at one a record (a few hundred bytes to a few KiB) the trips cost
 * more than the compression.
 */
export const GZIP_WRITE_CHARS = 256 * 1024

/**
 * Streams records as gzip-compressed NDJSON (one JSON document per line), pulling from the source
 * only as fast as the consumer reads: memory stays flat however many records there are (lines go
 * to gzip GZIP_WRITE_CHARS at a time). `onRecord` sees each record as it passes (to count per
 * stream, track the last timestamp). A source that fails (an API error mid-pagination) errors the
 * returned stream, so the write fails instead of hanging or crashing the process.
 */
export function ndjsonGzip<T>(records: AsyncIterable<T> | Iterable<T>, onRecord?: (record: T) => void): Readable {
  async function* lines(): AsyncIterable<Buffer> {
    let batch: string[] = []
    let chars = 0
    for await (const r of records) {
      onRecord?.(r)
      const line = `${JSON.stringify(r)}\n`
      batch.push(line)
      chars += line.length
      if (chars >= GZIP_WRITE_CHARS) {
        yield Buffer.from(batch.join(''), 'utf8')
        batch = []
        chars = 0
      }
    }
    if (batch.length > 0) yield Buffer.from(batch.join(''), 'utf8')
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
