import type {SqlParam} from './rule.js'

/** A piece of SQL and the values of its `?` placeholders, in the order they appear in the text. */
export interface Fragment {
  sql: string
  params: SqlParam[]
}

/** A bound value. */
export const param = (value: SqlParam): Fragment => ({sql: '?', params: [value]})

/** SQL text written by the compiler itself (never anything read from a rule). */
export const raw = (sql: string): Fragment => ({sql, params: []})

/** Builds a fragment from a template whose holes are fragments: text and parameters stay in step. */
export function sql(strings: TemplateStringsArray, ...parts: Fragment[]): Fragment {
  let text = strings[0]!
  const params: SqlParam[] = []
  parts.forEach((part, i) => {
    text += part.sql + strings[i + 1]!
    params.push(...part.params)
  })
  return {sql: text, params}
}

/** Joins fragments with AND / OR (parenthesised), or returns the single one. */
export function combine(parts: Fragment[], op: 'AND' | 'OR'): Fragment {
  if (parts.length === 1) return parts[0]!
  if (parts.length === 0) return raw(op === 'AND' ? 'true' : 'false')
  return {sql: `(${parts.map((p) => p.sql).join(` ${op} `)})`, params: parts.flatMap((p) => p.params)}
}
