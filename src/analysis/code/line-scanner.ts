import {StringDecoder} from 'node:string_decoder'
import {scanText, type Indicator} from './indicators.js'

/** Whole lines are scanned in blocks of about this many characters (each rule runs once per block). */
const BLOCK = 64 * 1024
/** A line longer than this (minified code) is scanned in windows of this many characters. */
const WINDOW = 64 * 1024
/** Windows overlap by this much, so a match across a boundary is still seen whole. */
const OVERLAP = 2048

/**
 * Scans text fed to it in chunks, a block of whole lines at a time, holding at most one block or
 * one window of a long line: memory stays flat whatever the file's size or its longest line.
 * Indicators past `maxIndicators` are counted, not kept.
 */
export class LineScanner {
  private readonly decoder = new StringDecoder('utf8')
  private pending = ''
  /** Line number of the first line in `pending`. */
  private line = 1
  /** Characters of that line already scanned in earlier windows. */
  private consumed = 0
  readonly indicators: Indicator[] = []
  dropped = 0

  constructor(private readonly maxIndicators = 1000) {}

  write(chunk: Buffer): void {
    this.pending += this.decoder.write(chunk)
    for (;;) {
      const nl = this.pending.lastIndexOf('\n', BLOCK + WINDOW)
      if (nl >= 0 && (nl >= BLOCK || this.pending.length > BLOCK + WINDOW)) {
        this.flushLines(nl)
        continue
      }
      if (nl < 0 && this.pending.length > WINDOW + OVERLAP) {
        this.keep(scanText(this.pending.slice(0, WINDOW + OVERLAP), this.line, this.consumed + 1), this.consumed + WINDOW)
        this.pending = this.pending.slice(WINDOW)
        this.consumed += WINDOW
        continue
      }
      return
    }
  }

  /** Scans what is left; returns the indicators kept. */
  end(): Indicator[] {
    this.pending += this.decoder.end()
    if (this.pending !== '') this.keep(scanText(this.pending, this.line, this.consumed + 1))
    this.pending = ''
    return this.indicators
  }

  /** Scans the whole lines up to the newline at `nl` and drops them. */
  private flushLines(nl: number): void {
    const block = this.pending.slice(0, nl)
    this.keep(scanText(block, this.line, this.consumed + 1))
    let lines = 1
    for (let i = block.indexOf('\n'); i >= 0; i = block.indexOf('\n', i + 1)) lines++
    this.line += lines
    this.consumed = 0
    this.pending = this.pending.slice(nl + 1)
  }

  /** Keeps what a scan found; for a window, only what starts before `limit` (the next window reports the rest). */
  private keep(found: Indicator[], limit?: number): void {
    for (const f of found) {
      if (limit !== undefined && f.column - 1 >= limit) continue
      if (this.indicators.length < this.maxIndicators) this.indicators.push(f)
      else this.dropped++
    }
  }
}
