import type {z} from 'zod'
import type {OutputOptions} from './output.js'
import {tableOf} from './output.js'
import {renderGaps} from './render-gaps.js'
import type {caseShowResult} from './results/evidence.js'
import {cellText} from './table.js'

type RunRow = z.output<typeof caseShowResult>['runs'][number]
type Detail = NonNullable<RunRow['detail']>

/** One run of a case in full, as `case show --run` prints it. */
export function renderRun(run: RunRow, d: Detail, output: OutputOptions): string[] {
  const lines = [
    `Run ${run.runId}: ${cellText(run.command ?? 'unknown command')} (${run.status})`,
    `  started  ${run.startedAt ?? 'unknown'}${run.endedAt === null ? '' : `, ended ${run.endedAt}`}`,
    `  by       ${cellText(run.user ?? 'unknown')}${run.caller === null ? '' : `, AWS caller ${cellText(run.caller)}`}`,
    `  tool     ${d.tool === null ? 'unknown' : `${cellText(d.tool.name)} ${cellText(d.tool.version)}`}${d.host === null ? '' : ` on Node ${cellText(d.host.node)}, ${cellText(d.host.platform)}`}`,
    `  store    ${d.store === null ? 'unknown' : `${cellText(d.store.location)} (${cellText(d.store.kind)})`}`,
    `  chained  ${d.previousManifest === null ? 'first run of the case' : `to run ${cellText(d.previousManifest.runId)}, manifest SHA-256 ${cellText(d.previousManifest.sha256)}`}`,
  ]
  const params = Object.entries(run.parameters)
  lines.push('', `Parameters (${params.length}):`, ...params.map(([k, v]) => `  ${cellText(k)}: ${cellText(JSON.stringify(v))}`))
  lines.push('', `Steps (${d.steps.length}):`)
  if (d.steps.length > 0) {
    const steps = d.steps.map((s) => ({...s, seconds: s.durationMs === null ? '' : (s.durationMs / 1000).toFixed(1), parameters: JSON.stringify(s.parameters)}))
    lines.push(tableOf(steps, [{key: 'step', priority: 1}, {key: 'uses', priority: 2}, {key: 'outcome', priority: 1}, {key: 'seconds', kind: 'number', priority: 2}, {key: 'reason', priority: 3}, {key: 'parameters', priority: 4}], output))
  }
  lines.push('', `Artifacts (${d.artifacts.length}):`)
  if (d.artifacts.length > 0) {
    lines.push(tableOf(d.artifacts, [{key: 'kind', priority: 2}, {key: 'size', kind: 'number', priority: 2}, {key: 'sha256', kind: 'hash', priority: 1}, {key: 'key', kind: 'evidence', priority: 1}, {key: 'source', kind: 'key', priority: 3}], output))
  }
  lines.push(...renderGaps(run.gaps))
  if (d.notes.length > 0) lines.push('', 'Notes:', ...d.notes.map((n) => `  ${cellText(n)}`))
  if (run.warnings.length > 0) lines.push('', 'Warnings:', ...run.warnings.map((w) => `  ${cellText(w)}`))
  if (d.journalProblems.length > 0) lines.push('', 'Journal problems (run `coroner evidence verify`):', ...d.journalProblems.map((p) => `  ${cellText(p)}`))
  lines.push('', `Journal  ${d.journalKey}`, `Manifest ${d.manifestKey}`, `Manifest SHA-256 ${run.manifestSha256 ?? '(none: the run never sealed)'}`)
  return lines
}
