import type {CellValue, Row} from './db.js'

/** A cell as text: nested values as JSON, NULL as empty. */
export function cellString(value: CellValue | undefined): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/**
 * Neutralises spreadsheet formulas: a cell beginning with = + - @, a tab or a carriage return is
 * prefixed with `'`, so a log line an attacker wrote cannot run as a formula when the CSV is opened.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/**
 * RFC 4180 CSV with a header line and formula injection neutralised in every text cell; numbers
 * and booleans are written as they are (a negative number stays a number).
 */
export function toCsv(columns: readonly string[], rows: readonly Row[]): string {
  const text = (c: CellValue | undefined): string => (typeof c === 'number' || typeof c === 'boolean' ? String(c) : neutraliseFormula(cellString(c)))
  const line = (cells: Array<CellValue | undefined>): string => cells.map((c) => csvField(text(c))).join(',')
  return [line([...columns]), ...rows.map((r) => line(columns.map((c) => r[c])))].join('\r\n') + '\r\n'
}

/** One JSON object per line. */
export function toNdjson(columns: readonly string[], rows: readonly Row[]): string {
  return rows.map((r) => `${JSON.stringify(Object.fromEntries(columns.map((c) => [c, r[c] ?? null])))}\n`).join('')
}

// The body of the Variables object: string literals (which may hold braces) and the text between them.
const VARIABLES = /("(?:Variables|variables)"\s*:\s*\{)((?:"(?:[^"\\]|\\.)*"|[^{}"])*)(\})/g
const PAIR = /("(?:[^"\\]|\\.)*"\s*:\s*)"(?:[^"\\]|\\.)*"/g

/** Hides the values of Lambda environment variables in any text cell (JSON of a configuration, a record). */
export function redactText(text: string): string {
  if (!text.includes('ariables')) return text
  return text.replace(VARIABLES, (_m, open: string, body: string, close: string) => `${open}${body.replace(PAIR, '$1"[redacted]"')}${close}`)
}

/** A row with environment variable values hidden (shown with --show-secrets). */
export function redactSecrets(row: Row): Row {
  const out: Row = {}
  for (const [k, v] of Object.entries(row)) out[k] = redactValue(v, false)
  return out
}

/**
 * Redacts a cell and what it nests: JSON text anywhere in a list or struct, and the values of a
 * struct or map field named Variables (an environment read with from_json, say).
 */
function redactValue(value: CellValue, variables: boolean): CellValue {
  if (typeof value === 'string') return variables ? '[redacted]' : redactText(value)
  if (Array.isArray(value)) {
    // A DuckDB MAP arrives as a list of {key, value} entries.
    return value.map((v) => (variables && v !== null && typeof v === 'object' && !Array.isArray(v) && 'value' in v ? {...v, value: v.value === null ? null : '[redacted]'} : redactValue(v, false)))
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, CellValue> = {}
    for (const [k, v] of Object.entries(value)) out[k] = variables ? (v === null ? null : '[redacted]') : redactValue(v, k === 'Variables' || k === 'variables')
    return out
  }
  return value
}
