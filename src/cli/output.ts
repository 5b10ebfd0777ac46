import type {CellValue, Row} from '../analysis/db.js'
import {redactSecrets, toCsv, toNdjson} from '../analysis/output.js'
import {ExitCode, type ExitCodeValue, usageError} from '../core/errors.js'
import {didYouMean} from '../core/suggest.js'
import {DEFAULT_TABLE_ROWS, OUTPUT_FORMATS, type OutputFlagValues, type OutputFormat} from './flags.js'
import {cellText, droppedNote, layoutTable, wrapLine, type Column} from './table.js'

/**
 * The one rendering module every command prints through: which format was asked for, the
 * `--json` envelope, rows as a terminal table, NDJSON or CSV, and what a `--limit` cut. Every row
 * any format prints passes through `shownRow`, the one place secrets are redacted for output.
 */

/** How a command ended, as the envelope's `status` says it: one word per exit code. */
export const COMMAND_STATUSES = ['ok', 'findings', 'invalid', 'partial', 'error'] as const
export type CommandStatus = (typeof COMMAND_STATUSES)[number]

export function statusOf(exitCode: ExitCodeValue | undefined): CommandStatus {
  switch (exitCode ?? ExitCode.ok) {
    case ExitCode.ok:
      return 'ok'
    case ExitCode.findings:
      return 'findings'
    case ExitCode.invalidInput:
      return 'invalid'
    case ExitCode.partial:
      return 'partial'
    default:
      return 'error'
  }
}

/** The `--json` output of a command that ran: its outcome, its result, and every warning once. */
export const successEnvelope = (exitCode: ExitCodeValue | undefined, result: unknown, warnings: readonly string[]) => ({status: statusOf(exitCode), result, warnings: [...new Set(warnings)]})

/** The `--json` output of a command that failed. */
export const errorEnvelope = (error: {code: string; message: string; hint?: string | undefined}, warnings: readonly string[] = []) => ({
  status: 'error' as const,
  error: {code: error.code, message: error.message, ...(error.hint === undefined ? {} : {hint: error.hint})},
  warnings: [...new Set(warnings)],
})

/** What the output flags ask for, resolved. */
export interface OutputOptions {
  format: OutputFormat
  /** `--limit` as given (0: every row); undefined when not given. */
  limit: number | undefined
  wide: boolean
  columns: string[] | undefined
  /** The terminal's width; undefined when stdout is not a terminal (tables are then not width-limited). */
  width: number | undefined
}

/** The format the command line asks for, read from the raw arguments (before, or without, parsing them). */
export function requestedFormat(argv: readonly string[]): OutputFormat | undefined {
  const end = argv.indexOf('--')
  const args = end < 0 ? argv : argv.slice(0, end)
  let found: OutputFormat | undefined
  args.forEach((a, i) => {
    if (a === '--json' || a === '--ndjson' || a === '--csv') found = a.slice(2) as OutputFormat
    const value = a === '--output' ? args[i + 1] : a.startsWith('--output=') ? a.slice('--output='.length) : undefined
    if (value !== undefined && (OUTPUT_FORMATS as readonly string[]).includes(value)) found = value as OutputFormat
  })
  return found
}

/** The output flags resolved; asking for two formats at once is a usage error. */
export function resolveOutput(flags: OutputFlagValues, width: number | undefined, hasRows: boolean): OutputOptions {
  const asked = [...new Set([flags.output, flags.json ? 'json' : undefined, flags.ndjson ? 'ndjson' : undefined, flags.csv ? 'csv' : undefined].filter((f): f is string => f !== undefined))]
  if (asked.length > 1) throw usageError('invalid-flag', `Asked for ${asked.join(' and ')} output at once.`, 'Give one of --output table|json|ndjson|csv (or --json, --ndjson, --csv).')
  const format = (asked[0] ?? 'table') as OutputFormat
  if (!hasRows && (format === 'csv' || format === 'ndjson')) throw usageError('invalid-flag', `This command prints no rows: --output ${format} does not apply.`, 'Use --output table or --json.')
  const columns = flags.columns?.split(',').map((c) => c.trim()).filter((c) => c !== '')
  return {format, limit: flags.limit, wide: flags.wide ?? false, columns: columns && columns.length > 0 ? columns : undefined, width}
}

/** The width tables are laid out for: the terminal's ($COLUMNS when set), none off a terminal. */
export function terminalWidth(stream: {isTTY?: boolean; columns?: number}): number | undefined {
  if (!stream.isTTY) return undefined
  const env = Number(process.env.COLUMNS)
  if (Number.isInteger(env) && env > 0) return env
  return stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80
}

/** Rows a format shows with this `--limit`: a table 100 by default, the machine formats every row. */
export function rowLimit(options: OutputOptions): number | undefined {
  if (options.limit === 0) return undefined
  return options.limit ?? (options.format === 'table' ? DEFAULT_TABLE_ROWS : undefined)
}

/**
 * A command's rows: the named array of its `--json` result, how the terminal table shows each
 * row, and how many there are in all when the result holds fewer.
 */
export interface ListView {
  name: string
  rows: ReadonlyArray<Record<string, unknown>>
  columns: ReadonlyArray<Column>
  /** Rows there are in all; default: rows.length. */
  total?: number | undefined
  /** CSV columns; default: every field of the rows, in the order first seen. */
  csv?: readonly string[] | undefined
}

/** What a list result carries beside its array: how many rows there are, and whether the array holds fewer. */
export interface ListCount {
  total: number
  truncated: boolean
}

/** A row as every format prints it: secrets redacted unless `--show-secrets` (the seam for redaction by value). */
export function shownRow<R extends Record<string, unknown>>(row: R, showSecrets: boolean): R {
  return showSecrets ? row : (redactSecrets(row as unknown as Row) as unknown as R)
}

/** The result with its list cut to `limit` rows, saying so (`truncated`, `total`). */
export function limitList<T>(result: T, view: ListView, limit: number | undefined): T {
  const total = Math.max(view.total ?? view.rows.length, view.rows.length)
  const cut = limit !== undefined && view.rows.length > limit
  const rows = cut ? view.rows.slice(0, limit) : view.rows
  const counted = result as unknown as Partial<ListCount>
  return {...result, [view.name]: rows, total, truncated: cut || counted.truncated === true || rows.length < total}
}

/** NDJSON or CSV of the rows (already limited and redacted). */
export function machineRows(format: 'ndjson' | 'csv', view: ListView, rows: ReadonlyArray<Record<string, unknown>>): string {
  const fields = [...new Set(rows.flatMap((r) => Object.keys(r)))]
  const cells = rows as unknown as Row[]
  return format === 'csv' ? toCsv(view.csv ?? fields, cells) : toNdjson(fields, cells)
}

/** "showing N of M" for a list that was cut, with how to see the rest. */
export function cutNote(shown: number, total: number, what = 'row(s)'): string {
  return `(showing ${shown} of ${total} ${what}; --limit 0 for all)`
}

/** A line inside a table where rows were left out (the timeline's oldest and newest halves). */
export interface TableGap {
  /** Rows before the gap. */
  after: number
  note: string
}

/** The table of a list for the terminal: at most `limit` rows, a note when some are not shown. */
export function tableOf(rows: ReadonlyArray<Record<string, unknown>>, columns: ReadonlyArray<Column>, options: OutputOptions, total = rows.length, gap?: TableGap): string {
  assertColumns(columns, options.columns)
  if (rows.length === 0) return '(no rows)'
  const limit = rowLimit(options)
  const shown = limit === undefined ? rows : rows.slice(0, limit)
  const cells = shown.map((r) => Object.fromEntries(columns.map((c) => [c.key, c.value ? c.value(r) : r[c.key]])) as Record<string, CellValue>)
  const {lines, dropped} = layoutTable(cells, columns, {width: options.width, wide: options.wide, columns: options.columns})
  if (gap && gap.after < shown.length) lines.splice(2 + gap.after, 0, ...wrapLine(cellText(gap.note), options.width))
  if (dropped.length > 0) lines.push(...wrapLine(droppedNote(dropped), options.width))
  const all = Math.max(total, rows.length)
  if (shown.length < all) lines.push(cutNote(shown.length, all))
  return lines.join('\n')
}

/** `--columns` must name columns the table has. */
function assertColumns(columns: ReadonlyArray<Column>, asked: readonly string[] | undefined): void {
  if (asked === undefined) return
  const known = columns.map((c) => c.header ?? c.key)
  for (const a of asked) {
    if (!known.includes(a) && !columns.some((c) => c.key === a)) {
      throw usageError('invalid-flag', `--columns: this table has no column ${JSON.stringify(a)}${didYouMean(a, known)}`, `Its columns are ${known.join(', ')}.`)
    }
  }
}
