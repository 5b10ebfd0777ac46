import type {MalformedInputCode} from '../core/error-codes.js'
import {CoronerError} from '../core/errors.js'
import type {GapCode} from '../evidence/gap.js'
import {createHash} from 'node:crypto'
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

/** The shapes CloudTrail records are found in. */
export type RecordsShape = 'delivery-file' | 'array' | 'lookup-events' | 'ndjson'

export interface ParsedRecords {
  shape: RecordsShape
  records: Array<Record<string, unknown>>
  /** Items that are not usable records, with the reason; the rest are kept. */
  rejected: Array<{index: number; reason: string}>
  newestEventTime?: string
  oldestEventTime?: string
}

/**
 * Reads CloudTrail records from JSON text in any of the shapes responders are handed: a delivery
 * file (`{"Records": [...]}`), a bare array, saved LookupEvents output (`{"Events": [...]}`, each
 * `CloudTrailEvent` parsed) or NDJSON. Every record must be an object with an `eventTime`.
 */
export function parseRecords(text: string): ParsedRecords {
  let doc: unknown
  let shape: RecordsShape
  try {
    doc = JSON.parse(text)
    shape = Array.isArray(doc) ? 'array' : 'delivery-file'
  } catch (error) {
    const lines = text.split('\n').filter((l) => l.trim() !== '')
    const parsedLines = lines.length > 1 ? tryParseLines(lines) : undefined
    if (!parsedLines) throw new MalformedInputError('invalid-json', `not valid JSON (${(error as Error).message})`)
    doc = parsedLines
    shape = 'ndjson'
  }
  let items: unknown[]
  if (Array.isArray(doc)) items = doc
  else if (isObject(doc) && Array.isArray(doc.Records)) items = doc.Records
  else if (isObject(doc) && Array.isArray(doc.Events)) {
    shape = 'lookup-events'
    items = doc.Events.map((e) => {
      if (!isObject(e) || typeof e.CloudTrailEvent !== 'string') return e
      try {
        return JSON.parse(e.CloudTrailEvent) as unknown
      } catch {
        return e
      }
    })
  } else throw new MalformedInputError('unknown-shape', 'neither {"Records": [...]}, a JSON array, {"Events": [...]} nor NDJSON')
  const out: ParsedRecords = {shape, records: [], rejected: []}
  items.forEach((item, index) => {
    if (!isObject(item)) return out.rejected.push({index, reason: 'not a JSON object'})
    const t = item.eventTime
    if (typeof t !== 'string' || Number.isNaN(Date.parse(t))) return out.rejected.push({index, reason: 'no valid eventTime'})
    out.records.push(item)
    const iso = new Date(t).toISOString()
    if (out.newestEventTime === undefined || iso > out.newestEventTime) out.newestEventTime = iso
    if (out.oldestEventTime === undefined || iso < out.oldestEventTime) out.oldestEventTime = iso
    return undefined
  })
  return out
}

function tryParseLines(lines: string[]): unknown[] | undefined {
  const out: unknown[] = []
  for (const line of lines) {
    try {
      out.push(JSON.parse(line))
    } catch {
      return undefined
    }
  }
  return out
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
