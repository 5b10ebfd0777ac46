import {z} from 'zod'
import {paramsJsonSchema} from '../steps/params.js'
import type {AnyStep} from '../steps/step.js'
import {fits, type StaticType} from './expr/analyse.js'
import {parseTemplate, type Expr} from './expr/parse.js'
import type {CompiledStep} from './compile.js'
import {closest} from '../core/suggest.js'
import type {PathPart, PlaybookSource} from './source.js'

interface JsonSchema {
  type?: string | string[]
  items?: JsonSchema
  properties?: Record<string, JsonSchema>
  required?: string[]
  description?: string
}

/**
 * Parameters the engine sets itself, never a playbook: a containment step's `apply` (from --apply
 * only) and `maxResources` (from the max-resources guard), and any step's `resume` (from --resume).
 */
export function engineManagedKeys(def: AnyStep): string[] {
  const props = Object.keys((paramsJsonSchema(def) as JsonSchema).properties ?? {})
  const managed = def.kind === 'contain' ? ['apply', 'maxResources', 'resume'] : ['resume']
  return managed.filter((k) => props.includes(k))
}

const hasExpression = (v: unknown): boolean =>
  typeof v === 'string' ? v.includes('${{') : Array.isArray(v) ? v.some(hasExpression) : v !== null && typeof v === 'object' ? Object.values(v).some(hasExpression) : false

/** The one expression a string is, when it is nothing else (its value keeps its type). */
function soleExpression(text: string): Expr | undefined {
  try {
    const parts = parseTemplate(text).filter((p) => !('text' in p) || p.text.trim() !== '')
    return parts.length === 1 && 'expr' in parts[0]! ? parts[0].expr : undefined
  } catch {
    return undefined
  }
}

/**
 * A call's `with:` against its step's own parameter schema: unknown keys (with a suggestion),
 * required keys left out, literal values the schema refuses, and expressions whose type cannot fit.
 */
export function checkWith(source: PlaybookSource, step: CompiledStep, def: AnyStep, typeOf: (expr: Expr) => StaticType): void {
  const schema = paramsJsonSchema(def) as JsonSchema
  const props = schema.properties ?? {}
  const shape = def.params instanceof z.ZodObject ? (def.params.shape as Record<string, z.ZodType>) : {}
  const managed = engineManagedKeys(def)
  const at = (key: string): PathPart[] => [...step.path, 'with', key]
  for (const [key, value] of Object.entries(step.with)) {
    if (managed.includes(key)) {
      source.issue(at(key), 'error', 'engine-managed-key', `step ${step.id}: ${key} is set by coroner itself (${key === 'apply' ? 'from --apply' : key === 'resume' ? 'from --resume' : 'from max-resources:'}), never by a playbook`, {key: true})
      continue
    }
    const prop = props[key]
    if (!prop) {
      const best = closest(key, Object.keys(props))
      source.issue(at(key), 'error', 'unknown-with-key', `step ${step.id}: ${def.id} has no parameter ${JSON.stringify(key)}${best === undefined ? '' : `; did you mean ${JSON.stringify(best)}?`} (it takes ${Object.keys(props).join(', ')})`, {key: true})
      continue
    }
    checkValue(source, step, key, at(key), value, prop, shape[key], typeOf)
  }
  for (const key of schema.required ?? []) {
    if (!Object.hasOwn(step.with, key) && !managed.includes(key)) {
      source.issue([...step.path, Object.keys(step.with).length > 0 ? 'with' : 'uses'], 'error', 'missing-with-key', `step ${step.id}: ${def.id} needs ${key} (${props[key]?.description ?? 'required'})`, {key: true})
    }
  }
}

function checkValue(source: PlaybookSource, step: CompiledStep, key: string, path: PathPart[], value: unknown, prop: JsonSchema, zodType: z.ZodType | undefined, typeOf: (expr: Expr) => StaticType): void {
  if (!hasExpression(value)) {
    if (!zodType) {
      const actual = literalType(value)
      if (!fits(actual, prop.type)) source.issue(path, 'error', 'invalid-with-value', `step ${step.id}: ${key} takes ${describeType(prop.type)}, not ${JSON.stringify(value)}`)
      return
    }
    const parsed = zodType.safeParse(value)
    if (!parsed.success) {
      const first = parsed.error.issues[0]!
      const inner = first.path.length === 0 ? '' : `[${first.path.join('.')}]`
      source.issue([...path, ...first.path.filter((p): p is PathPart => typeof p !== 'symbol')], 'error', 'invalid-with-value', `step ${step.id}: ${key}${inner}: ${first.message}`)
    }
    return
  }
  if (typeof value === 'string') {
    const expr = soleExpression(value)
    const actual: StaticType = expr ? typeOf(expr) : 'string'
    if (!fits(actual, prop.type)) {
      source.issue(path, 'error', 'invalid-with-value', `step ${step.id}: ${key} takes ${describeType(prop.type)}, but ${JSON.stringify(value)} gives ${article(actual)}`)
    }
    return
  }
  if (Array.isArray(value)) {
    if (!fits('array', prop.type)) source.issue(path, 'error', 'invalid-with-value', `step ${step.id}: ${key} takes ${describeType(prop.type)}, not a list`)
    else if (prop.items) value.forEach((v, i) => checkValue(source, step, `${key}[${i}]`, [...path, i], v, prop.items!, undefined, typeOf))
  }
}

const literalType = (v: unknown): StaticType =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'boolean' : 'object'

const article = (t: string): string => (t === 'array' ? 'a list' : /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`)
const describeType = (t: string | string[] | undefined): string => (t === undefined ? 'a value' : typeof t === 'string' ? article(t) : t.map(article).join(' or '))
