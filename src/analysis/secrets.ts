import type {AnalysisDb, CellValue, Row} from './db.js'
import {redactSecrets} from './output.js'
import {sqlString} from './db.js'

/** A known secret of the case: the value of a Lambda environment variable, and the variable's name. */
export interface CaseSecret {
  name: string
  value: string
}

/**
 * Values shorter than this are hidden only where they sit in a Variables object: hunting them in
 * every cell would blank ordinary words (`true`, `prod`).
 */
export const MIN_SECRET_LENGTH = 6

/** Every Lambda environment variable value of the case, longest first (so a value inside another is not cut). */
export async function caseSecrets(db: AnalysisDb): Promise<CaseSecret[]> {
  const {rows} = await db.all(
    `SELECT DISTINCT e.key AS name, e.value ->> '$' AS value
     FROM lambda_functions_history f, json_each(f.environment, '$.Variables') e
     WHERE f.environment IS NOT NULL AND json_type(e.value) = 'VARCHAR'`,
  )
  const byValue = new Map<string, CaseSecret>()
  for (const r of rows) {
    const value = String(r.value)
    if (value.length >= MIN_SECRET_LENGTH && !byValue.has(value.toLowerCase())) byValue.set(value.toLowerCase(), {name: String(r.name), value})
  }
  return [...byValue.values()].sort((a, b) => b.value.length - a.value.length)
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** What a secret is shown as: `[redacted:NAME]`, the name made safe to print. */
export const redactedAs = (name: string): string => `[redacted:${name.replace(/[^\w.-]/g, '_')}]`

/**
 * A function that hides every known secret in a row, whatever SQL produced the cell: each value
 * wherever it appears, in any letter case (`upper(…)` of it too), as `[redacted:NAME]`, and the
 * values of any Variables object by position.
 */
export function secretRedactor(secrets: readonly CaseSecret[]): (row: Row) => Row {
  if (secrets.length === 0) return redactSecrets
  const names = new Map(secrets.map((s) => [s.value.toLowerCase(), s.name]))
  const pattern = new RegExp(secrets.map((s) => escapeRegExp(s.value)).join('|'), 'gi')
  const text = (s: string): string => s.replace(pattern, (m) => redactedAs(names.get(m.toLowerCase()) ?? 'secret'))
  const cell = (v: CellValue): CellValue => {
    if (typeof v === 'string') return text(v)
    if (Array.isArray(v)) return v.map(cell)
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [text(k), cell(x)]))
    return v
  }
  return (row) => {
    const out: Row = {}
    for (const [k, v] of Object.entries(redactSecrets(row))) out[k] = cell(v)
    return out
  }
}

/** A SQL expression of `expr` (text) with every known secret replaced as secretRedactor does, for exports DuckDB writes itself. */
export function redactSqlText(expr: string, secrets: readonly CaseSecret[]): string {
  // DuckDB's regexp_replace is RE2: the same escaping holds; (?i) for any letter case.
  return secrets.reduce((e, s) => `regexp_replace(${e}, ${sqlString(`(?i)${escapeRegExp(s.value)}`)}, ${sqlString(redactedAs(s.name))}, 'g')`, expr)
}
