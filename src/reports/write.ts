import {createHash, randomBytes} from 'node:crypto'
import {createWriteStream} from 'node:fs'
import {mkdir, rename, rm} from 'node:fs/promises'
import path from 'node:path'
import {once} from 'node:events'
import type {Progress, ProgressTask} from '../core/progress.js'
import {CoronerError} from '../core/errors.js'
import {removeOnQuit} from '../core/quit.js'
import type {BuiltReport} from './build.js'
import {timelineChart} from './format/chart.js'
import {renderHtml} from './format/html.js'
import {renderJson} from './format/json.js'
import {renderMarkdown} from './format/markdown.js'
import {renderPdf} from './format/pdf.js'

export const REPORT_FORMATS = ['md', 'html', 'pdf', 'json'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

export interface WrittenReport {
  path: string
  format: ReportFormat
  bytes: number
  sha256: string
}

export interface WriteOptions {
  /** The Chromium that prints the PDF. */
  browser?: string
  signal?: AbortSignal
  /** Shows the JSON report's timeline rows as they are written. */
  progress?: Progress
}

/** What a rendering in `format` leaves out: JSON holds every timeline row and every finding. */
export const reportLimits = (report: BuiltReport, format: ReportFormat): string[] => (format === 'json' ? report.wholeLimits : report.model.limits)

/** The pieces of the report in one format. */
async function* pieces(report: BuiltReport, format: ReportFormat, options: WriteOptions, task: ProgressTask | undefined): AsyncGenerator<string | Uint8Array> {
  if (format === 'md') yield renderMarkdown(report.model)
  else if (format === 'html') yield renderHtml(report.model, {chart: await timelineChart(report.model)})
  else if (format === 'pdf') yield await renderPdf(renderHtml(report.model, {chart: await timelineChart(report.model), print: true}), options)
  else {
    // The JSON states the timeline's total before its rows: a stream that held other than that many is refused, not written.
    const total = report.model.timeline.total
    let rows = 0
    yield* renderJson(report, (n) => {
      rows += n
      task?.advance(n)
    })
    if (rows !== total) {
      throw new CoronerError('internal', `The timeline gave ${rows} row(s) where the report counts ${total}; the JSON report was not written.`)
    }
  }
}

/**
 * Writes the report to `file` (created beside it and renamed into place when whole, so a reader
 * never sees half a report) and returns its size and SHA-256, to record in the incident ticket.
 */
export async function writeReport(report: BuiltReport, format: ReportFormat, file: string, options: WriteOptions = {}): Promise<WrittenReport> {
  const target = path.resolve(file)
  await mkdir(path.dirname(target), {recursive: true})
  const tmp = `${target}.tmp-${randomBytes(4).toString('hex')}`
  const hash = createHash('sha256')
  let bytes = 0
  const forget = removeOnQuit(tmp)
  const out = createWriteStream(tmp, {flags: 'wx'})
  const task = format === 'json' ? options.progress?.task(`writing ${path.basename(target)}`, report.model.timeline.total) : undefined
  try {
    for await (const piece of pieces(report, format, options, task)) {
      options.signal?.throwIfAborted()
      const buf = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece
      hash.update(buf)
      bytes += buf.length
      if (!out.write(buf)) await once(out, 'drain')
    }
    out.end()
    await once(out, 'close')
    await rename(tmp, target)
  } catch (error) {
    out.destroy()
    await rm(tmp, {force: true})
    throw error
  } finally {
    forget()
    task?.done()
  }
  return {path: target, format, bytes, sha256: hash.digest('hex')}
}
