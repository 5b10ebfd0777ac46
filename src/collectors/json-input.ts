import {Readable, pipeline} from 'node:stream'
import {createGunzip} from 'node:zlib'
import {MalformedInputError, MAX_INFLATED_BYTES} from './cloudtrail-records.js'
import type {WrapperTime} from './cloudtrail-shapes.js'
import type {SkipReason} from './import-account.js'

/** The longest line read as one value (a compact delivery file is one line); a longer one is a counted skip, read past without being held. */
export const MAX_LINE_BYTES = MAX_INFLATED_BYTES

/** What reading a file gives, in file order: JSON values with their line, or lines that were not one. */
export type InputItem =
  | {value: unknown; line?: number; time?: WrapperTime; exportLine?: true}
  | {bad: Extract<SkipReason, 'invalid-json' | 'too-large'>; line: number}

/** How the file was read, once it has been. */
export interface InputForm {
  /** `document`: one JSON text read whole; `lines`: one or more values per line, read as they come. */
  form: 'document' | 'lines'
  gzip: boolean
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be'
  bom: boolean
}

/**
 * The JSON values of a file, streamed. A file whose first line is a whole JSON value (or a CloudWatch
 * Logs export line, `<time> <message>`) is read line by line, so a bad line is one counted skip and
 * memory stays flat however long the file; otherwise it is one JSON document, read whole (up to
 * MAX_INFLATED_BYTES). A document that does not parse is read again line by line: if any line is a
 * value it was NDJSON after all (with a bad first line), else the file is invalid JSON. Gzip is
 * inflated as it streams; a UTF-8 byte order mark is dropped, UTF-16 (with its mark) decoded.
 */
export async function* readJsonInput(bytes: AsyncIterable<Uint8Array>, form: Partial<InputForm> = {}): AsyncGenerator<InputItem> {
  const lines = splitLines(sniffed(decode(bytes, form)))
  let document: Buffer[] | undefined
  let size = 0
  let decided = false
  for await (const l of lines) {
    if (document) {
      size += l.text.length + 1
      if (size > MAX_INFLATED_BYTES || l.tooLong) throw new MalformedInputError('too-large', `holds one JSON document of more than ${MAX_INFLATED_BYTES / (1024 * 1024)} MiB; kept as it is but not read (split it, or write it as NDJSON)`)
      document.push(l.text, NEWLINE)
      continue
    }
    if (l.tooLong) {
      // A first line past the cap is one value too large to read (or no JSON at all): the file is refused, not read on.
      if (!decided) throw new MalformedInputError('too-large', `holds more than ${MAX_INFLATED_BYTES / (1024 * 1024)} MiB before its first line break; kept as it is but not read (split it, or write it as NDJSON)`)
      yield {bad: 'too-large', line: l.number}
      continue
    }
    const text = l.text.toString('utf8')
    if (!decided && text.trim() === '') continue
    const values = lineValues(text)
    if (!decided && values === undefined) {
      document = [l.text, NEWLINE]
      size = l.text.length + 1
      continue
    }
    decided = true
    form.form = 'lines'
    if (values === undefined) yield {bad: 'invalid-json', line: l.number}
    else for (const v of values) yield {...v, line: l.number}
  }
  if (document) yield* parseDocument(Buffer.concat(document).toString('utf8'), form)
}

const NEWLINE = Buffer.from('\n')

/** The text, refused at its first bytes when they show it holds no JSON (binary data, prose): nothing more is inflated or read. */
async function* sniffed(text: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let first = true
  for await (const chunk of text) {
    if (first) {
      first = false
      const refusal = notJson(chunk.subarray(0, 64 * 1024))
      if (refusal !== undefined) throw new MalformedInputError('unknown-shape', `no CloudTrail shape: ${refusal}`)
    }
    yield chunk
  }
}

function* parseDocument(text: string, form: Partial<InputForm>): Generator<InputItem> {
  try {
    const value = JSON.parse(text) as unknown
    form.form = 'document'
    yield {value}
    return
  } catch (error) {
    const lines = text.split('\n')
    const items: InputItem[] = []
    lines.forEach((line, i) => {
      if (line.trim() === '') return
      const values = lineValues(line)
      if (values === undefined) items.push({bad: 'invalid-json', line: i + 1})
      else for (const v of values) items.push({...v, line: i + 1})
    })
    if (!items.some((i) => 'value' in i)) throw new MalformedInputError('invalid-json', `not valid JSON (${where(text, (error as Error).message)}) and no line of it is a JSON value`)
    form.form = 'lines'
    yield* items
  }
}

/** The parser's message with its character position turned into a line and column. */
function where(text: string, message: string): string {
  const m = /position (\d+)/.exec(message)
  if (!m) return message
  const before = text.slice(0, Number(m[1]))
  const line = before.split('\n').length
  return `${message.replace(/ in JSON at position \d+.*$/, '')} at line ${line} column ${Number(m[1]) - before.lastIndexOf('\n')}`
}

const EXPORT_LINE = /^(\d{4}-\d{2}-\d{2}T\S+) ([[{].*)$/s

/**
 * The values of one line: one JSON value; several written back to back (`{…}{…}`, as Firehose
 * writes them); or a CloudWatch Logs export line, `<ISO time> <message>`. Undefined when none.
 */
function lineValues(text: string): Array<Omit<Extract<InputItem, {value: unknown}>, 'line'>> | undefined {
  try {
    return [{value: JSON.parse(text) as unknown}]
  } catch {
    const m = EXPORT_LINE.exec(text.trimEnd())
    if (m) {
      try {
        return [{value: JSON.parse(m[2]!) as unknown, time: {field: 'timestamp', value: m[1]}, exportLine: true}]
      } catch {
        // Not an export line either.
      }
    }
    const parts = concatenated(text)
    return parts && parts.length > 1 ? parts.map((value) => ({value})) : undefined
  }
}

/** JSON objects or arrays written back to back on one line, each parsed; undefined unless the whole line is such. */
function concatenated(text: string): unknown[] | undefined {
  const out: unknown[] = []
  let depth = 0
  let start = -1
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
      continue
    }
    if (c === '"') inString = true
    else if (c === '{' || c === '[') {
      if (depth === 0) start = i
      depth++
    } else if (c === '}' || c === ']') {
      depth--
      if (depth < 0) return undefined
      if (depth === 0) {
        try {
          out.push(JSON.parse(text.slice(start, i + 1)))
        } catch {
          return undefined
        }
      }
    } else if (depth === 0 && !/\s/.test(c!)) return undefined
  }
  return depth === 0 ? out : undefined
}

interface Line {
  number: number
  text: Buffer
  tooLong: boolean
}

/**
 * Lines of UTF-8 bytes, `\r\n` or `\n`. A line past MAX_LINE_BYTES is reported as soon as it passes
 * the cap (marked, without its bytes) and then read past to its end, never held.
 */
async function* splitLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<Line> {
  let pending: Buffer[] = []
  let pendingSize = 0
  let skipping = false
  let number = 0
  for await (const chunk of chunks) {
    let rest = chunk
    for (let at = rest.indexOf(0x0a); at >= 0; at = rest.indexOf(0x0a)) {
      if (skipping) skipping = false
      else if (pendingSize + at > MAX_LINE_BYTES) yield {number: ++number, text: Buffer.alloc(0), tooLong: true}
      else {
        let text = Buffer.concat([...pending, rest.subarray(0, at)])
        if (text.length > 0 && text[text.length - 1] === 0x0d) text = text.subarray(0, -1)
        yield {number: ++number, text, tooLong: false}
      }
      pending = []
      pendingSize = 0
      rest = rest.subarray(at + 1)
    }
    if (rest.length === 0 || skipping) continue
    pendingSize += rest.length
    if (pendingSize > MAX_LINE_BYTES) {
      skipping = true
      pending = []
      yield {number: ++number, text: Buffer.alloc(0), tooLong: true}
    } else pending.push(Buffer.from(rest))
  }
  if (!skipping && pendingSize > 0) {
    let text = Buffer.concat(pending)
    if (text[text.length - 1] === 0x0d) text = text.subarray(0, -1)
    yield {number: ++number, text, tooLong: false}
  }
}

/** The bytes of a file as UTF-8 text without a byte order mark: gzip inflated as it streams, UTF-16 decoded. */
async function* decode(bytes: AsyncIterable<Uint8Array>, form: Partial<InputForm>): AsyncGenerator<Buffer> {
  const source = peekable(bytes)
  const head = await source.peek(2)
  form.gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b
  const inflated = form.gzip ? gunzip(source.all()) : source.all()
  const text = peekable(inflated)
  const mark = await text.peek(3)
  let utf16: 'utf-16le' | 'utf-16be' | undefined
  if (mark[0] === 0xff && mark[1] === 0xfe) utf16 = 'utf-16le'
  else if (mark[0] === 0xfe && mark[1] === 0xff) utf16 = 'utf-16be'
  form.encoding = utf16 ?? 'utf-8'
  form.bom = utf16 !== undefined || (mark[0] === 0xef && mark[1] === 0xbb && mark[2] === 0xbf)
  let skip = form.bom ? (utf16 ? 2 : 3) : 0
  const decoder = utf16 ? new TextDecoder(utf16) : undefined
  for await (const chunk of text.all()) {
    let c = chunk
    if (skip > 0) {
      const n = Math.min(skip, c.length)
      c = c.subarray(n)
      skip -= n
    }
    if (c.length === 0) continue
    yield decoder ? Buffer.from(decoder.decode(c, {stream: true}), 'utf8') : c
  }
  if (decoder) {
    const tail = decoder.decode()
    if (tail !== '') yield Buffer.from(tail, 'utf8')
  }
}

/** Inflates a gzip stream (several members too, as `cat a.gz b.gz` makes); a truncated or corrupt one is named. */
async function* gunzip(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const inflated = pipeline(Readable.from(chunks), createGunzip(), () => {})
  try {
    for await (const out of inflated) yield out as Buffer
  } catch (error) {
    if (error instanceof MalformedInputError) throw error
    throw new MalformedInputError('truncated-gzip', `gzip data is truncated or corrupt (${(error as Error).message})`)
  }
}

/** A byte stream whose first bytes can be looked at before it is read. */
function peekable(bytes: AsyncIterable<Uint8Array>) {
  const it = bytes[Symbol.asyncIterator]()
  const head: Buffer[] = []
  let ended = false
  return {
    async peek(n: number): Promise<Buffer> {
      while (!ended && head.reduce((s, b) => s + b.length, 0) < n) {
        const r = await it.next()
        if (r.done) ended = true
        else head.push(Buffer.from(r.value))
      }
      return Buffer.concat(head).subarray(0, n)
    },
    async *all(): AsyncGenerator<Buffer> {
      yield* head.splice(0)
      if (ended) return
      for (let r = await it.next(); !r.done; r = await it.next()) yield Buffer.from(r.value)
    },
  }
}

/**
 * Why the first bytes of a plain (not gzip) file show it holds no JSON at all: binary bytes, or no
 * line that begins a JSON value or a CloudWatch Logs export line. Undefined when it may: such a
 * file is read (a bad first line of NDJSON is one skip, not a refusal).
 */
export function notJson(head: Buffer): string | undefined {
  if (head.length === 0) return undefined
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return undefined
  if (head.includes(0)) return 'binary data, not JSON'
  const text = head.toString('utf8').replace(/^\uFEFF/, '')
  const lines = text.split('\n')
  // The last line may be cut by the end of the chunk; it still shows how it begins.
  if (lines.every((l) => l.trim() === '') || lines.some((l) => /^\s*([[{]|\d{4}-\d{2}-\d{2}T)/.test(l))) return undefined
  const start = text.trimStart().split('\n')[0]!.slice(0, 40)
  return `not JSON: it begins with ${JSON.stringify(start)}`
}
