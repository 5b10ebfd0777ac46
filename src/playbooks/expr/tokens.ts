/** Where in its text an expression went wrong, so validate can point at the line and column. */
export class ExpressionError extends Error {
  constructor(
    message: string,
    /** Offset in the text the expression was read from. */
    readonly offset: number,
    /** `expression-syntax`, `forbidden-name` or `unknown-function`: the validate code it becomes. */
    readonly code: 'expression-syntax' | 'forbidden-name' | 'unknown-function' = 'expression-syntax',
  ) {
    super(message)
    this.name = 'ExpressionError'
  }
}

export type TokenType = 'number' | 'string' | 'ident' | 'op' | 'punct' | 'end'

export interface Token {
  type: TokenType
  /** The operator or punctuation itself, the identifier, or the literal's source text. */
  text: string
  /** A string or number literal's value. */
  value?: string | number
  offset: number
}

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!']
const PUNCTUATION = ['(', ')', '[', ']', ',', '.', '*']
/** Longer than any expression a playbook needs: a bound on work, not a style rule. */
export const MAX_EXPRESSION_LENGTH = 4096

/**
 * Splits the expression that starts at `start` in `text` into tokens, up to the `}}` that closes it
 * (when `closing`) or the end of the text. Strings are quoted with ' (doubled to escape, as in
 * GitHub Actions) or ", numbers are decimal; nothing else is a literal.
 */
export function tokenize(text: string, start: number, closing: boolean): {tokens: Token[]; end: number} {
  const tokens: Token[] = []
  let i = start
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++
    if (i - start > MAX_EXPRESSION_LENGTH) throw new ExpressionError(`expression longer than ${MAX_EXPRESSION_LENGTH} characters`, start)
    if (closing && text.startsWith('}}', i)) {
      tokens.push({type: 'end', text: '}}', offset: i})
      return {tokens, end: i + 2}
    }
    if (i >= text.length) {
      if (closing) throw new ExpressionError('expression is not closed with }}', i)
      tokens.push({type: 'end', text: '', offset: i})
      return {tokens, end: i}
    }
    const c = text[i]!
    if (c === "'" || c === '"') {
      const {value, next} = readString(text, i)
      tokens.push({type: 'string', text: text.slice(i, next), value, offset: i})
      i = next
      continue
    }
    const number = /^-?\d+(\.\d+)?/.exec(text.slice(i, i + 64))
    if (number && (c !== '-' || !endsOperand(tokens.at(-1)))) {
      tokens.push({type: 'number', text: number[0], value: Number(number[0]), offset: i})
      i += number[0].length
      continue
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i, i + 256))
    if (ident) {
      tokens.push({type: 'ident', text: ident[0], offset: i})
      i += ident[0].length
      continue
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i))
    if (op) {
      tokens.push({type: 'op', text: op, offset: i})
      i += op.length
      continue
    }
    if (PUNCTUATION.includes(c)) {
      tokens.push({type: 'punct', text: c, offset: i})
      i++
      continue
    }
    throw new ExpressionError(`unexpected character ${JSON.stringify(c)}`, i)
  }
}

const endsOperand = (t: Token | undefined): boolean => t !== undefined && (t.type === 'number' || t.type === 'string' || t.type === 'ident' || t.text === ')' || t.text === ']')

function readString(text: string, start: number): {value: string; next: number} {
  const quote = text[start]!
  let value = ''
  let i = start + 1
  while (i < text.length) {
    const c = text[i]!
    if (c === quote) {
      if (quote === "'" && text[i + 1] === "'") {
        value += "'"
        i += 2
        continue
      }
      return {value, next: i + 1}
    }
    if (quote === '"' && c === '\\' && i + 1 < text.length) {
      const e = text[i + 1]!
      value += e === 'n' ? '\n' : e === 't' ? '\t' : e
      i += 2
      continue
    }
    value += c
    i++
  }
  throw new ExpressionError('string is not closed', start)
}
