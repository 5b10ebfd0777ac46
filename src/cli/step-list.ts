import type {Progress} from '../core/progress.js'
import type {RunObserver} from '../playbooks/execute.js'
import type {StepReport} from '../playbooks/run-step.js'
import {terminalSafe} from './table.js'

interface Line {
  id: string
  uses: string
  state: 'waiting' | 'running' | StepReport['outcome']
  detail: string
  startedAt?: number
  durationMs?: number
}

const SYMBOL: Record<Line['state'], string> = {waiting: '·', running: '›', done: '✓', gap: '!', failed: '✗', skipped: '-', interrupted: '✗'}

/**
 * The live step list of `coroner run` on a terminal: one line per step (waiting, running with its
 * own progress, then how it ended and how long it took), redrawn in place at most every
 * `intervalMs`. Log lines are written above the list. Only used when stderr is a TTY.
 */
export class StepList implements RunObserver {
  private lines: Line[] = []
  private drawn = 0
  private lastDraw = 0
  private timer: NodeJS.Timeout | undefined
  private suspended = false

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly now: () => number = Date.now,
    private readonly intervalMs = 100,
  ) {}

  planned(steps: ReadonlyArray<{id: string; uses: string}>): void {
    this.lines = steps.map((s) => ({id: s.id, uses: s.uses, state: 'waiting', detail: ''}))
    this.draw(true)
    this.timer = setInterval(() => this.draw(true), 1000)
    this.timer.unref()
  }

  started(id: string): void {
    this.update(id, {state: 'running', startedAt: this.now(), detail: ''})
  }

  progress(id: string): Progress {
    return {
      task: (label, initialTotal) => {
        let count = 0
        let total = initialTotal
        const show = (): void => this.update(id, {detail: `${label}: ${count}${total ? `/${total}` : ''}`}, false)
        show()
        return {
          advance: (by = 1) => {
            count += by
            show()
          },
          setTotal: (n) => {
            total = n
            show()
          },
          done: (summary) => this.update(id, {detail: summary === undefined ? `${label}: ${count}` : `${label}: ${summary}`}, false),
        }
      },
    }
  }

  ended(report: StepReport): void {
    const detail = report.carriedFrom ? `carried over from run ${report.carriedFrom}` : (report.reason ?? (report.gaps > 0 ? `${report.gaps} gap(s)` : report.findings > 0 ? `${report.findings} finding(s)` : ''))
    this.update(report.id, {state: report.outcome, detail, ...(report.durationMs === undefined ? {} : {durationMs: report.durationMs})})
  }

  /** A line of text above the list (log records while the run goes on). */
  log(text: string): void {
    this.clear()
    this.stream.write(`${text}\n`)
    this.draw(true)
  }

  /** Stops drawing while something else uses the terminal (a question), until resume(). */
  suspend(): void {
    this.suspended = true
    this.drawn = 0
  }

  resume(): void {
    this.suspended = false
    this.draw(true)
  }

  /** Stops redrawing; the list stays on screen as it last was. */
  close(): void {
    if (this.timer) clearInterval(this.timer)
    this.draw(true)
    this.drawn = 0
  }

  private update(id: string, change: Partial<Line>, force = true): void {
    const line = this.lines.find((l) => l.id === id)
    if (!line) return
    Object.assign(line, change)
    this.draw(force)
  }

  private clear(): void {
    if (this.drawn > 0) this.stream.write(`\u001B[${this.drawn}A\u001B[0J`)
    this.drawn = 0
  }

  private draw(force: boolean): void {
    if (this.suspended || this.lines.length === 0) return
    const t = this.now()
    if (!force && t - this.lastDraw < this.intervalMs) return
    this.lastDraw = t
    const idWidth = Math.max(...this.lines.map((l) => l.id.length), 4)
    const usesWidth = Math.max(...this.lines.map((l) => l.uses.length), 4)
    const width = Math.max(40, (this.stream.columns ?? 100) - 1)
    const text = this.lines.map((l) => {
      const time = l.durationMs !== undefined ? seconds(l.durationMs) : l.startedAt !== undefined && l.state === 'running' ? seconds(t - l.startedAt) : ''
      const row = `${SYMBOL[l.state]} ${l.id.padEnd(idWidth)}  ${l.uses.padEnd(usesWidth)}  ${l.state.padEnd(8)} ${time.padStart(6)}  ${terminalSafe(l.detail)}`
      return row.length > width ? `${row.slice(0, width - 1)}…` : row
    })
    this.clear()
    this.stream.write(`${text.join('\n')}\n`)
    this.drawn = text.length
  }
}

const seconds = (ms: number): string => (ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`)
