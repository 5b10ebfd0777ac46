import {usageError} from './errors.js'

const UNITS: Record<string, number> = {s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000}

/** A duration such as `90s`, `15m`, `24h`, `1.5d`, `2w`, in milliseconds; undefined if it is not one. */
export function parseDuration(spec: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(spec.trim())
  return m ? Number(m[1]) * UNITS[m[2]!.toLowerCase()]! : undefined
}

/**
 * A `--since`/`--until` value: an ISO 8601 time (a date alone means its midnight UTC), or a
 * duration meaning that long before `now`. `flag` names the flag in the error, e.g. `since`.
 */
export function parseTimeSpec(spec: string, now: Date, flag: string): Date {
  const ago = parseDuration(spec)
  if (ago !== undefined) return new Date(now.getTime() - ago)
  const d = /^\d{4}-\d{2}-\d{2}/.test(spec.trim()) ? new Date(spec.trim()) : new Date(Number.NaN)
  if (Number.isNaN(d.getTime())) {
    const name = flag.startsWith('--') ? flag : `--${flag}`
    throw usageError('invalid-time', `${name} ${JSON.stringify(spec)} is neither an ISO 8601 time nor a duration.`, 'Use e.g. 2026-11-20T08:00:00Z, 2026-11-20, or an age such as 30m, 24h, 7d.')
  }
  return d
}
