import type {AnalysisDb, Row} from './db.js'
import {redactDeep, redactText, redactedAs, rowRedactor} from './output.js'
import {sqlString} from './db.js'
import {openForQuery} from './run-query.js'

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
  const table = await functionsTable(db)
  if (table === undefined) return []
  const {rows} = await db.all(
    `SELECT DISTINCT e.key AS name, e.value ->> '$' AS value
     FROM ${table} f, json_each(f.environment, '$.Variables') e
     WHERE f.environment IS NOT NULL AND json_type(e.value) = 'VARCHAR'`,
  )
  const byValue = new Map<string, CaseSecret>()
  for (const r of rows) {
    const value = String(r.value)
    if (value.length >= MIN_SECRET_LENGTH && !byValue.has(value.toLowerCase())) byValue.set(value.toLowerCase(), {name: String(r.name), value})
  }
  return [...byValue.values()].sort((a, b) => b.value.length - a.value.length)
}

/**
 * Where the case's function configurations are: every snapshot, or the one table of a database that
 * holds no history; none in a database of CloudTrail alone (a hunt's own), which then has no secrets.
 */
async function functionsTable(db: AnalysisDb): Promise<string | undefined> {
  const {rows} = await db.all(
    `SELECT table_name AS t FROM duckdb_tables() WHERE table_name IN ('lambda_functions_history', 'lambda_functions') AND database_name = current_database() ORDER BY table_name DESC`,
  )
  return rows[0]?.t === undefined ? undefined : String(rows[0].t)
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

export {redactedAs}

/** A function that hides secrets in a value and returns it in the same shape. */
export type Redact = <T>(value: T) => T

/**
 * Text with every known secret hidden: each value wherever it appears, in any letter case
 * (`upper(…)` of it too), as `[redacted:NAME]`, and the values of any Variables object in it.
 */
export function secretText(secrets: readonly CaseSecret[]): (s: string) => string {
  if (secrets.length === 0) return redactText
  const names = new Map(secrets.map((s) => [s.value.toLowerCase(), s.name]))
  const pattern = new RegExp(secrets.map((s) => escapeRegExp(s.value)).join('|'), 'gi')
  return (s) => redactText(s.replace(pattern, (m) => redactedAs(names.get(m.toLowerCase()) ?? 'secret')))
}

/**
 * A function that hides every known secret in any JSON value (a row, a finding, a report model),
 * whatever produced it: each value wherever it appears as `[redacted:NAME]`, and the values of any
 * Variables object by position; or, with `show` (--show-secrets), a function that changes nothing.
 */
export function valueRedactor(secrets: readonly CaseSecret[], show = false): Redact {
  if (show) return (v) => v
  const text = secretText(secrets)
  return <T>(value: T): T => redactDeep(value, text) as T
}

/** A function that hides every known secret in a row, whatever SQL produced the cell (see valueRedactor). */
export function secretRedactor(secrets: readonly CaseSecret[]): (row: Row) => Row {
  return rowRedactor(secretText(secrets))
}

/** Hides the case's secrets in a value unless `show`: the case's known values read from its database first. */
export async function redactForCase<T>(db: AnalysisDb, value: T, show: boolean): Promise<T> {
  return show ? value : valueRedactor(await caseSecrets(db))(value)
}

/** `value` with the secrets of the case whose database is at `dbPath` hidden (see valueRedactor): a step's result as it is shown. */
export async function redactForCaseDb<T>(dbPath: string, value: T): Promise<T> {
  const db = await openForQuery(dbPath)
  try {
    return await redactForCase(db, value, false)
  } finally {
    db.close()
  }
}

/** A SQL expression of `expr` (text) with every known secret replaced as secretRedactor does, for exports DuckDB writes itself. */
export function redactSqlText(expr: string, secrets: readonly CaseSecret[]): string {
  // DuckDB's regexp_replace is RE2: the same escaping holds; (?i) for any letter case.
  return secrets.reduce((e, s) => `regexp_replace(${e}, ${sqlString(`(?i)${escapeRegExp(s.value)}`)}, ${sqlString(redactedAs(s.name))}, 'g')`, expr)
}
