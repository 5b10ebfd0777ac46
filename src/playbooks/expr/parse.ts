import {ExpressionError, tokenize, type Token} from './tokens.js'

/** One step into a value: an object key, a list index, or `*` (every element or value). */
export type Segment = {kind: 'key'; name: string} | {kind: 'index'; index: number} | {kind: 'wildcard'}

export type Comparison = '==' | '!=' | '<' | '<=' | '>' | '>='

export type Expr =
  | {type: 'literal'; value: string | number | boolean | null; offset: number}
  | {type: 'path'; root: string; segments: Segment[]; offset: number}
  | {type: 'call'; name: string; args: Expr[]; offset: number}
  | {type: 'not'; operand: Expr; offset: number}
  | {type: 'compare'; op: Comparison; left: Expr; right: Expr; offset: number}
  | {type: 'logical'; op: '&&' | '||'; left: Expr; right: Expr; offset: number}

/** Names no path may use: they lead out of a value into the language's own objects. */
export const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype'])

/** The pure functions an expression may call, with how many arguments each takes. */
export const FUNCTIONS: Readonly<Record<string, {min: number; max: number}>> = {
  contains: {min: 2, max: 2},
  startsWith: {min: 2, max: 2},
  endsWith: {min: 2, max: 2},
  length: {min: 1, max: 1},
  join: {min: 1, max: 2},
  unique: {min: 1, max: 1},
  format: {min: 1, max: 9},
}

const MAX_DEPTH = 32

/**
 * A recursive-descent parser over the grammar
 *   or := and ('||' and)*   and := compare ('&&' compare)*
 *   compare := unary (('=='|'!='|'<'|'<='|'>'|'>=') unary)?   unary := '!' unary | primary
 *   primary := literal | name '(' args ')' | name segment* | '(' or ')'
 *   segment := '.' name | '.' '*' | '[' (number | string | '*') ']'
 * Nothing else: no assignment, no arithmetic, no calls on values, no computed keys.
 */
class Parser {
  private i = 0
  private depth = 0
  constructor(private readonly tokens: Token[]) {}

  parse(): Expr {
    const expr = this.or()
    const t = this.peek()
    if (t.type !== 'end') throw new ExpressionError(`unexpected ${describe(t)}`, t.offset)
    return expr
  }

  private or(): Expr {
    let left = this.and()
    while (this.isOp('||')) {
      const offset = this.next().offset
      left = {type: 'logical', op: '||', left, right: this.and(), offset}
    }
    return left
  }

  private and(): Expr {
    let left = this.compare()
    while (this.isOp('&&')) {
      const offset = this.next().offset
      left = {type: 'logical', op: '&&', left, right: this.compare(), offset}
    }
    return left
  }

  private compare(): Expr {
    const left = this.unary()
    const t = this.peek()
    if (t.type === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      this.next()
      return {type: 'compare', op: t.text as Comparison, left, right: this.unary(), offset: t.offset}
    }
    return left
  }

  private unary(): Expr {
    if (this.isOp('!')) {
      const offset = this.next().offset
      return this.nested(() => ({type: 'not', operand: this.unary(), offset}))
    }
    return this.primary()
  }

  private primary(): Expr {
    const t = this.next()
    if (t.type === 'number' || t.type === 'string') return {type: 'literal', value: t.value!, offset: t.offset}
    if (t.type === 'punct' && t.text === '(') {
      const inner = this.nested(() => this.or())
      this.expect(')')
      return inner
    }
    if (t.type !== 'ident') throw new ExpressionError(`expected a value, found ${describe(t)}`, t.offset)
    if (t.text === 'true' || t.text === 'false') return {type: 'literal', value: t.text === 'true', offset: t.offset}
    if (t.text === 'null') return {type: 'literal', value: null, offset: t.offset}
    if (this.isPunct('(')) return this.call(t)
    checkName(t.text, t.offset)
    return {type: 'path', root: t.text, segments: this.segments(), offset: t.offset}
  }

  private call(name: Token): Expr {
    const arity = Object.hasOwn(FUNCTIONS, name.text) ? FUNCTIONS[name.text] : undefined
    if (!arity) throw new ExpressionError(`unknown function ${name.text}(); the functions are ${Object.keys(FUNCTIONS).join(', ')}`, name.offset, 'unknown-function')
    this.next()
    const args: Expr[] = []
    if (!this.isPunct(')')) {
      do args.push(this.nested(() => this.or()))
      while (this.isPunct(',') && this.next())
    }
    this.expect(')')
    if (args.length < arity.min || args.length > arity.max) {
      const want = arity.min === arity.max ? `${arity.min}` : `${arity.min} or ${arity.max}`
      throw new ExpressionError(`${name.text}() takes ${want} argument(s), not ${args.length}`, name.offset, 'unknown-function')
    }
    return {type: 'call', name: name.text, args, offset: name.offset}
  }

  private segments(): Segment[] {
    const out: Segment[] = []
    for (;;) {
      if (this.isPunct('.')) {
        this.next()
        const t = this.next()
        if (t.type === 'punct' && t.text === '*') out.push({kind: 'wildcard'})
        else if (t.type === 'ident') {
          checkName(t.text, t.offset)
          out.push({kind: 'key', name: t.text})
        } else throw new ExpressionError(`expected a name after '.', found ${describe(t)}`, t.offset)
      } else if (this.isPunct('[')) {
        this.next()
        const t = this.next()
        if (t.type === 'punct' && t.text === '*') out.push({kind: 'wildcard'})
        else if (t.type === 'number' && Number.isInteger(t.value) && (t.value as number) >= 0) out.push({kind: 'index', index: t.value as number})
        else if (t.type === 'string') {
          checkName(t.value as string, t.offset)
          out.push({kind: 'key', name: t.value as string})
        } else throw new ExpressionError(`expected an index, a quoted key or * inside [ ], found ${describe(t)}`, t.offset)
        this.expect(']')
      } else return out
    }
  }

  private nested<T>(work: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new ExpressionError(`expression nested deeper than ${MAX_DEPTH} levels`, this.peek().offset)
    try {
      return work()
    } finally {
      this.depth--
    }
  }

  private peek(): Token {
    return this.tokens[this.i]!
  }

  private next(): Token {
    const t = this.tokens[this.i]!
    if (t.type !== 'end') this.i++
    return t
  }

  private isOp(op: string): boolean {
    const t = this.peek()
    return t.type === 'op' && t.text === op
  }

  private isPunct(p: string): boolean {
    const t = this.peek()
    return t.type === 'punct' && t.text === p
  }

  private expect(p: string): void {
    const t = this.next()
    if (t.type !== 'punct' || t.text !== p) throw new ExpressionError(`expected '${p}', found ${describe(t)}`, t.offset)
  }
}

function checkName(name: string, offset: number): void {
  if (FORBIDDEN_NAMES.has(name)) throw new ExpressionError(`${name} may not be used in an expression: it is not part of the playbook's data`, offset, 'forbidden-name')
}

const describe = (t: Token): string => (t.type === 'end' ? (t.text === '}}' ? "'}}'" : 'the end of the expression') : `'${t.text}'`)

/** Parses one expression that starts at `start` of `text`; with `closing`, it ends at `}}`. */
export function parseExpression(text: string, start = 0, closing = false): {expr: Expr; end: number} {
  const {tokens, end} = tokenize(text, start, closing)
  return {expr: new Parser(tokens).parse(), end}
}

/** A string value of a playbook: literal text and `${{ … }}` expressions, in order. */
export type TemplatePart = {text: string; offset: number} | {expr: Expr; offset: number}

/** Splits a string into its literal text and its `${{ … }}` expressions. */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = []
  let i = 0
  for (;;) {
    const open = text.indexOf('${{', i)
    if (open < 0) {
      if (i < text.length) parts.push({text: text.slice(i), offset: i})
      return parts
    }
    if (open > i) parts.push({text: text.slice(i, open), offset: i})
    const {expr, end} = parseExpression(text, open + 3, true)
    parts.push({expr, offset: open})
    i = end
  }
}

/** Whether a string holds any `${{ … }}` expression. */
export const hasExpression = (text: string): boolean => text.includes('${{')
