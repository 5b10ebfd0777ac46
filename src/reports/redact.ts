import {redactText} from '../analysis/output.js'

/** What a secret value is replaced with (as in every other output). */
const REDACTED = '[redacted]'

/** Secret values shorter than this are hidden only where they sit in a Variables object: hunting them everywhere would blank ordinary words. */
export const MIN_SECRET_LENGTH = 6

export type Redact = <T>(value: T) => T

/**
 * A function that hides secrets in any value: every Lambda environment value of the case wherever
 * it appears (a log line, a finding's details, a request parameter), and the values of any
 * Variables object; or, with `show`, a function that changes nothing.
 */
export function redactor(secrets: readonly string[], show: boolean): Redact {
  if (show) return (v) => v
  const values = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length)
  const text = (s: string): string => {
    let out = redactText(s)
    for (const v of values) if (out.includes(v)) out = out.split(v).join(REDACTED)
    return out
  }
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v)
    if (Array.isArray(v)) return v.map(walk)
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v)) out[text(k)] = k === 'Variables' || k === 'variables' ? hideValues(x) : walk(x)
      return out
    }
    return v
  }
  return <T>(value: T): T => walk(value) as T
}

function hideValues(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return typeof v === 'string' ? REDACTED : v
  return Object.fromEntries(Object.keys(v).map((k) => [k, REDACTED]))
}
