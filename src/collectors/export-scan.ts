import {Transform, type TransformCallback} from 'node:stream'
import {createGunzip, type Gunzip} from 'node:zlib'

/** What reading an export file through gunzip showed. */
export interface ExportScan {
  lines: number
  firstTime?: string
  lastTime?: string
  /** Why the gzip could not be read to its end, when it could not. */
  error?: string
}

const HEAD = 64
const TIME = /^(\d{4}-\d{2}-\d{2}T\S+) /

/**
 * Passes bytes through unchanged (to the evidence store) while decompressing a copy to count
 * lines and note the first and last timestamps, in one pass with bounded memory. A gzip that is
 * truncated or corrupt never fails the pass-through: the bytes are evidence either way; the scan
 * records the error instead.
 */
export class ExportScanner extends Transform {
  private readonly gunzip: Gunzip = createGunzip()
  private readonly scan: ExportScan = {lines: 0}
  /** The start of the line being read (only its head matters: the timestamp). */
  private head = ''
  private lineHasBytes = false
  private failed = false

  constructor() {
    super()
    this.gunzip.on('data', (chunk: Buffer) => this.consume(chunk.toString('latin1')))
    this.gunzip.on('error', (error: Error) => {
      this.failed = true
      this.scan.error ??= error.message
    })
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.failed) return done(null, chunk)
    // Waiting for gunzip to take the chunk keeps the scan in step with the copy; a gunzip that
    // fails on this chunk must not stall the copy either.
    let passed = false
    const pass = (): void => {
      if (passed) return
      passed = true
      this.gunzip.off('error', pass)
      done(null, chunk)
    }
    this.gunzip.once('error', pass)
    this.gunzip.write(chunk, pass)
  }

  override _flush(done: TransformCallback): void {
    if (this.failed) return done()
    this.gunzip.once('end', () => {
      this.endLine()
      done()
    })
    this.gunzip.once('error', () => done())
    this.gunzip.end()
  }

  /** The scan, complete once the stream has ended. */
  result(): ExportScan {
    return {...this.scan}
  }

  private consume(text: string): void {
    let from = 0
    for (let nl = text.indexOf('\n', from); nl >= 0; nl = text.indexOf('\n', from)) {
      this.addToLine(text.slice(from, nl))
      this.endLine()
      from = nl + 1
    }
    this.addToLine(text.slice(from))
  }

  private addToLine(part: string): void {
    if (part.length === 0) return
    this.lineHasBytes = true
    if (this.head.length < HEAD) this.head += part.slice(0, HEAD - this.head.length)
  }

  private endLine(): void {
    if (this.lineHasBytes) {
      this.scan.lines++
      const time = TIME.exec(this.head)?.[1]
      if (time !== undefined) {
        this.scan.firstTime ??= time
        this.scan.lastTime = time
      }
    }
    this.head = ''
    this.lineHasBytes = false
  }
}
