import type {z} from 'zod'
import type {ActionTarget} from '../actions/action.js'
import {differenceLine, type Difference} from '../actions/state-diff.js'
import {targetLabel} from '../actions/targets.js'
import type {containOutcome} from './results/contain.js'
import {terminalSafe} from './table.js'

/** One action's outcomes, as `contain` and `undo` report them (a step's outcomes, or their --json form). */
export interface ActionReport {
  action: string
  title: string
  notes: readonly string[]
  outcomes: ReadonlyArray<z.output<typeof containOutcome>>
}

const STATUS: Record<string, string> = {
  planned: 'planned (dry run: not changed)',
  applied: 'applied, read back as intended',
  failed: 'FAILED',
  drift: 'REFUSED: changed since it was recorded',
  skipped: 'skipped',
}

/** Each action: each target with its status, the change as before → after, the calls, then what it does and does not do. */
export function renderActionReports(reports: readonly ActionReport[], options: {showNotes: boolean}): string[] {
  const lines: string[] = []
  for (const r of reports) {
    lines.push('', terminalSafe(`${r.action}: ${r.title}`))
    for (const {record} of r.outcomes) {
      lines.push(terminalSafe(`  ${targetLabel(record.target as Pick<ActionTarget, 'type' | 'name' | 'region'>)}: ${STATUS[record.status] ?? record.status}${record.undoes === null ? '' : ` (undoing run ${record.undoes})`}`))
      for (const d of record.changes) lines.push(terminalSafe(`    ${differenceLine(d as Difference)}`))
      for (const d of record.drift) lines.push(terminalSafe(`    drift: ${d.path}: recorded ${JSON.stringify(d.from)}, now ${JSON.stringify(d.to)}`))
      for (const d of record.mismatches) lines.push(terminalSafe(`    NOT AS INTENDED: ${d.path}: intended ${JSON.stringify(d.from)}, read back ${JSON.stringify(d.to)}`))
      for (const c of record.calls) lines.push(terminalSafe(`    ${c.outcome === 'planned' ? 'would call' : `${c.outcome}:`} ${c.operation} ${JSON.stringify(c.parameters)}${c.error === undefined ? '' : ` (${c.error})`}`))
      for (const n of record.notes.filter((n) => !r.notes.includes(n))) lines.push(terminalSafe(`    ${n}`))
    }
    if (options.showNotes) for (const n of r.notes) lines.push(terminalSafe(`  ${n}`))
  }
  return lines
}
