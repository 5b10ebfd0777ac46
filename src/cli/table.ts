import {escapeControls} from '../core/text.js'
import {fitCell, type ColumnKind} from './fit.js'

export type {ColumnKind} from './fit.js'

/**
 * One column of a table: the row field it shows, its header, how important it is when the
 * terminal is narrow (1: always shown; larger numbers are dropped first), and what kind of value
 * it holds, which decides how a value too long for its width is cut (fit.ts).
 */
export interface Column {
  key: string
  header?: string
  priority?: number
  kind?: ColumnKind
  /** The narrowest this column is worth showing at (default: by kind); below it the column is dropped instead. */
  min?: number
  /** Where the value comes from when it is not the row's `key` field (a nested field, a count). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  value?: (row: any) => unknown
}

export interface TableOptions {
  /** The terminal's width in columns; undefined (off a terminal) means the table is not width-limited. */
  width?: number | undefined
  /** Every column, nothing cut, hashes in full. */
  wide?: boolean | undefined
  /** Exactly these columns (by header), in this order. */
  columns?: readonly string[] | undefined
}

export interface RenderedTable {
  lines: string[]
  /** Headers of the columns left out to fit the width, most important first. */
  dropped: string[]
}

const GAP = 2
const DEFAULT_PRIORITY = 2

type LaidColumn = Required<Omit<Column, 'value' | 'min'>> & {min: number | undefined}

const columnOf = (c: Column | string): LaidColumn =>
  typeof c === 'string'
    ? {key: c, header: c, priority: DEFAULT_PRIORITY, kind: 'text', min: undefined}
    : {key: c.key, header: c.header ?? c.key, priority: c.priority ?? DEFAULT_PRIORITY, kind: c.kind ?? 'text', min: c.min}

/**
 * Lays a table out for a width: columns of the lowest importance are dropped first until the
 * rest fit at their narrowest, then the widest are narrowed until every line fits. Values are
 * made terminal-safe and single-line first (cellText); numbers are right-aligned.
 */
export function layoutTable(rows: ReadonlyArray<Record<string, unknown>>, columns: ReadonlyArray<Column | string> | undefined, options: TableOptions = {}): RenderedTable {
  const all = (columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))]).map(columnOf)
  const chosen = options.columns ? options.columns.map((h) => all.find((c) => c.header === h || c.key === h)!).filter(Boolean) : all
  const wide = options.wide === true
  // Hashes are shortened only to fit a terminal: off one (a file, a pipe) they are whole.
  const whole = wide || options.width === undefined
  const cells = rows.map((r) => chosen.map((c) => fitCell.prepare(c.kind, cellText(r[c.key]), whole)))
  const natural = chosen.map((c, i) => Math.max(terminalSafe(c.header).length, ...cells.map((row) => row[i]!.length)))
  const minimum = chosen.map((c, i) => Math.min(natural[i]!, c.min ?? fitCell.minWidth(c.kind, terminalSafe(c.header).length)))
  const limit = options.width ?? Number.POSITIVE_INFINITY
  const shown = chosen.map((_, i) => i)
  const dropped: string[] = []
  const span = (idx: number[], w: number[]): number => idx.reduce((n, i) => n + w[i]!, 0) + GAP * Math.max(0, idx.length - 1)
  if (!wide && options.columns === undefined) {
    while (span(shown, minimum) > limit) {
      const candidates = shown.filter((i) => chosen[i]!.priority > 1)
      if (candidates.length === 0) break
      const worst = candidates.reduce((a, b) => (chosen[b]!.priority >= chosen[a]!.priority ? b : a))
      shown.splice(shown.indexOf(worst), 1)
      dropped.unshift(chosen[worst]!.header)
    }
  }
  const widths = wide ? natural : narrowTo(shown, natural, minimum, limit, chosen.map((c) => c.priority))
  const header = shown.map((i) => fitCell.fit('text', terminalSafe(chosen[i]!.header), widths[i]!))
  const line = (values: string[]): string => values.map((v, j) => pad(v, widths[shown[j]!]!, chosen[shown[j]!]!.kind)).join(' '.repeat(GAP)).trimEnd()
  const body = cells.map((row) => line(shown.map((i) => fitCell.fit(chosen[i]!.kind, row[i]!, widths[i]!))))
  return {lines: [line(header), line(shown.map((i) => '-'.repeat(widths[i]!))), ...body], dropped: dropped.sort((a, b) => rank(chosen, a) - rank(chosen, b))}
}

const rank = (columns: ReadonlyArray<LaidColumn>, header: string): number => columns.findIndex((c) => c.header === header)

const pad = (v: string, width: number, kind: ColumnKind): string => (kind === 'number' ? v.padStart(width) : v.padEnd(width))

/**
 * Widths for the shown columns within `limit`: the least important columns are narrowed first
 * (down to their minimum), then the next, so what matters most keeps its width longest; within
 * one importance the longest columns are narrowed to one common level.
 */
function narrowTo(shown: number[], natural: number[], minimum: number[], limit: number, priority: number[]): number[] {
  const widths = [...natural]
  const budget = limit - GAP * Math.max(0, shown.length - 1)
  const used = (): number => shown.reduce((n, i) => n + widths[i]!, 0)
  if (!Number.isFinite(limit) || used() <= budget) return widths
  const classes = [...new Set(shown.map((i) => priority[i]!))].sort((a, b) => b - a)
  for (const p of classes) {
    const group = shown.filter((i) => priority[i] === p)
    const others = used() - group.reduce((n, i) => n + widths[i]!, 0)
    const room = budget - others
    const total = (level: number): number => group.reduce((n, i) => n + Math.max(minimum[i]!, Math.min(natural[i]!, level)), 0)
    if (total(Number.MAX_SAFE_INTEGER) <= room) continue
    let lo = 0
    let hi = Math.max(...group.map((i) => natural[i]!))
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2)
      if (total(mid) <= room) lo = mid
      else hi = mid - 1
    }
    for (const i of group) widths[i] = Math.max(minimum[i]!, Math.min(natural[i]!, lo))
    // What is left below the level goes to the columns of the group that were cut, left to right.
    let spare = room - total(lo)
    for (const i of group) {
      if (spare <= 0) break
      const more = Math.min(spare, natural[i]! - widths[i]!)
      widths[i]! += more
      spare -= more
    }
    if (used() <= budget) break
  }
  return widths
}

/**
 * A plain-text table: the rows under a header, each cell single-line and terminal-safe, laid
 * out for `options.width` when given, with a note naming any column left out to fit.
 */
export function renderTable(rows: ReadonlyArray<Record<string, unknown>>, columns?: ReadonlyArray<Column | string>, options: TableOptions = {}): string {
  if (rows.length === 0) return '(no rows)'
  const {lines, dropped} = layoutTable(rows, columns, options)
  return dropped.length === 0 ? lines.join('\n') : [...lines, ...wrapLine(droppedNote(dropped), options.width)].join('\n')
}

/** The note under a table some columns of which were left out for the width. */
export const droppedNote = (dropped: readonly string[]): string => `(columns not shown for the width: ${dropped.join(', ')}; --wide, or --columns to choose)`

/** Visible marks for the white space a log message may hold, so a cell stays on one line and still shows it. */
const MARKS: Record<string, string> = {'\t': '⇥', '\n': '↵', '\r': '␍'}

/**
 * A value as one terminal-safe line: tabs, newlines and carriage returns as visible marks (⇥ ↵ ␍),
 * every other control, line separator and bidirectional character escaped (terminalSafe).
 */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return ''
  const s = typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value)
  return terminalSafe(s.replace(/\r\n|[\t\n\r]/g, (ch) => (ch === '\r\n' ? MARKS['\n']! : MARKS[ch]!)))
}

/**
 * Control characters, line separators and the bidirectional formatting characters shown as
 * `\uXXXX` (src/core/text.ts), so no escape sequence or reordering reaches the screen.
 */
export const terminalSafe = escapeControls

/** A line of code or text for the terminal: escaped as terminalSafe does, tabs kept (they move the cursor, nothing more). */
export function terminalSafeLine(line: string): string {
  return line.split('\t').map(terminalSafe).join('\t')
}

/** Text wrapped at spaces to the terminal's width (a note under a table), a word longer than the width cut. */
export function wrapLine(text: string, width: number | undefined): string[] {
  if (width === undefined || text.length <= width) return [text]
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line)
      line = ''
    }
    line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') lines.push(line)
  return lines.map((l) => fitLine(l, width))
}

/** A line cut to the terminal's width (a progress line, a status line), keeping its start. */
export function fitLine(line: string, width: number | undefined): string {
  if (width === undefined || line.length <= width) return line
  return width <= 1 ? line.slice(0, Math.max(0, width)) : `${line.slice(0, width - 1)}…`
}
