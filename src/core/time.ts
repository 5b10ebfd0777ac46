import {usageError} from './errors.js'

const UNITS: Record<string, number> = {s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000}

/** A duration such as `90s`, `15m`, `24h`, `1.5d`, `2w`, in milliseconds; undefined if it is not one. */
export function parseDuration(spec: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(spec.trim())
  return m ? Number(m[1]) * UNITS[m[2]!.toLowerCase()]! : undefined
}

// A date, optionally a time (minutes at least, `T` or one space between), optionally an offset.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/

/**
 * An ISO 8601 instant: a date alone is its midnight UTC, and a time without an offset is UTC (as
 * the AWS CLI reads one). Every field is range-checked, so `2026-02-30` or `24:00` are refused
 * rather than rolled over. Undefined if the text is not one.
 */
export function parseIsoInstant(text: string): Date | undefined {
  const m = ISO.exec(text.trim())
  if (!m) return undefined
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((v) => (v === undefined ? undefined : Number(v))) as number[]
  const fraction = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000)
  const offset = offsetMinutes(m[8])
  if (offset === undefined || month! < 1 || month! > 12 || hour > 23 || minute > 59 || second > 59) return undefined
  const ms = Date.UTC(year!, month! - 1, day!, hour, minute, second, fraction)
  const d = new Date(ms)
  if (d.getUTCDate() !== day || d.getUTCMonth() !== month! - 1) return undefined
  return new Date(ms - offset * 60_000)
}

function offsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)
  if (!m) return undefined
  const hours = Number(m[2])
  const minutes = Number(m[3] ?? 0)
  if (hours > 23 || minutes > 59) return undefined
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes)
}

/** What every time value accepts, in the one message a wrong one gets. */
export const TIME_SYNTAX = 'an ISO 8601 time (2026-11-20T08:00:00Z, 2026-11-20T09:00+01:00, 2026-11-20), a duration before now (90m, 24h, 7d, 2w) or now'

/** The one message for a time that cannot be read, naming where it was given (`--since`, `parameter "since"`). */
export function invalidTimeMessage(where: string, spec: string): string {
  return `${where} ${JSON.stringify(spec)} is not a time: give ${TIME_SYNTAX}.`
}

/** The instant a time value names, or undefined when it names none: ISO 8601, a duration before `now`, or `now`. */
export function readTimeSpec(spec: string, now: Date): Date | undefined {
  const text = spec.trim()
  if (text.toLowerCase() === 'now') return new Date(now.getTime())
  const ago = parseDuration(text)
  if (ago !== undefined) return new Date(now.getTime() - ago)
  return parseIsoInstant(text)
}

/**
 * A time given by the user (`--since`, `--until`, a query's or a playbook's timestamp parameter):
 * ISO 8601, a duration meaning that long before `now`, or `now`. The one parser of such values;
 * `name` says where it was given in the error, e.g. `since` (shown as `--since`) or `parameter "since"`.
 */
export function parseTimeSpec(spec: string, now: Date, name: string): Date {
  const d = readTimeSpec(spec, now)
  if (d === undefined) {
    const where = /^[a-z][a-z0-9-]*$/.test(name) ? `--${name}` : name
    throw usageError('invalid-time', invalidTimeMessage(where, spec), 'e.g. --since 2026-11-20T08:00:00Z, --since 24h, --until now.')
  }
  return d
}

/** A time flag's value as the ISO 8601 instant steps take (steps are given absolute times, so the journal records the window itself). */
export function timeFlagIso(spec: string | undefined, now: Date, name: string): string | undefined {
  return spec === undefined ? undefined : parseTimeSpec(spec, now, name).toISOString()
}
