import type {z} from 'zod'
import type {ReadinessReport} from '../collectors/readiness/audit.js'
import type {OutputOptions} from './output.js'
import {tableOf} from './output.js'
import type {readinessCheck, readinessResult} from './results/readiness.js'
import {terminalSafe} from './table.js'

type Check = z.output<typeof readinessCheck>
type Shown = Pick<z.output<typeof readinessResult>, 'accountId' | 'regions' | 'functions' | 'checkedAt' | 'checks' | 'summary'>

const MARK = {pass: 'pass', fail: 'FAIL', unknown: 'unknown'} as const

/** The checks of a report as --json, --ndjson and --csv give them. */
export function readinessChecksJson(r: Pick<ReadinessReport, 'checks'>): Check[] {
  return r.checks.map((c) => ({
    id: c.id,
    title: c.title,
    service: c.service,
    severity: c.severity,
    status: c.status,
    resource: c.resource,
    region: c.region,
    reason: c.reason,
    fix: c.fix,
    details: c.details ?? null,
    gapCode: c.gap ?? null,
  }))
}

export const READINESS_CSV_COLUMNS = ['id', 'status', 'severity', 'service', 'title', 'resource', 'region', 'reason', 'fix', 'gapCode', 'details'] as const

/** The terminal rendering of a readiness report: a table of every result, then what to do about each that did not pass. */
export function renderReadiness(r: Shown, output?: OutputOptions): string[] {
  const lines: string[] = [terminalSafe(`Readiness of account ${r.accountId} in ${r.regions.join(', ')}, ${r.functions.length} function(s), ${r.checkedAt}`), '']
  const columns = [
    {key: 'status', priority: 1, value: (c: Check) => MARK[c.status]},
    {key: 'severity', priority: 1},
    {key: 'id', header: 'check', priority: 1},
    {key: 'resource', kind: 'key' as const, priority: 2},
    {key: 'region', priority: 3},
  ]
  lines.push(tableOf(r.checks, columns, output ?? {format: 'table', limit: 0, wide: false, columns: undefined, width: undefined}))
  const open = r.checks.filter((c) => c.status !== 'pass')
  if (open.length > 0) lines.push('', 'To do:')
  for (const c of open) {
    lines.push(terminalSafe(`  ${MARK[c.status]} ${c.severity} ${c.id}  ${c.resource}`))
    lines.push(terminalSafe(`      why: ${c.reason}`))
    if (c.fix !== '') lines.push(terminalSafe(`      fix: ${c.fix}`))
  }
  const s = r.summary
  lines.push('', `${s.checks} result(s): ${s.pass} pass, ${s.fail} fail (${s.severeFailures} of high or critical severity), ${s.unknown} unknown${s.failedReads > 0 ? `, ${s.failedReads} read(s) failed` : ''}.`)
  return lines
}
