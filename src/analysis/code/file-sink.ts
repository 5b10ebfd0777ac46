import {cutText, escapeControls} from '../../core/text.js'
import type {Indicator} from './indicators.js'
import {LineScanner} from './line-scanner.js'

/** How much of a file decides whether it is text (as git does: a NUL byte, or bytes that are not UTF-8). */
const SNIFF = 8000
/** A symlink entry's content is its target; longer than this is not a path. */
const LINK_MAX = 4096

/** Whether bytes are text: no NUL and valid UTF-8 (a sequence cut at the end of the sample is allowed). */
export function looksLikeText(sample: Buffer, complete: boolean): boolean {
  if (sample.includes(0)) return false
  try {
    new TextDecoder('utf-8', {fatal: true}).decode(sample, {stream: !complete})
    return true
  } catch {
    return false
  }
}

/**
 * Takes one entry's inflated bytes as they stream: decides text or binary from the first bytes,
 * scans text line by line for indicators (files above `maxScanBytes` are hashed, not scanned),
 * and keeps a symlink's target. Holds at most the sample and one line window.
 */
export class FileSink {
  private head: Buffer[] = []
  private headBytes = 0
  private scanner: LineScanner | undefined
  /** A scanner stopped at the scan cap, with what it found until then. */
  private stopped: LineScanner | undefined
  private scanned = 0
  private link = ''
  content: 'text' | 'binary' | null = null
  note: string | null = null
  /** Why the file was not scanned (whole), if it was not. */
  skipped: 'binary' | 'oversized' | null = null

  constructor(
    private readonly symlink: boolean,
    private readonly declaredSize: number,
    private readonly maxScanBytes: number,
  ) {}

  write(chunk: Buffer): void {
    if (this.symlink) {
      if (this.link.length < LINK_MAX) this.link += chunk.toString('utf8')
      return
    }
    if (this.content === null) {
      this.head.push(chunk)
      this.headBytes += chunk.length
      if (this.headBytes >= SNIFF) this.decide(false)
      return
    }
    this.scan(chunk)
  }

  /** Ends the file; returns its indicators (and how many were dropped past the per-file cap). */
  end(): {indicators: Indicator[]; dropped: number} {
    if (!this.symlink && this.content === null) this.decide(true)
    if (this.symlink) this.content = looksLikeText(Buffer.from(this.link), true) ? 'text' : 'binary'
    const scanner = this.scanner ?? this.stopped
    const indicators = this.scanner?.end() ?? this.stopped?.indicators ?? []
    const dropped = scanner?.dropped ?? 0
    if (dropped > 0) this.note = `${indicators.length + dropped} indicators, the first ${indicators.length} kept`
    return {indicators, dropped}
  }

  /** A symlink's target, escaped and cut: it is recorded, never followed. */
  get linkTarget(): string | null {
    return this.symlink ? cutText(escapeControls(this.link), 1024) : null
  }

  private decide(complete: boolean): void {
    const sample = Buffer.concat(this.head)
    this.head = []
    this.content = looksLikeText(sample.subarray(0, SNIFF), complete && sample.length <= SNIFF) ? 'text' : 'binary'
    if (this.content === 'binary') {
      this.skipped = 'binary'
      this.note = 'binary: not scanned'
    } else if (this.declaredSize > this.maxScanBytes) {
      this.skipped = 'oversized'
      this.note = `larger than ${this.maxScanBytes} bytes: not scanned`
    } else this.scanner = new LineScanner()
    this.scan(sample)
  }

  private scan(chunk: Buffer): void {
    if (this.scanner === undefined) return
    this.scanned += chunk.length
    if (this.scanned > this.maxScanBytes) {
      this.skipped = 'oversized'
      this.note = `scanned up to ${this.maxScanBytes} bytes (it inflates past its declared size)`
      this.scanner.end()
      this.stopped = this.scanner
      this.scanner = undefined
      return
    }
    this.scanner.write(chunk)
  }
}
