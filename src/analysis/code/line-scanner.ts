import {StringDecoder} from 'node:string_decoder'
import {scanLine, type Indicator} from './indicators.js'

/** A line longer than this (minified code) is scanned in windows of this many characters. */
const WINDOW = 64 * 1024
/** Windows overlap by this much, so a match across a boundary is still seen whole. */
const OVERLAP = 2048

/**
 * Scans text fed to it in chunks, line by line, holding at most one window of a line at a time:
 * memory stays flat whatever the file's size or its longest line. Indicators past `maxIndicators`
 * are counted, not kept.
 */
export class LineScanner {
  private readonly decoder = new StringDecoder('utf8')
  private pending = ''
  /** Characters of the current line already scanned in earlier windows. */
  private consumed = 0
  private line = 1
  readonly indicators: Indicator[] = []
  dropped = 0

  constructor(private readonly maxIndicators = 1000) {}

  write(chunk: Buffer): void {
    this.pending += this.decoder.write(chunk)
    let start = 0
    let nl: number
    while ((nl = this.pending.indexOf('\n', start)) >= 0) {
      this.scan(this.pending.slice(start, nl).replace(/\r$/, ''), true)
      start = nl + 1
      this.line++
      this.consumed = 0
    }
    if (start > 0) this.pending = this.pending.slice(start)
    while (this.pending.length > WINDOW + OVERLAP) {
      this.scan(this.pending.slice(0, WINDOW + OVERLAP), false)
      this.pending = this.pending.slice(WINDOW)
      this.consumed += WINDOW
    }
  }

  /** Scans what is left; returns the indicators kept. */
  end(): Indicator[] {
    this.pending += this.decoder.end()
    if (this.pending !== '') this.scan(this.pending, true)
    this.pending = ''
    return this.indicators
  }

  private scan(text: string, last: boolean): void {
    for (const found of scanLine(text, this.line, this.consumed)) {
      // A window reports what starts before its overlap; the next window reports the rest.
      if (!last && found.column - this.consumed > WINDOW) continue
      if (this.indicators.length < this.maxIndicators) this.indicators.push(found)
      else this.dropped++
    }
  }
}
