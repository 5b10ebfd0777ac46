import * as vega from 'vega'
import {compile, type TopLevelSpec} from 'vega-lite'
import type {ReportModel} from '../model.js'

const SEVERITY_COLOURS = {critical: '#7f0000', high: '#d7301f', medium: '#fc8d59', low: '#fdcc8a', info: '#bdbdbd'}

/**
 * The timeline chart as an SVG string, rendered in Node by Vega (no canvas, no browser): events
 * per time bucket stacked by source, and below it the events that carry findings by severity.
 * Its data are counts, source names and severities coroner itself produces; nothing in it comes
 * from the evidence as text.
 */
export async function timelineChart(m: ReportModel): Promise<string> {
  const values = m.timeline.histogram
  if (values.length === 0) return ''
  const x = {field: 'bucket', type: 'temporal' as const, title: `time (UTC), ${m.timeline.bucket} per bar`, axis: {format: '%Y-%m-%d %H:%M', labelAngle: -30}}
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: {font: 'sans-serif', view: {stroke: null}},
    data: {values},
    vconcat: [
      {
        width: 860,
        height: 180,
        title: 'Events by source',
        transform: [{filter: "datum.severity === 'all'"}],
        mark: {type: 'bar'},
        encoding: {
          x: {...x, timeUnit: undefined},
          y: {aggregate: 'sum', field: 'count', type: 'quantitative', title: 'events', axis: {tickMinStep: 1, format: 'd'}},
          color: {field: 'source', type: 'nominal', title: 'source', scale: {scheme: 'tableau10'}},
        },
      },
      {
        width: 860,
        height: 90,
        title: 'Events in findings, by severity',
        transform: [{filter: "datum.severity !== 'all'"}],
        mark: {type: 'circle', opacity: 0.85},
        encoding: {
          x,
          y: {field: 'severity', type: 'ordinal', sort: ['critical', 'high', 'medium', 'low', 'info'], title: null},
          size: {aggregate: 'sum', field: 'count', type: 'quantitative', title: 'events', legend: {orient: 'right', format: 'd', tickMinStep: 1}},
          color: {field: 'severity', type: 'nominal', scale: {domain: Object.keys(SEVERITY_COLOURS), range: Object.values(SEVERITY_COLOURS)}, legend: null},
        },
      },
    ],
    resolve: {scale: {color: 'independent', x: 'shared'}},
  }
  const view = new vega.View(vega.parse(compile(spec).spec), {renderer: 'none'})
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}
