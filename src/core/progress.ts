/** One unit of long work: a label, a count so far and, when known, a total. */
export interface ProgressTask {
  advance(by?: number): void
  setTotal(total: number): void
  done(summary?: string): void
}

/** Long work reports through this; the CLI decides whether anything is drawn. */
export interface Progress {
  task(label: string, total?: number): ProgressTask
}

const quietTask: ProgressTask = {advance() {}, setTotal() {}, done() {}}

export const quietProgress: Progress = {task: () => quietTask}

/**
 * Draws one self-overwriting line per task on a terminal stream, at most every `intervalMs`,
 * with a rate and, when the total is known, an ETA. Used only when the stream is a TTY.
 */
export function terminalProgress(stream: NodeJS.WriteStream, now: () => number = Date.now, intervalMs = 100): Progress {
  return {
    task(label, initialTotal) {
      let total = initialTotal
      let count = 0
      let lastDraw = 0
      const started = now()
      const draw = (force: boolean): void => {
        const t = now()
        if (!force && t - lastDraw < intervalMs) return
        lastDraw = t
        const seconds = Math.max((t - started) / 1000, 0.001)
        const rate = count / seconds
        let line = `${label}: ${count}`
        if (total !== undefined && total > 0) {
          const eta = rate > 0 ? Math.max(0, (total - count) / rate) : Number.NaN
          line += `/${total} (${Math.floor((100 * count) / total)}%)`
          if (Number.isFinite(eta)) line += ` ETA ${formatSeconds(eta)}`
        }
        line += ` ${rate.toFixed(1)}/s`
        stream.write(`\r\u001B[2K${line}`)
      }
      return {
        advance(by = 1) {
          count += by
          draw(false)
        },
        setTotal(n) {
          total = n
        },
        done(summary) {
          draw(true)
          stream.write(summary === undefined ? '\n' : `\r\u001B[2K${label}: ${summary}\n`)
        },
      }
    },
  }
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)}s`
  const m = Math.floor(s / 60)
  return m < 60 ? `${m}m${Math.ceil(s % 60)}s` : `${Math.floor(m / 60)}h${m % 60}m`
}
