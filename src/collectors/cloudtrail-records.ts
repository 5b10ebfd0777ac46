import type {MalformedInputCode} from '../core/error-codes.js'
import {CoronerError} from '../core/errors.js'
import type {GapCode} from '../evidence/gap.js'
import {createHash} from 'node:crypto'
import {parseEventTime} from '../core/event-time.js'
import {MAX_DEPTH, depthExceeds} from './import-account.js'
import {promisify} from 'node:util'
import {gunzip as gunzipCallback} from 'node:zlib'

const gunzipAsync = promisify(gunzipCallback)

/** Why a CloudTrail input file could not be read, named so a responder knows what to look at. */
export class MalformedInputError extends CoronerError {
  /** What is wrong with it; the gap recorded for it has the same code. */
  declare readonly code: MalformedInputCode & GapCode
  constructor(code: MalformedInputCode & GapCode, message: string) {
    super(code, message)
    this.name = 'MalformedInputError'
  }
}

export const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b

/**
 * The most a CloudTrail file may hold uncompressed: far more than any delivery file, and half of
 * what one JSON text can be in V8. A few hundred KiB of gzip can inflate to gigabytes; past this
 * the file is refused as malformed (and kept as it is) instead of exhausting memory.
 */
export const MAX_INFLATED_BYTES = 256 * 1024 * 1024

const tooLarge = (what: string): MalformedInputError =>
  new MalformedInputError('too-large', `${what} more than ${MAX_INFLATED_BYTES / (1024 * 1024)} MiB; kept as it is but not read (split it into smaller files to import it)`)

/** The uncompressed bytes of a file that may or may not be gzip-compressed, up to MAX_INFLATED_BYTES. */
export async function inflate(bytes: Buffer): Promise<Buffer> {
  if (!isGzip(bytes)) {
    if (bytes.length > MAX_INFLATED_BYTES) throw tooLarge('holds')
    return bytes
  }
  try {
    return await gunzipAsync(bytes, {maxOutputLength: MAX_INFLATED_BYTES})
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge('inflates to')
    throw new MalformedInputError('truncated-gzip', `gzip data is truncated or corrupt (${(error as Error).message})`)
  }
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** What a delivery file holds, once checked. */
export interface DeliveryFile {
  records: number
  newestEventTime?: string
  oldestEventTime?: string
}

/**
 * Checks a trail's delivery file (`{"Records": [...]}`) before it is stored as one: every record
 * an object, with an `eventTime` load reads the same way (core/event-time.ts), nested no deeper
 * than MAX_DEPTH. A file that fails is named by the first record that does; files of other shapes
 * dropped into an archive are imported instead, record by record (collectors/cloudtrail-import.ts).
 */
export function checkDeliveryFile(text: string): DeliveryFile {
  let doc: unknown
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (error) {
    throw new MalformedInputError('invalid-json', `not valid JSON (${(error as Error).message})`)
  }
  if (!isObject(doc) || !Array.isArray(doc.Records)) throw new MalformedInputError('unknown-shape', 'not a {"Records": [...]} delivery file')
  const out: DeliveryFile = {records: doc.Records.length}
  const bad: string[] = []
  let deep: number | undefined
  doc.Records.forEach((item, index) => {
    if (!isObject(item)) return void bad.push(`record ${index}: not a JSON object`)
    if (deep === undefined && depthExceeds(item, MAX_DEPTH)) deep = index
    const t = parseEventTime(item.eventTime)
    if (t === undefined) return void bad.push(`record ${index}: ${item.eventTime === undefined || item.eventTime === null ? 'no eventTime' : `eventTime ${JSON.stringify(item.eventTime).slice(0, 60)} is not an ISO 8601 time`}`)
    const iso = t.toISOString()
    if (out.newestEventTime === undefined || iso > out.newestEventTime) out.newestEventTime = iso
    if (out.oldestEventTime === undefined || iso < out.oldestEventTime) out.oldestEventTime = iso
  })
  if (deep !== undefined) throw new MalformedInputError('too-deep', `record ${deep} nests deeper than ${MAX_DEPTH} levels`)
  if (bad.length > 0) throw new MalformedInputError('record-without-eventTime', `${bad[0]} (${bad.length} such record(s))`)
  return out
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
