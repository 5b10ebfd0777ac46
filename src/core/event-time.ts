/**
 * The one reading of a CloudTrail record's time, shared by import (which decides what is a usable
 * record) and load (which fills `event_time`): both apply EVENT_TIME_PATTERN, so a time import
 * accepts is never one load turns into NULL, and the other way round.
 *
 * The grammar is what CloudTrail and the tools that carry its records write:
 * `YYYY-MM-DDTHH:MM:SS`, a space allowed for the `T` (CloudTrail Lake), up to nine fraction digits
 * (kept to the microsecond, as DuckDB keeps them), and `Z`, `±HH:MM` or `±HHMM`; a time without an
 * offset is UTC. Years 1970 to 9999. Every field is range-checked and the day checked against its
 * month, so `2026-02-30` or `24:00:00` are refused rather than rolled over (JavaScript's own date
 * parser rolls them over, and reads many more forms than DuckDB does).
 */
export const EVENT_TIME_PATTERN =
  '(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(?:\\.([0-9]{1,9}))?(Z|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])?'

const PATTERN = new RegExp(`^${EVENT_TIME_PATTERN}$`)

/** The instant a record's time names, in microseconds since the epoch; undefined when it names none. */
export function eventTimeMicros(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const m = PATTERN.exec(value)
  if (!m) return undefined
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined
  date.setUTCHours(hour, minute, second, 0)
  const micros = m[7] === undefined ? 0 : Number(m[7].padEnd(6, '0').slice(0, 6))
  return (date.getTime() - offsetMinutes(m[8]) * 60_000) * 1000 + micros
}

function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z') return 0
  const digits = zone.slice(1).replace(':', '')
  return (zone[0] === '-' ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)))
}

/** The instant a record's time names (to the millisecond), or undefined. */
export function parseEventTime(value: unknown): Date | undefined {
  const micros = eventTimeMicros(value)
  return micros === undefined ? undefined : new Date(Math.floor(micros / 1000))
}

/**
 * A time a log shipper recorded instead of `eventTime` (`@timestamp`, `_time`, a CloudWatch Logs
 * `timestamp`): a time in the same grammar, or epoch milliseconds (from 1e11, i.e. from 1973) or
 * seconds, as a number or a string of digits. Written back in CloudTrail's own form.
 */
export function shipperTime(value: unknown): string | undefined {
  if (typeof value === 'string' && eventTimeMicros(value) !== undefined) return canonical(parseEventTime(value)!)
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{9,13}(\.\d+)?$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isFinite(n) || n <= 0) return undefined
  const ms = n >= 1e11 ? n : n * 1000
  const d = new Date(Math.floor(ms))
  return d.getUTCFullYear() >= 1970 && d.getUTCFullYear() <= 9999 ? canonical(d) : undefined
}

/** `2026-11-20T10:00:00Z`, with milliseconds only when there are some. */
function canonical(d: Date): string {
  return d.getUTCMilliseconds() === 0 ? d.toISOString().replace('.000Z', 'Z') : d.toISOString()
}

/** The SQL macro load reads `eventTime` with: the same grammar, then DuckDB's cast (the session is in UTC). */
export const EVENT_TIME_MACRO = `CREATE OR REPLACE TEMP MACRO event_time(s) AS
  CASE WHEN regexp_full_match(s, '${EVENT_TIME_PATTERN.replaceAll("'", "''")}') THEN TRY_CAST(s AS TIMESTAMPTZ) END`
