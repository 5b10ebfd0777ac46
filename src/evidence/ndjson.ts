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
