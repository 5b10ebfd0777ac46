import {jsonText} from '../../analysis/output.js'
import type {BuiltReport} from '../build.js'

const MARK = '\u0000timeline-rows\u0000'

/**
 * The report as JSON (docs/json/report.schema.json), control and bidirectional characters escaped, written in pieces: the model, with the full
 * timeline streamed from the case database in place of the rows the model holds, so a case of a
 * million events is written without its timeline ever being whole in memory.
 */
export async function* renderJson(report: BuiltReport): AsyncGenerator<string> {
  const text = jsonText({...report.model, timeline: {...report.model.timeline, rows: [MARK]}}, 2)
  const marker = JSON.stringify(MARK)
  const at = text.indexOf(marker)
  const indent = text.slice(text.lastIndexOf('\n', at) + 1, at)
  yield text.slice(0, at - indent.length - 1)
  let first = true
  let batch: string[] = []
  for await (const row of report.fullTimelineJson()) {
    batch.push(`${first ? '' : ','}\n${indent}${row}`)
    first = false
    if (batch.length >= 1000) {
      yield batch.join('')
      batch = []
    }
  }
  yield batch.join('')
  yield `\n${indent.slice(2)}${text.slice(at + marker.length).replace(/^\s*\]/, ']')}\n`
}
