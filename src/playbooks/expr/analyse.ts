import type {Expr, Segment} from './parse.js'

/** A path an expression reads, e.g. `steps.snapshot.result.functions`. */
export interface Reference {
  root: string
  segments: readonly Segment[]
  /** Offset of the path in the expression's text. */
  offset: number
}

/** Every path an expression reads, in source order. */
export function references(expr: Expr): Reference[] {
  switch (expr.type) {
    case 'literal':
      return []
    case 'path':
      return [{root: expr.root, segments: expr.segments, offset: expr.offset}]
    case 'call':
      return expr.args.flatMap(references)
    case 'not':
      return references(expr.operand)
    case 'compare':
    case 'logical':
      return [...references(expr.left), ...references(expr.right)]
  }
}

/** The JSON type an expression yields, where it can be told without running it. */
export type StaticType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'null' | 'unknown'

/** The type of the value at a path, where the playbook declares it (parameters, targets, run). */
export type PathTyper = (ref: Reference) => StaticType

/** The type an expression yields, or `unknown` (step results are only known when they exist). */
export function staticType(expr: Expr, typeOfPath: PathTyper): StaticType {
  switch (expr.type) {
    case 'literal':
      if (expr.value === null) return 'null'
      if (typeof expr.value === 'number') return Number.isInteger(expr.value) ? 'integer' : 'number'
      return typeof expr.value === 'string' ? 'string' : 'boolean'
    case 'path':
      return typeOfPath({root: expr.root, segments: expr.segments, offset: expr.offset})
    case 'call':
      if (expr.name === 'length') return 'integer'
      if (expr.name === 'join') return 'string'
      if (expr.name === 'format') return 'unknown'
      return expr.name === 'unique' ? 'array' : 'boolean'
    case 'not':
    case 'compare':
      return 'boolean'
    case 'logical': {
      const l = staticType(expr.left, typeOfPath)
      return l === staticType(expr.right, typeOfPath) ? l : 'unknown'
    }
  }
}

/** Whether a value of type `actual` may fill a JSON Schema `type` (integer fills number). */
export function fits(actual: StaticType, expected: string | readonly string[] | undefined): boolean {
  if (actual === 'unknown' || expected === undefined) return true
  const wanted = typeof expected === 'string' ? [expected] : expected
  return wanted.includes(actual) || (actual === 'integer' && wanted.includes('number'))
}
