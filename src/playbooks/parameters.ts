import {SELECTOR_HELP, parseSelector} from '../collectors/lambda-targets.js'
import {TIME_SYNTAX, parseDuration, readTimeSpec} from '../core/time.js'
import type {ParameterDocument, ParameterType} from './schema.js'

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/
const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/

type Checked = {ok: true; value: unknown} | {ok: false; message: string}
const ok = (value: unknown): Checked => ({ok: true, value})
const bad = (message: string): Checked => ({ok: false, message})

/** The element type of a list-valued parameter type, or undefined for a scalar one. */
export function itemType(p: Pick<ParameterDocument, 'type' | 'items'>): string | undefined {
  if (p.type === 'regions') return 'region'
  if (p.type === 'functions') return 'selector'
  if (p.type === 'list') return p.items ?? 'string'
  return undefined
}

/** The JSON type a parameter's value has once resolved (what an expression reading it yields). */
export function parameterJsonType(p: Pick<ParameterDocument, 'type' | 'items' | 'choices'>): 'string' | 'integer' | 'boolean' | 'array' | 'number' {
  if (itemType(p) !== undefined) return 'array'
  if (p.type === 'int') return 'integer'
  if (p.type === 'bool') return 'boolean'
  if (p.type === 'choice' && p.choices?.every((c) => typeof c === 'number')) return 'number'
  return 'string'
}

/** One scalar checked against a type: from YAML (typed) or the command line (text). */
function scalar(type: string, raw: unknown, now: Date, choices?: ReadonlyArray<string | number>): Checked {
  const text = typeof raw === 'string' ? raw.trim() : undefined
  switch (type) {
    case 'int': {
      const n = typeof raw === 'number' ? raw : text !== undefined && /^-?\d+$/.test(text) ? Number(text) : Number.NaN
      return Number.isSafeInteger(n) ? ok(n) : bad(`${JSON.stringify(raw)} is not a whole number`)
    }
    case 'bool':
      if (typeof raw === 'boolean') return ok(raw)
      if (text !== undefined && /^(true|yes|1)$/i.test(text)) return ok(true)
      if (text !== undefined && /^(false|no|0)$/i.test(text)) return ok(false)
      return bad(`${JSON.stringify(raw)} is not true or false`)
    case 'choice': {
      const found = choices?.find((c) => c === raw || String(c) === text)
      return found === undefined ? bad(`${JSON.stringify(raw)} is not one of ${(choices ?? []).map((c) => JSON.stringify(c)).join(', ')}`) : ok(found)
    }
  }
  if (text === undefined || text === '') return bad(`${JSON.stringify(raw)} is not a non-empty string`)
  switch (type) {
    case 'duration':
      return parseDuration(text) === undefined ? bad(`${JSON.stringify(text)} is not a duration such as 30m, 12h, 7d or 2w`) : ok(text)
    case 'timestamp': {
      const at = readTimeSpec(text, now)
      return at === undefined ? bad(`${JSON.stringify(text)} is not a time: give ${TIME_SYNTAX}`) : ok(at.toISOString())
    }
    case 'arn':
      return ARN.test(text) ? ok(text) : bad(`${JSON.stringify(text)} is not an ARN (arn:aws:service:region:account:resource)`)
    case 'region':
      return REGION.test(text) ? ok(text) : bad(`${JSON.stringify(text)} is not an AWS region such as eu-west-1`)
    case 'function': {
      const s = parseSelector(text)
      return s?.kind === 'name' || s?.kind === 'arn' ? ok(text) : bad(`${JSON.stringify(text)} is not a function name or ARN`)
    }
    case 'selector':
      return parseSelector(text) === undefined ? bad(`${JSON.stringify(text)} is not ${SELECTOR_HELP}`) : ok(text)
    default:
      return ok(text)
  }
}

/**
 * A parameter's value checked against its type and made what steps are given: a timestamp (or an
 * age such as 7d) becomes an ISO 8601 time relative to `now`, a list given as text is split on
 * commas. `raw` is a YAML default, or the text(s) of `--param name=value`.
 */
export function checkParameter(p: ParameterDocument, raw: unknown, now: Date): Checked {
  const items = itemType(p)
  if (items === undefined) {
    const single = Array.isArray(raw) ? (raw.length === 1 ? raw[0] : undefined) : raw
    if (single === undefined) return bad(`a ${p.type} takes one value, ${JSON.stringify(raw)} has ${Array.isArray(raw) ? raw.length : 0}`)
    return scalar(p.type, single, now, p.choices)
  }
  const list = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s !== '') : [v]))
  if (list.length === 0) return bad('the list is empty')
  const values: unknown[] = []
  for (const item of list) {
    const c = scalar(items, item, now)
    if (!c.ok) return c
    values.push(c.value)
  }
  return ok(values)
}

/** How a resolved parameter got its value. */
export type ParameterSource = 'given' | 'default' | 'missing'

export interface ResolvedParameters {
  values: Record<string, unknown>
  sources: Record<string, ParameterSource>
  problems: Array<{name: string; code: 'unknown-parameter' | 'invalid-parameter' | 'missing-parameter'; message: string}>
}

/**
 * Every declared parameter's value: given (`--param`), else its default, else missing (an error
 * for a required one). An optional parameter with neither is null. Unknown names are problems.
 */
export function resolveParameters(declared: Readonly<Record<string, ParameterDocument>>, given: ReadonlyMap<string, readonly string[]>, now: Date): ResolvedParameters {
  const out: ResolvedParameters = {values: {}, sources: {}, problems: []}
  for (const name of given.keys()) {
    if (!Object.hasOwn(declared, name)) out.problems.push({name, code: 'unknown-parameter', message: `the playbook has no parameter ${JSON.stringify(name)}; it takes ${Object.keys(declared).join(', ') || 'none'}`})
  }
  for (const [name, p] of Object.entries(declared)) {
    const raw = given.get(name)
    const from: ParameterSource = raw !== undefined ? 'given' : p.default !== undefined ? 'default' : 'missing'
    out.sources[name] = from
    if (from === 'missing') {
      out.values[name] = null
      if (p.required) out.problems.push({name, code: 'missing-parameter', message: `parameter ${name} is required: give --param ${name}=… (${p.description})`})
      continue
    }
    const checked = checkParameter(p, raw ?? p.default, now)
    if (checked.ok) out.values[name] = checked.value
    else out.problems.push({name, code: 'invalid-parameter', message: `parameter ${name} (${describeType(p)}): ${checked.message}`})
  }
  return out
}

/** `functions`, `list of region`, `choice of a, b`. */
export function describeType(p: Pick<ParameterDocument, 'type' | 'items' | 'choices'>): string {
  if (p.type === 'list') return `list of ${p.items ?? 'string'}`
  if (p.type === 'choice') return `choice of ${(p.choices ?? []).join(', ')}`
  return p.type satisfies ParameterType
}
