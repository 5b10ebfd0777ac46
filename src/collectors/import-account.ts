import {eventTimeMicros, shipperTime} from '../core/event-time.js'
import {describe, looksLikeRecord, type Candidate, type Mapping} from './cloudtrail-shapes.js'

/** The deepest nesting a record may have: far beyond any CloudTrail record, well within what can be written back. */
export const MAX_DEPTH = 128

/** Why an input item was not loaded: every skip is one of these, counted per file and in total. */
export const SKIP_REASONS = {
  'invalid-json': 'a line that is not JSON',
  'too-large': 'a line longer than the largest value read',
  'too-deep': `nested deeper than ${MAX_DEPTH} levels`,
  'not-an-object': 'an item that is not a JSON object',
  'not-cloudtrail': 'a JSON value of no CloudTrail shape',
  'no-event-time': 'a record with no eventTime (missing or null) and no time from its wrapper',
  'invalid-event-time': 'a record whose eventTime is not an ISO 8601 time load can read',
} as const

export type SkipReason = keyof typeof SKIP_REASONS


/** Where a skipped item was: its line (NDJSON, 1-based), its index in an array or Records[], or both. */
export interface Position {
  line?: number
  item?: number
}

export interface SkipClass {
  reason: SkipReason
  count: number
  /** The first few positions, in file order. */
  first: Position[]
  /** What the first one held (for not-cloudtrail: the keys found). */
  example?: string
}

/** How many positions of each skip class are kept for the summary (all are counted). */
export const FIRST_POSITIONS = 5

export const formatPosition = (p: Position): string =>
  [p.line === undefined ? undefined : `line ${p.line}`, p.item === undefined ? undefined : `item ${p.item}`].filter((s) => s !== undefined).join(' ') || 'the document'

/** The counts of one file as it is read: records loaded, items skipped by reason, and how records were reached. */
export class FileTally {
  loaded = 0
  skipped = 0
  readonly skips = new Map<SkipReason, SkipClass>()
  readonly mappings: Partial<Record<Mapping, number>> = {}
  /** Records whose eventTime came from their wrapper, by the wrapper's field. */
  readonly timeFrom: Record<string, number> = {}
  newest: string | undefined
  oldest: string | undefined

  skip(reason: SkipReason, at: Position, example?: string): void {
    this.skipped++
    let c = this.skips.get(reason)
    if (!c) this.skips.set(reason, (c = {reason, count: 0, first: [], ...(example === undefined ? {} : {example})}))
    c.count++
    if (c.first.length < FIRST_POSITIONS) c.first.push(at)
  }

  /** A candidate checked and, when it is a usable record, returned (its eventTime filled from its wrapper when it had none). */
  accept(c: Candidate, at: Position): Record<string, unknown> | undefined {
    const where = c.item === undefined || at.item !== undefined ? at : {...at, item: c.item}
    const v = c.value
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return void this.skip(c.presumed ? 'not-an-object' : 'not-cloudtrail', where, describe(v))
    const record = v as Record<string, unknown>
    if (!c.presumed && !looksLikeRecord(record)) return void this.skip('not-cloudtrail', where, describe(record))
    if (depthExceeds(record, MAX_DEPTH)) return void this.skip('too-deep', where)
    const filled = this.time(record, c, where)
    if (!filled) return undefined
    this.loaded++
    this.mappings[c.mapping] = (this.mappings[c.mapping] ?? 0) + 1
    return filled
  }

  private time(record: Record<string, unknown>, c: Candidate, at: Position): Record<string, unknown> | undefined {
    let out = record
    if (record.eventTime === undefined || record.eventTime === null) {
      const fromWrapper = c.time === undefined ? undefined : shipperTime(c.time.value)
      if (fromWrapper === undefined) return void this.skip('no-event-time', at)
      out = {...record, eventTime: fromWrapper}
      this.timeFrom[c.time!.field] = (this.timeFrom[c.time!.field] ?? 0) + 1
    }
    const micros = eventTimeMicros(out.eventTime)
    if (micros === undefined) return void this.skip('invalid-event-time', at, JSON.stringify(out.eventTime).slice(0, 60))
    const iso = new Date(Math.floor(micros / 1000)).toISOString()
    if (this.newest === undefined || iso > this.newest) this.newest = iso
    if (this.oldest === undefined || iso < this.oldest) this.oldest = iso
    return out
  }

  /** Forgets the line of every position kept: the file was one document on one line. */
  dropLines(): void {
    for (const c of this.skips.values()) c.first = c.first.map(({line: _line, ...p}) => p)
  }

  /** The skip classes, most frequent first. */
  classes(): SkipClass[] {
    return [...this.skips.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
  }
}

/** Whether a value nests deeper than `max` levels, found without recursion (a value may be 10,000 levels deep). */
export function depthExceeds(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [v, d] = stack.pop()!
    if (typeof v !== 'object' || v === null) continue
    if (d > max) return true
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, d + 1])
  }
  return false
}

/** One line per skip class: `12 invalid-json (lines 3, 7, 9, …)`. */
export function describeSkips(classes: readonly SkipClass[]): string {
  return classes
    .map((c) => `${c.count} ${c.reason} (${c.first.map(formatPosition).join(', ')}${c.count > c.first.length ? ', …' : ''})${c.example === undefined ? '' : `: ${c.example}`}`)
    .join('; ')
}
