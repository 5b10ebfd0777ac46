import {jsonText} from '../../analysis/output.js'
import type {BuiltReport} from '../build.js'

const MARK = '\u0000timeline-rows\u0000'

/**
 * The report as JSON (docs/json/report.schema.json), control and bidirectional characters escaped, written in pieces: the model, with the full
 * timeline streamed from the case database in place of the rows the model holds, so a case of a
 * million events is written without its timeline ever being whole in memory. It holds every row
 * and every finding, so its limits are the cuts that remain (`wholeLimits`). `onRows` is told the
 * rows of each piece as it is yielded.
 */
export async function* renderJson(report: BuiltReport, onRows: (rows: number) => void = () => {}): AsyncGenerator<string> {
  const text = jsonText({...report.model, timeline: {...report.model.timeline, rows: [MARK]}, limits: report.wholeLimits}, 2)
  const marker = JSON.stringify(MARK)
  const at = text.indexOf(marker)
  const indent = text.slice(text.lastIndexOf('\n', at) + 1, at)
  yield text.slice(0, at - indent.length - 1)
  const separator = `,\n${indent}`
  let first = true
  for await (const piece of report.fullTimelineJson(separator)) {
    yield `${first ? '\n' : ',\n'}${indent}${piece.text}`
    onRows(piece.rows)
    first = false
  }
  yield `\n${indent.slice(2)}${text.slice(at + marker.length).replace(/^\s*\]/, ']')}\n`
}
