import type {Row, RowChunk} from '../analysis/db.js'
import {csvHeader, csvRows, jsonText, toNdjson} from '../analysis/output.js'
import {CoronerError} from '../core/errors.js'
import {drained} from './drain.js'

/**
 * A command's rows as they come (a query over a million events: every row written as it is read,
 * memory flat), and what to close once they are read.
 */
export interface RowStream {
  chunks: AsyncIterable<RowChunk>
  close(): void
  /**
   * The rows come as they are to be shown: the case's redaction (which hides all that `shownRow`
   * hides, and each known secret's value) or --show-secrets already applied, so none is redacted twice.
   */
  shown?: boolean
}

/** Where the rows go: stdout, or any stream. */
export type Out = NodeJS.WritableStream & {destroyed?: boolean; writableEnded?: boolean}

export interface StreamOptions {
  /** Rows written at most (every row when undefined); the rest are counted, never read. */
  limit: number | undefined
  /** What every row passes through before it is written: secrets redacted (cli/output.ts shownRow). */
  show: (row: Row) => Row
  out?: Out
  /** Stops the reading between chunks (Ctrl-C). */
  signal?: AbortSignal
  /** Told when the first bytes reach `out`: past this an error cannot take back what was written. */
  started?: () => void
}

/** Rows kept and rows counted: how many of the stream a format wrote, and how many there were. */
export interface Streamed {
  kept: number
  total: number
}

/**
 * Output held before anything is written: an error or an interruption within it (a query failing
 * on its first rows, as most do) leaves stdout empty, so `--json` prints the error envelope alone.
 */
const HELD_BYTES = 8 * 2 ** 20

/** A writer to `out`, holding the first HELD_BYTES, waiting while a pipe is full; false once the reader has gone (`| head`). */
function writer(options: StreamOptions): {write(text: string): Promise<boolean>; flush(): Promise<boolean>} {
  const out = options.out ?? process.stdout
  let held: string[] | undefined = []
  let heldBytes = 0
  const put = async (text: string): Promise<boolean> => {
    if (out.destroyed || out.writableEnded) return false
    if (!out.write(text)) await drained(out)
    return !(out.destroyed ?? false)
  }
  const flush = async (): Promise<boolean> => {
    if (held === undefined) return true
    const text = held.join('')
    held = undefined
    options.started?.()
    return put(text)
  }
  return {
    async write(text) {
      if (held === undefined) return put(text)
      held.push(text)
      heldBytes += text.length
      return heldBytes < HELD_BYTES || flush()
    },
    flush,
  }
}

/**
 * Reads the stream: `take` is given the first `limit` rows (every row when undefined) a chunk at a
 * time; the rest are only counted. Stops early, uncounted, when `take` says the reader has gone.
 */
async function each(stream: RowStream, options: StreamOptions, take: (rows: Row[]) => Promise<boolean>): Promise<Streamed> {
  let kept = 0
  let total = 0
  for await (const chunk of stream.chunks) {
    options.signal?.throwIfAborted()
    total += chunk.count
    const room = options.limit === undefined ? chunk.count : Math.max(0, options.limit - kept)
    if (room === 0) continue
    const rows = chunk.rows().slice(0, room).map(options.show)
    kept += rows.length
    if (!(await take(rows))) break
  }
  return {kept, total}
}

/** For a table: the first `limit` rows (every row when undefined) and the count of all. */
export async function firstRows(stream: RowStream, options: StreamOptions): Promise<{rows: Row[]; total: number}> {
  const rows: Row[] = []
  const {total} = await each(stream, options, async (r) => {
    rows.push(...r)
    return true
  })
  return {rows, total}
}

/** NDJSON or CSV of the stream's first `limit` rows, a chunk at a time, in `columns` (CSV: a header line first). */
export async function writeLines(format: 'ndjson' | 'csv', stream: RowStream, columns: readonly string[], options: StreamOptions): Promise<Streamed> {
  const out = writer(options)
  if (format === 'csv') await out.write(csvHeader(columns))
  const streamed = await each(stream, options, (rows) => out.write(format === 'csv' ? csvRows(columns, rows) : toNdjson(columns, rows)))
  await out.flush()
  return streamed
}

const MARK = '\u0000rows\u0000'

/**
 * The `--json` envelope with the stream's first `limit` rows in the list `name` of its result,
 * byte for byte what `jsonText(envelope(…), 2)` gives for the same rows: the envelope up to the
 * list, each row as it comes, and the rest (the list's count, whether it was cut, the warnings) at
 * the end. `envelope` makes the envelope of a result.
 */
export async function writeJson(stream: RowStream, name: string, envelope: (list: {rows: unknown[]; total: number; truncated: boolean}) => unknown, options: StreamOptions): Promise<Streamed> {
  const split = (total: number, truncated: boolean): {head: string; tail: string; indent: string} => {
    const text = jsonText(envelope({rows: [MARK], total, truncated}), 2)
    const at = text.indexOf(JSON.stringify(MARK))
    const indent = text.slice(text.lastIndexOf('\n', at) + 1, at)
    return {head: text.slice(0, at - indent.length - 1), tail: text.slice(at + JSON.stringify(MARK).length).replace(/^\s*\]/, ']'), indent}
  }
  const start = split(0, false)
  const out = writer(options)
  let first = true
  const streamed = await each(stream, options, (rows) => {
    const text = rows.map((r) => `${start.indent}${jsonText(r, 2).replaceAll('\n', `\n${start.indent}`)}`).join(',\n')
    const piece = `${first ? `${start.head}\n` : ',\n'}${text}`
    first = false
    return out.write(piece)
  })
  const truncated = streamed.kept < streamed.total
  if (first) {
    // No row: the envelope whole, its list empty, as jsonText writes it.
    await out.write(`${jsonText(envelope({rows: [], total: streamed.total, truncated}), 2)}\n`)
  } else {
    const end = split(streamed.total, truncated)
    if (end.head !== start.head) throw new CoronerError('internal', `The --json envelope of ${name} changed before its rows while they were written.`)
    await out.write(`\n${start.indent.slice(2)}${end.tail}\n`)
  }
  await out.flush()
  return streamed
}
