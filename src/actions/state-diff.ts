import type {Json} from './action.js'

/** One field that differs between two states: its dotted path, and its value on each side (null: absent). */
export interface Difference {
  path: string
  from: Json
  to: Json
}

/** JSON with object keys sorted, so that two states compare equal however AWS ordered their fields. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value))
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key]
    if (v !== undefined) out[key] = sortKeys(v)
  }
  return out
}

export const sameJson = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b)

const isObject = (v: unknown): v is {[key: string]: Json} => v !== null && typeof v === 'object' && !Array.isArray(v)

/**
 * Field-by-field differences from `a` to `b`. Objects are walked key by key (states keep their
 * collections as objects keyed by id: mappings by UUID, statements by Sid), so a difference names
 * the one mapping or statement that changed; arrays and scalars compare as whole values.
 */
export function diffStates(a: Json | undefined, b: Json | undefined, prefix = ''): Difference[] {
  const left = a ?? null
  const right = b ?? null
  if (isObject(left) && isObject(right)) {
    const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])].sort()
    return keys.flatMap((k) => diffStates(left[k], right[k], prefix === '' ? k : `${prefix}.${k}`))
  }
  return sameJson(left, right) ? [] : [{path: prefix === '' ? '(state)' : prefix, from: left, to: right}]
}

/** A value for one line of a diff: JSON, cut short when long. */
export function shortJson(value: Json, max = 160): string {
  const text = value === null ? 'absent' : JSON.stringify(value)
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** `path: from → to`, the line a plan or a drift report shows for one difference. */
export const differenceLine = (d: Difference): string => `${d.path}: ${shortJson(d.from)} → ${shortJson(d.to)}`
