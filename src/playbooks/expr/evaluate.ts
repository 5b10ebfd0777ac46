import {ExpressionError} from './tokens.js'
import {parseTemplate, type Expr, type Segment} from './parse.js'

/** Stands for a step result that does not exist, because the step failed, was skipped or has not run. */
export class Unavailable {
  constructor(readonly reason: string) {
    Object.freeze(this)
  }
}

/** Raised when an expression reaches an Unavailable value: the step that needs it cannot run. */
export class UnavailableError extends Error {
  constructor(readonly reason: string) {
    super(reason)
    this.name = 'UnavailableError'
  }
}

/** The data an expression may read: JSON values under named roots (params, targets, steps, run, result). */
export type Scope = Readonly<Record<string, unknown>>

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const proto = Object.getPrototypeOf(v) as unknown
  return proto === Object.prototype || proto === null
}

/** A value's own field or element; never a property reached through a prototype. */
function step(value: unknown, segment: Segment): unknown {
  if (value instanceof Unavailable) throw new UnavailableError(value.reason)
  if (segment.kind === 'wildcard') {
    if (Array.isArray(value)) return value
    if (isPlainObject(value)) return Object.values(value)
    return null
  }
  if (segment.kind === 'index') return Array.isArray(value) && segment.index < value.length ? (value[segment.index] ?? null) : null
  if (isPlainObject(value) && Object.hasOwn(value, segment.name)) return value[segment.name] ?? null
  return null
}

/**
 * Follows a path. After a `*`, the remaining segments apply to every element, and elements where
 * they lead nowhere (null) are dropped: `steps.snapshot.result.functions.*.role` lists the roles.
 */
function followPath(root: unknown, segments: readonly Segment[]): unknown {
  let value = root
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!
    if (s.kind === 'wildcard') {
      const items = step(value, s)
      if (!Array.isArray(items)) return null
      const rest = segments.slice(i + 1)
      return items.map((item) => followPath(item, rest)).filter((v) => v !== null && v !== undefined)
    }
    value = step(value, s)
  }
  if (value instanceof Unavailable) throw new UnavailableError(value.reason)
  return value ?? null
}

/** false, null, 0, '' and empty lists and objects are false; everything else is true. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false
  if (Array.isArray(v)) return v.length > 0
  if (isPlainObject(v)) return Object.keys(v).length > 0
  return true
}

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v === 'object' ? 'object' : typeof v)

function equal(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b
  return JSON.stringify(a) === JSON.stringify(b)
}

function order(a: unknown, b: unknown, offset: number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  throw new ExpressionError(`cannot order ${typeName(a)} against ${typeName(b)}: compare two numbers or two strings`, offset)
}

function callFunction(name: string, args: unknown[], offset: number): unknown {
  const [a, b] = args
  switch (name) {
    case 'contains':
      if (typeof a === 'string') return typeof b === 'string' || typeof b === 'number' ? a.includes(String(b)) : false
      return Array.isArray(a) ? a.some((x) => equal(x, b)) : false
    case 'startsWith':
      return typeof a === 'string' && typeof b === 'string' && a.startsWith(b)
    case 'endsWith':
      return typeof a === 'string' && typeof b === 'string' && a.endsWith(b)
    case 'length':
      if (a === null) return 0
      if (typeof a === 'string' || Array.isArray(a)) return a.length
      if (isPlainObject(a)) return Object.keys(a).length
      throw new ExpressionError(`length() of a ${typeName(a)}`, offset)
    case 'join': {
      const sep = b === undefined ? ',' : String(b)
      if (typeof a === 'string') return a
      if (!Array.isArray(a)) throw new ExpressionError(`join() of a ${typeName(a)}: give a list`, offset)
      return a.map((x) => scalarText(x, offset)).join(sep)
    }
    case 'unique': {
      if (!Array.isArray(a)) throw new ExpressionError(`unique() of a ${typeName(a)}: give a list`, offset)
      const seen = new Set<string>()
      return a.filter((x) => {
        const key = JSON.stringify(x)
        if (x === null || seen.has(key)) return false
        seen.add(key)
        return true
      })
    }
    case 'format':
      return format(args, offset)
    default:
      throw new ExpressionError(`unknown function ${name}()`, offset, 'unknown-function')
  }
}

/**
 * `format('/aws/lambda/{0}', name)`: {0}, {1}… replaced by the arguments. One argument may be a
 * list: the result is then a list, one text per element (`format('/aws/lambda/{0}', names)`).
 */
function format(args: readonly unknown[], offset: number): unknown {
  const [template, ...values] = args
  if (typeof template !== 'string') throw new ExpressionError(`format() takes a text template first, not a ${typeName(template)}`, offset)
  const lists = values.filter(Array.isArray)
  if (lists.length > 1) throw new ExpressionError('format() takes at most one list among its values', offset)
  const fill = (vs: readonly unknown[]): string => template.replace(/\{(\d)\}/g, (whole, i: string) => (Number(i) < vs.length ? scalarText(vs[Number(i)], offset) : whole))
  if (lists.length === 0) return fill(values)
  return (lists[0] as unknown[]).map((item) => fill(values.map((v) => (Array.isArray(v) ? item : v))))
}

function scalarText(v: unknown, offset: number): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  throw new ExpressionError(`a ${typeName(v)} cannot be written into text: pick a field, or use join()`, offset)
}

/** Evaluates a parsed expression over `scope`; it reads nothing but the scope. */
export function evaluate(expr: Expr, scope: Scope): unknown {
  switch (expr.type) {
    case 'literal':
      return expr.value
    case 'path': {
      if (!Object.hasOwn(scope, expr.root)) throw new ExpressionError(`unknown name ${expr.root}`, expr.offset)
      return followPath(scope[expr.root], expr.segments)
    }
    case 'call':
      return callFunction(expr.name, expr.args.map((a) => evaluate(a, scope)), expr.offset)
    case 'not':
      return !truthy(evaluate(expr.operand, scope))
    case 'logical': {
      const left = evaluate(expr.left, scope)
      if (expr.op === '&&') return truthy(left) ? evaluate(expr.right, scope) : left
      return truthy(left) ? left : evaluate(expr.right, scope)
    }
    case 'compare': {
      const l = evaluate(expr.left, scope)
      const r = evaluate(expr.right, scope)
      if (expr.op === '==') return equal(l, r)
      if (expr.op === '!=') return !equal(l, r)
      const c = order(l, r, expr.offset)
      return expr.op === '<' ? c < 0 : expr.op === '<=' ? c <= 0 : expr.op === '>' ? c > 0 : c >= 0
    }
  }
}

/**
 * A playbook string with its expressions evaluated: a string that is one `${{ … }}` alone gives
 * the value itself (a list stays a list); text around expressions gives text.
 */
export function renderTemplate(text: string, scope: Scope): unknown {
  const parts = parseTemplate(text)
  const only = parts.filter((p) => !('text' in p) || p.text.trim() !== '')
  if (only.length === 1 && 'expr' in only[0]!) return evaluate(only[0].expr, scope)
  return parts.map((p) => ('text' in p ? p.text : scalarText(evaluate(p.expr, scope), p.offset))).join('')
}

/** A `with:` value with every string's expressions evaluated, lists and objects walked. */
export function renderValue(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string') return value.includes('${{') ? renderTemplate(value, scope) : value
  if (Array.isArray(value)) return value.map((v) => renderValue(v, scope))
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v, scope)]))
  return value
}

/** A `when:` condition, written with or without `${{ }}`, as true or false. */
export function evaluateCondition(condition: string, scope: Scope): boolean {
  return truthy(renderTemplate(conditionTemplate(condition), scope))
}

/** `when:` may be a bare expression (as GitHub Actions' `if:`); this wraps it once. */
export const conditionTemplate = (condition: string): string => (condition.includes('${{') ? condition : `\${{ ${condition} }}`)
