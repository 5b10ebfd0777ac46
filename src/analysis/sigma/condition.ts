import {SigmaCompileError, type SourcePosition} from './rule.js'

/** The parsed form of a Sigma condition. */
export type ConditionNode =
  | {kind: 'ref'; name: string}
  | {kind: 'not'; operand: ConditionNode}
  | {kind: 'and' | 'or'; operands: ConditionNode[]}
  | {kind: 'of'; quantifier: 'one' | 'all'; pattern: string}

interface Token {
  type: 'word' | 'lparen' | 'rparen' | 'pipe'
  text: string
}

function tokenize(condition: string, pos: SourcePosition | undefined): Token[] {
  const tokens: Token[] = []
  const re = /\s*(?:(\()|(\))|(\|)|([^\s()|]+))/y
  let m: RegExpExecArray | null
  re.lastIndex = 0
  while (re.lastIndex < condition.length && (m = re.exec(condition)) !== null) {
    if (m[1] !== undefined) tokens.push({type: 'lparen', text: '('})
    else if (m[2] !== undefined) tokens.push({type: 'rparen', text: ')'})
    else if (m[3] !== undefined) tokens.push({type: 'pipe', text: '|'})
    else if (m[4] !== undefined) tokens.push({type: 'word', text: m[4]})
    else break
  }
  if (condition.slice(re.lastIndex).trim() !== '') throw new SigmaCompileError('invalid-condition', 'condition', `cannot read the condition near '${condition.slice(re.lastIndex)}'`, pos, 'error')
  return tokens
}

/**
 * Parses a condition (`selection and not 1 of filter_*`) with the usual precedence:
 * `not` binds tightest, then `and`, then `or`. Aggregations after `|` and the `near` operator are
 * correlations across events, which a per-event SQL filter cannot express: they are reported as unsupported.
 */
export function parseCondition(condition: string, pos?: SourcePosition): ConditionNode {
  const tokens = tokenize(condition, pos)
  if (tokens.some((t) => t.type === 'pipe')) {
    const tail = condition.slice(condition.indexOf('|') + 1).trim()
    const construct = /\bnear\b/i.test(tail) ? 'near' : `${(/^(\w+)/.exec(tail)?.[1] ?? 'aggregation').toLowerCase()}() aggregation`
    throw new SigmaCompileError(construct === 'near' ? 'unsupported-near' : 'unsupported-aggregation', construct, `the condition uses '| ${tail}', a correlation across events that a per-event hunt cannot run`, pos)
  }
  let i = 0
  const peek = (): Token | undefined => tokens[i]
  const word = (t: Token | undefined, w: string): boolean => t?.type === 'word' && t.text.toLowerCase() === w
  const fail = (message: string): never => {
    throw new SigmaCompileError('invalid-condition', 'condition', message, pos, 'error')
  }

  const parseOr = (): ConditionNode => {
    const operands = [parseAnd()]
    while (word(peek(), 'or')) {
      i++
      operands.push(parseAnd())
    }
    return operands.length === 1 ? operands[0]! : {kind: 'or', operands}
  }
  const parseAnd = (): ConditionNode => {
    const operands = [parseNot()]
    while (word(peek(), 'and')) {
      i++
      operands.push(parseNot())
    }
    return operands.length === 1 ? operands[0]! : {kind: 'and', operands}
  }
  const parseNot = (): ConditionNode => {
    if (word(peek(), 'not')) {
      i++
      return {kind: 'not', operand: parseNot()}
    }
    return parseAtom()
  }
  const parseAtom = (): ConditionNode => {
    const t = peek()
    if (t === undefined) return fail(`the condition '${condition}' ends where a selection name was expected`)
    if (t.type === 'lparen') {
      i++
      const inner = parseOr()
      if (peek()?.type !== 'rparen') fail(`unbalanced parentheses in '${condition}'`)
      i++
      return inner
    }
    if (t.type === 'rparen') return fail(`unexpected ')' in '${condition}'`)
    const lower = t.text.toLowerCase()
    if (lower === 'near') throw new SigmaCompileError('unsupported-near', 'near', "the condition uses 'near', a correlation across events", pos)
    if (lower === '1' || lower === 'all' || lower === 'any') {
      const next = tokens[i + 1]
      if (word(next, 'of')) {
        const target = tokens[i + 2]
        if (target?.type !== 'word') return fail(`'${t.text} of' must be followed by a selection name pattern or 'them'`)
        i += 3
        return {kind: 'of', quantifier: lower === 'all' ? 'all' : 'one', pattern: target.text}
      }
    }
    if (/^\d+$/.test(lower) && word(tokens[i + 1], 'of')) {
      throw new SigmaCompileError('unsupported-quantifier', `'${t.text} of'`, `'${t.text} of' is not supported; use '1 of' or 'all of'`, pos)
    }
    if (['and', 'or', 'of'].includes(lower)) return fail(`unexpected '${t.text}' in '${condition}'`)
    i++
    return {kind: 'ref', name: t.text}
  }

  const node = parseOr()
  if (i < tokens.length) fail(`unexpected '${tokens[i]!.text}' in '${condition}'`)
  return node
}
