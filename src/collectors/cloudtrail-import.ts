import {PassThrough, type Writable} from 'node:stream'
import {once} from 'node:events'
import {createGzip} from 'node:zlib'
import type {EvidenceRun} from '../evidence/run.js'
import type {ArtifactRecord} from '../evidence/manifest.js'
import {GZIP_WRITE_CHARS} from '../evidence/ndjson.js'
import {MalformedInputError} from './cloudtrail-records.js'
import {LOOKED_FOR, MAPPINGS, expand, type Mapping} from './cloudtrail-shapes.js'
import {FileTally, describeSkips, type Position, type SkipClass} from './import-account.js'
import {notJson, readJsonInput, type InputForm, type InputItem} from './json-input.js'

/** One file to import: where it is, its name, and its bytes as a stream. */
export interface ImportInput {
  /** Its path or URI, for people, the journal and the artifact's source. */
  uri: string
  name: string
  open(): Promise<AsyncIterable<Uint8Array>>
}

/** `unrecognised`: read, and none of the shapes the import reads (an import of other files than CloudTrail's). */
export type FileStatus = 'imported' | 'partial' | 'nothing-usable' | 'malformed' | 'not-cloudtrail' | 'unrecognised' | 'not-read' | 'refused'

/** What became of one input file: every item in it loaded or skipped with a reason. */
export interface FileAccount {
  file: string
  status: FileStatus
  /** The shape the file was read as (delivery-file, ndjson, ndjson-delivery, eventbridge, lake-query-results, …). */
  shape?: string
  /** How its records were reached, with how many each way (see MAPPINGS). */
  mappings?: Partial<Record<Mapping, number>>
  loaded: number
  skipped: number
  skips: SkipClass[]
  /** Records whose eventTime was taken from their wrapper, by the wrapper's field. */
  timeFrom?: Record<string, number>
  /** For a file not (wholly) read, or refused: the code and why. */
  code?: string
  reason?: string
  /** The evidence keys written: the original as it was, and its records. */
  original?: string
  records?: string
}

const NAME_SUFFIX = /\.(json|json\.gz|gz|ndjson|jsonl|ndjson\.gz|jsonl\.gz|txt|log)$/i

/**
 * Imports one file: its bytes kept as they are (`file.added`), streamed to the store as they are
 * read, and every record it holds, in whatever shape, written as `cloudtrail.records` (gzip NDJSON,
 * one record per line) with the shape, the mapping and the counts. Every item is loaded or
 * counted as skipped with a reason and its first positions; a file that stops being readable part
 * way (a truncated gzip) keeps the records read before the break.
 */
export async function importFile(run: EvidenceRun, input: ImportInput, collector: string): Promise<FileAccount> {
  const reading = new Reading()
  const form: Partial<InputForm> = {}
  const source = (await input.open())[Symbol.asyncIterator]()
  const first = await source.next()
  const head = first.done ? Buffer.alloc(0) : Buffer.from(first.value)
  const isGzip = head[0] === 0x1f && head[1] === 0x8b
  const refusal = isGzip ? undefined : notJson(head)
  if (refusal !== undefined) {
    // Not kept: it is not CloudTrail (evidence add keeps any file).
    await source.return?.()
    return {file: input.uri, status: 'not-cloudtrail', loaded: 0, skipped: 0, skips: [], code: 'not-cloudtrail', reason: refusal}
  }
  const original = new PassThrough()
  const originalPut = run.putArtifact(['cloudtrail', 'import', 'original', input.name], original, {
    kind: 'file.added',
    contentType: isGzip ? 'application/gzip' : 'application/json',
    source: input.uri,
    collector,
    completed: () => ({attributes: {originalName: input.name, originalPath: input.uri, originalSize: size, ...(failure ? {malformed: failure.code, reason: failure.message} : {shape: reading.shape(form)})}}),
  })
  let size = 0
  const pump = async function* (): AsyncGenerator<Uint8Array> {
    for (let r: IteratorResult<Uint8Array> = first; !r.done; r = await source.next()) {
      size += r.value.length
      await write(original, r.value)
      yield r.value
    }
  }
  let records: RecordsWriter | undefined
  let failure: MalformedInputError | undefined
  try {
    for await (const item of readJsonInput(pump(), form)) {
      for (const record of reading.records(item)) {
        records ??= openRecords(run, input, collector, reading, form, () => originalPut)
        await records.write(record)
      }
    }
    failure = reading.finish()
  } catch (error) {
    if (!(error instanceof MalformedInputError)) {
      original.destroy(error as Error)
      records?.abort(error as Error)
      throw error
    }
    failure = error
    // The original is kept whole however far the reading got.
    for (let r = await source.next(); !r.done; r = await source.next()) {
      size += r.value.length
      await write(original, r.value)
    }
  }
  original.end()
  const kept = await originalPut
  const written = records ? await records.end() : undefined
  return account(input, reading, form, failure, kept, written)
}

/**
 * One file being read: the tally, the kinds of value met, and a file's only value held back when it
 * is of no known shape, so that a whole document of another shape is refused as a file (naming
 * what was looked for and found) rather than counted as one skipped line.
 */
class Reading {
  readonly tally = new FileTally()
  readonly kinds = new Set<string>()
  items = 0
  values = 0
  private pending: {at: Position; unknown: string} | undefined

  /** The records one input item holds, each checked by the tally; the rest counted as skipped. */
  *records(item: InputItem): Generator<Record<string, unknown>> {
    this.items++
    this.flush()
    const at = item.line === undefined ? {} : {line: item.line}
    if ('bad' in item) return void this.tally.skip(item.bad, at)
    this.values++
    const expanded = expand(item.value)
    if ('unknown' in expanded) {
      if (this.items === 1) this.pending = {at, unknown: expanded.unknown}
      else this.tally.skip('not-cloudtrail', at, expanded.unknown)
      return
    }
    this.kinds.add(item.exportLine ? 'cloudwatch-logs-export' : expanded.kind)
    for (const c of expanded.candidates) {
      const candidate = item.exportLine ? {...c, mapping: 'cloudwatch-logs' as const, time: c.time ?? item.time!} : c
      const record = this.tally.accept(candidate, at)
      if (record) yield record
    }
  }

  /** At the end of the file: its only value, of no known shape, refuses it. */
  finish(): MalformedInputError | undefined {
    if (this.pending && this.items === 1) return new MalformedInputError('unknown-shape', `no CloudTrail shape: looked for ${LOOKED_FOR}; found ${this.pending.unknown}`)
    this.flush()
    // A file of one line is a document: its positions are items, not lines.
    if (this.items === 1) this.tally.dropLines()
    return undefined
  }

  private flush(): void {
    if (this.pending) this.tally.skip('not-cloudtrail', this.pending.at, this.pending.unknown)
    this.pending = undefined
  }

  /** The shape the file was read as, from its form and the kinds of value it held. */
  shape(form: Partial<InputForm>): string {
    const k = [...this.kinds]
    if (form.form === 'document' || (this.values === 1 && k.length === 1 && k[0] !== 'cloudwatch-logs-export')) return k[0] === 'record' ? 'ndjson' : (k[0] ?? 'unknown')
    if (k.length === 0 || (k.length === 1 && k[0] === 'record')) return 'ndjson'
    if (k.length === 1) return k[0] === 'cloudwatch-logs-export' ? k[0] : k[0] === 'delivery-file' ? 'ndjson-delivery' : `ndjson-${k[0]}`
    return 'ndjson-mixed'
  }
}

interface RecordsWriter {
  write(record: Record<string, unknown>): Promise<void>
  end(): Promise<ArtifactRecord>
  abort(error: Error): void
}

/** The records artifact of a file, opened at its first record and streamed; its counts and mapping are written when it ends. */
function openRecords(
  run: EvidenceRun,
  input: ImportInput,
  collector: string,
  reading: Reading,
  form: Partial<InputForm>,
  originalPut: () => Promise<ArtifactRecord>,
): RecordsWriter {
  const {tally} = reading
  const gzip = createGzip()
  let original: ArtifactRecord | undefined
  const put = run.putArtifact(['cloudtrail', 'import', 'records', `${input.name.replace(NAME_SUFFIX, '')}.ndjson.gz`], gzip, {
    kind: 'cloudtrail.records',
    contentType: 'application/gzip',
    source: input.uri,
    collector,
    completed: () => ({
      records: tally.loaded,
      attributes: {
        shape: reading.shape(form),
        mappings: tally.mappings,
        mapping: Object.keys(tally.mappings).map((m) => MAPPINGS[m as Mapping]).join('; '),
        original: original?.key ?? null,
        originalSha256: original?.sha256 ?? null,
        skipped: tally.skipped,
        ...(tally.skipped === 0 ? {} : {skips: tally.classes()}),
        ...(Object.keys(tally.timeFrom).length === 0 ? {} : {eventTimeFrom: tally.timeFrom}),
        newestEventTime: tally.newest ?? null,
        oldestEventTime: tally.oldest ?? null,
      },
    }),
  })
  // Lines are handed to gzip a batch at a time (see GZIP_WRITE_CHARS).
  let batch: string[] = []
  let batched = 0
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return
    const text = batch.join('')
    batch = []
    batched = 0
    await write(gzip, Buffer.from(text, 'utf8'))
  }
  return {
    async write(record) {
      const line = `${JSON.stringify(record)}\n`
      batch.push(line)
      batched += line.length
      if (batched >= GZIP_WRITE_CHARS) await flush()
    },
    async end() {
      await flush()
      original = await originalPut()
      gzip.end()
      return put
    },
    abort: (error) => gzip.destroy(error),
  }
}

async function write(stream: Writable, chunk: Uint8Array): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain')
}

function account(
  input: ImportInput,
  reading: Reading,
  form: Partial<InputForm>,
  failure: MalformedInputError | undefined,
  original: ArtifactRecord,
  records: ArtifactRecord | undefined,
): FileAccount {
  const {tally} = reading
  const status: FileStatus = failure ? (tally.loaded > 0 ? 'partial' : 'malformed') : tally.loaded === 0 ? 'nothing-usable' : tally.skipped > 0 ? 'partial' : 'imported'
  return {
    file: input.uri,
    status,
    ...(failure && tally.loaded === 0 ? {} : {shape: reading.shape(form)}),
    ...(tally.loaded === 0 ? {} : {mappings: tally.mappings}),
    loaded: tally.loaded,
    skipped: tally.skipped,
    skips: tally.classes(),
    ...(Object.keys(tally.timeFrom).length === 0 ? {} : {timeFrom: tally.timeFrom}),
    ...(failure ? {code: failure.code, reason: failure.message} : status === 'nothing-usable' ? {code: 'no-records', reason: nothingUsable(tally)} : {}),
    original: original.key,
    ...(records ? {records: records.key} : {}),
  }
}

function nothingUsable(tally: FileTally): string {
  if (tally.skipped === 0) return 'holds no record (an empty file, or an empty list)'
  return `no usable record: ${describeSkips(tally.classes())}`
}
