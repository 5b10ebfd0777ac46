import {escapeControls} from '../core/text.js'

/** A plain-text table for the terminal; cells are made single-line and control characters shown escaped. */
export function renderTable(rows: ReadonlyArray<Record<string, unknown>>, columns?: readonly string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))]
  if (rows.length === 0) return '(no rows)'
  const cells = rows.map((r) => cols.map((c) => cellText(r[c])))
  const headers = cols.map(terminalSafe)
  const widths = headers.map((c, i) => Math.min(80, Math.max(c.length, ...cells.map((row) => row[i]!.length))))
  const line = (values: string[]): string => values.map((v, i) => fit(v, widths[i]!)).join('  ').trimEnd()
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')
}

/**
 * Fits a cell to `width`. Keys, paths and ARNs (anything with a `/`) lose their middle, because
 * their two ends tell them apart (the case and run, the file name); other text loses its end.
 */
function fit(v: string, width: number): string {
  if (v.length <= width) return v.padEnd(width)
  if (!v.includes('/')) return `${v.slice(0, width - 1)}…`
  const head = Math.floor((width - 1) / 3)
  return `${v.slice(0, head)}…${v.slice(v.length - (width - 1 - head))}`
}

/** Terminal-safe text: no escape sequences or newlines from attacker-controlled values reach the screen. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return ''
  const s = typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value)
  return terminalSafe(s)
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
