import {escapeControls} from './text.js'

/**
 * One unit of long work: a label, a count of objects so far and, when known, a total; optionally
 * the bytes those objects hold, so the rate and the time left follow the data, not the count.
 */
export interface ProgressTask {
  /** `by` objects done (default 1), holding `bytes` bytes. */
  advance(by?: number, bytes?: number): void
  /** The objects (and the bytes) there are in all, once known. */
  setTotal(total: number, bytes?: number): void
  done(summary?: string): void
}

/** Long work reports through this; the CLI decides whether anything is drawn. */
export interface Progress {
  task(label: string, total?: number): ProgressTask
}

const quietTask: ProgressTask = {advance() {}, setTotal() {}, done() {}}

export const quietProgress: Progress = {task: () => quietTask}

/** A command's progress: drawn on `stream` when it is a terminal and the output is not JSON; otherwise none at all. */
export function progressFor(stream: NodeJS.WriteStream, json: boolean): Progress {
  return !json && stream.isTTY ? terminalProgress(stream) : quietProgress
}

/** What a task has done, as its progress line says it. */
export interface ProgressState {
  label: string
  count: number
  total: number | undefined
  bytes: number
  totalBytes: number | undefined
  seconds: number
}

/**
 * The progress line of a task: `label: 120/2,000 objects (6%) 35.2/1.2 GiB 12.3 MiB/s ETA 1m40s`,
 * cut to `width` columns (the terminal's), the numbers kept before the label is cut; `compact`,
 * the count alone.
 */
export function progressLine(s: ProgressState, width = Number.POSITIVE_INFINITY, compact = false): string {
  const seconds = Math.max(s.seconds, 0.001)
  const parts: string[] = [`${s.count.toLocaleString('en-US')}${s.total !== undefined && s.total > 0 ? `/${s.total.toLocaleString('en-US')}` : ''}`]
  if (s.total !== undefined && s.total > 0) parts[0] += ` (${Math.min(100, Math.floor((100 * s.count) / s.total))}%)`
  // Side by side, labels often differ only at the end (log groups): the end is kept.
  if (compact) return fitLabel(s.label, parts[0]!, width, true)
  const byBytes = s.bytes > 0
  if (byBytes) parts.push(`${formatBytes(s.bytes)}${s.totalBytes !== undefined && s.totalBytes > 0 ? `/${formatBytes(s.totalBytes)}` : ''}`, `${formatBytes(s.bytes / seconds)}/s`)
  else parts.push(`${(s.count / seconds).toFixed(1)}/s`)
  const left = byBytes && s.totalBytes !== undefined && s.totalBytes > 0 ? (s.totalBytes - s.bytes) / (s.bytes / seconds) : s.total !== undefined && s.total > 0 && s.count > 0 ? (s.total - s.count) / (s.count / seconds) : Number.NaN
  if (Number.isFinite(left)) parts.push(`ETA ${formatSeconds(Math.max(0, left))}`)
  return fitLabel(s.label, parts.join(' '), width)
}

/** `label: numbers` in `width` columns, the numbers kept before the label is cut (its end dropped, or with `keepEnd` its start). */
function fitLabel(label: string, numbers: string, width: number, keepEnd = false): string {
  const room = width - numbers.length - 2
  if (room >= label.length) return `${label}: ${numbers}`
  if (room >= 4) return keepEnd ? `…${label.slice(label.length - room + 1)}: ${numbers}` : `${label.slice(0, room - 1)}…: ${numbers}`
  return numbers.length <= width ? numbers : `${numbers.slice(0, Math.max(0, width - 1))}…`
}

/** Between tasks drawn side by side. */
const SEPARATOR = ' │ '

/**
 * Draws one self-overwriting line on a terminal stream, at most every `intervalMs`, never wider
 * than the terminal (a line that wrapped could not be overwritten). Tasks running side by side
 * (log groups collected at once) share it, each in its part of the width; a task that ends leaves
 * its last line above it.
 */
export function terminalProgress(stream: NodeJS.WriteStream, now: () => number = Date.now, intervalMs = 100): Progress {
  const width = (): number => Math.max(10, (stream.columns || 80) - 1)
  const cut = (line: string): string => (line.length <= width() ? line : `${line.slice(0, width() - 1)}…`)
  const active: Array<{s: ProgressState; started: number}> = []
  let lastDraw = 0
  const draw = (force: boolean): void => {
    const t = now()
    if (!force && t - lastDraw < intervalMs) return
    lastDraw = t
    if (active.length === 0) return
    const share = Math.max(10, Math.floor((width() - SEPARATOR.length * (active.length - 1)) / active.length))
    const parts = active.map(({s, started}) => {
      s.seconds = (t - started) / 1000
      // Side by side, each task says its label and count only: the rate and time left need the room.
      return progressLine(s, share, active.length > 1)
    })
    stream.write(`\r\u001B[2K${cut(parts.join(SEPARATOR))}`)
  }
  return {
    task(label, initialTotal) {
      const s: ProgressState = {label: escapeControls(label), count: 0, total: initialTotal, bytes: 0, totalBytes: undefined, seconds: 0}
      const mine = {s, started: now()}
      active.push(mine)
      return {
        advance(by = 1, bytes = 0) {
          s.count += by
          s.bytes += bytes
          draw(false)
        },
        setTotal(n, bytes) {
          s.total = n
          if (bytes !== undefined) s.totalBytes = bytes
        },
        done(summary) {
          const at = active.indexOf(mine)
          if (at < 0) return
          s.seconds = (now() - mine.started) / 1000
          active.splice(at, 1)
          stream.write(`\r\u001B[2K${cut(summary === undefined ? progressLine(s, width()) : `${s.label}: ${escapeControls(summary)}`)}\n`)
          draw(true)
        },
      }
    },
  }
}

/** Bytes for people: 512 B, 35.2 KiB, 1.2 GiB. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[u]}`
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)}s`
  const m = Math.floor(s / 60)
  return m < 60 ? `${m}m${Math.ceil(s % 60)}s` : `${Math.floor(m / 60)}h${m % 60}m`
}
