import {createHash, randomBytes} from 'node:crypto'
import {createWriteStream} from 'node:fs'
import {mkdir, rename, rm} from 'node:fs/promises'
import path from 'node:path'
import {once} from 'node:events'
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
}

/** The pieces of the report in one format. */
async function* pieces(report: BuiltReport, format: ReportFormat, options: WriteOptions): AsyncGenerator<string | Uint8Array> {
  if (format === 'md') yield renderMarkdown(report.model)
  else if (format === 'html') yield renderHtml(report.model, {chart: await timelineChart(report.model)})
  else if (format === 'pdf') yield await renderPdf(renderHtml(report.model, {chart: await timelineChart(report.model), print: true}), options)
  else yield* renderJson(report)
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
  const out = createWriteStream(tmp, {flags: 'wx'})
  try {
    for await (const piece of pieces(report, format, options)) {
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
  }
  return {path: target, format, bytes, sha256: hash.digest('hex')}
}
