import {escapeControls, redactedAs} from '../core/text.js'
import type {CellValue, Row} from './db.js'

/** What JSON.stringify leaves raw that a terminal or an editor acts on: DEL, C1 controls, line separators, bidirectional formatting. */
// eslint-disable-next-line no-control-regex
const JSON_UNSAFE = /[\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/g

/**
 * JSON text with every control and bidirectional formatting character written as a `\uXXXX`
 * escape (JSON.stringify escapes only C0 controls): the same value to any JSON reader, and nothing
 * that reorders or drives a terminal when the output is shown. The one way coroner writes JSON out.
 */
export function jsonText(value: unknown, space?: number): string {
  return escapeJsonUnsafe(JSON.stringify(value, null, space) ?? 'null')
}

/** JSON text made elsewhere (by DuckDB) with the characters `jsonText` escapes escaped the same way. */
export function escapeJsonUnsafe(json: string): string {
  return json.replace(JSON_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** What escapeControls escapes but for line breaks and tabs. */
// eslint-disable-next-line no-control-regex
const CSV_UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/

/** A CSV text cell with control and bidirectional formatting characters shown as `\uXXXX`; line breaks and tabs, which CSV quotes, kept. */
const csvSafe = (text: string): string => (CSV_UNSAFE.test(text) ? text.split('\n').map((l) => l.split('\t').map(escapeControls).join('\t')).join('\n') : text)

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
 * RFC 4180 CSV with a header line, formula injection neutralised and control and bidirectional
 * formatting characters escaped in every text cell; numbers and booleans are written as they are
 * (a negative number stays a number).
 */
export function toCsv(columns: readonly string[], rows: readonly Row[]): string {
  return csvHeader(columns) + csvRows(columns, rows)
}

const csvText = (c: CellValue | undefined): string => (typeof c === 'number' || typeof c === 'boolean' ? String(c) : csvSafe(neutraliseFormula(cellString(c))))

/** What makes a text cell more than itself in CSV: a formula's first character, a quote, a comma, a control or formatting character. */
// eslint-disable-next-line no-control-regex
const CSV_SPECIAL = /^[=+\-@]|[\u0000-\u001F",\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/

/** One cell as toCsv writes it; most texts (addresses, names, hashes) hold nothing to change and are checked once. */
export const csvCell = (c: CellValue | undefined): string => (typeof c === 'string' && !CSV_SPECIAL.test(c) ? c : csvField(csvText(c)))

const csvLine = (cells: ReadonlyArray<CellValue | undefined>): string => `${cells.map(csvCell).join(',')}\r\n`

/** The header line of toCsv. */
export const csvHeader = (columns: readonly string[]): string => csvLine(columns)

/** The lines of toCsv after its header: rows written a chunk at a time join into toCsv's text. */
export const csvRows = (columns: readonly string[], rows: readonly Row[]): string => rows.map((r) => csvLine(columns.map((c) => r[c]))).join('')

/** One JSON object per line. */
export function toNdjson(columns: readonly string[], rows: readonly Row[]): string {
  return rows.map((r) => `${jsonText(Object.fromEntries(columns.map((c) => [c, r[c] ?? null])))}\n`).join('')
}

// The body of the Variables object: string literals (which may hold braces) and the text between them.
const VARIABLES = /("(?:Variables|variables)"\s*:\s*\{)((?:"(?:[^"\\]|\\.)*"|[^{}"])*)(\})/g
const PAIR = /("((?:[^"\\]|\\.)*)"\s*:\s*)"(?:[^"\\]|\\.)*"/g

export {redactedAs}

/** A JSON string literal's body back as text (a broken escape kept as written). */
function unquote(body: string): string {
  try {
    return JSON.parse(`"${body}"`) as string
  } catch {
    return body
  }
}

/** Hides the values of Lambda environment variables in any text cell (JSON of a configuration, a record), each as `[redacted:NAME]`. */
export function redactText(text: string): string {
  if (!text.includes('ariables')) return text
  return text.replace(VARIABLES, (_m, open: string, body: string, close: string) => `${open}${body.replace(PAIR, (_p, key: string, name: string) => `${key}${JSON.stringify(redactedAs(unquote(name)))}`)}${close}`)
}

/**
 * `redactDeep` of a row, the same result, for rows read by the million: the row's keys (its
 * columns, the same in every row) go through `text` once rather than on every row, and its plain
 * values without the walk.
 */
export function rowRedactor(text: (s: string) => string): (row: Row) => Row {
  const names = new Map<string, string>()
  const nameOf = (k: string): string => {
    let name = names.get(k)
    if (name === undefined) {
      name = text(k)
      if (names.size < 1024) names.set(k, name)
    }
    return name
  }
  return (row) => {
    const keys = Object.keys(row)
    let out: Row | undefined
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!
      const v = row[k] as CellValue
      const key = nameOf(k)
      const hidden = typeof v === 'string' ? (isVariables(k) ? '[redacted]' : text(v)) : v !== null && typeof v === 'object' ? (redactDeep(v, text, isVariables(k)) as typeof v) : v
      if (out === undefined && (key !== k || hidden !== v)) {
        out = {}
        for (let j = 0; j < i; j++) out[keys[j]!] = row[keys[j]!] as CellValue
      }
      if (out !== undefined) out[key] = hidden
    }
    return out ?? row
  }
}

/** A row with environment variable values hidden by position (shown with --show-secrets). */
export const redactSecrets: (row: Row) => Row = rowRedactor(redactText)

const isVariables = (key: string): boolean => key === 'Variables' || key === 'variables'

/**
 * Any JSON value with every text (and key) passed through `text`, and the values of a struct, map
 * or object field named Variables (an environment read with from_json, say) hidden as
 * `[redacted:NAME]`: the one walk every redaction of coroner's output goes through.
 */
export function redactDeep(value: unknown, text: (s: string) => string, variables = false): unknown {
  if (typeof value === 'string') return variables ? '[redacted]' : text(value)
  if (Array.isArray(value)) {
    // A DuckDB MAP arrives as a list of {key, value} entries.
    const out = value.map((v) => (variables && isMapEntry(v) ? {...v, value: v.value === null ? null : redactedAs(String(v.key))} : redactDeep(v, text)))
    return out.every((v, i) => v === value[i]) ? value : out
  }
  if (value !== null && typeof value === 'object') {
    // Copied only once a key or value changes: most rows hold nothing to hide, and are handed on as they are.
    let out: Record<string, unknown> | undefined
    const entries = Object.entries(value)
    for (let i = 0; i < entries.length; i++) {
      const [k, v] = entries[i]!
      const key = text(k)
      const hidden = variables ? (v === null ? null : redactedAs(k)) : redactDeep(v, text, isVariables(k))
      if (out === undefined && (key !== k || hidden !== v)) {
        out = {}
        for (let j = 0; j < i; j++) out[entries[j]![0]] = entries[j]![1]
      }
      if (out !== undefined) out[key] = hidden
    }
    return out ?? value
  }
  return value
}

const isMapEntry = (v: unknown): v is {key: unknown; value: unknown} => v !== null && typeof v === 'object' && !Array.isArray(v) && 'value' in v
