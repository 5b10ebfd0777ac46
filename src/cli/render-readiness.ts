import type {CellValue, Row} from '../analysis/db.js'
import type {ReadinessReport} from '../collectors/readiness/audit.js'
import {renderTable, terminalSafe} from './table.js'

const MARK = {pass: 'pass', fail: 'FAIL', unknown: 'unknown'} as const

/** The terminal rendering of a readiness report: a table of every result, then what to do about each that did not pass. */
export function renderReadiness(r: ReadinessReport): string[] {
  const lines: string[] = [terminalSafe(`Readiness of account ${r.accountId} in ${r.regions.join(', ')}, ${r.functions.length} function(s), ${r.checkedAt}`), '']
  lines.push(renderTable(r.checks.map((c) => ({status: MARK[c.status], severity: c.severity, check: c.id, resource: c.resource, region: c.region}))))
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

export const READINESS_CSV_COLUMNS = ['id', 'status', 'severity', 'service', 'title', 'resource', 'region', 'reason', 'fix', 'gap', 'details'] as const

/** One CSV row per result; `details` as JSON. */
export function readinessCsvRows(r: ReadinessReport): Row[] {
  return r.checks.map((c) => ({
    id: c.id,
    status: c.status,
    severity: c.severity,
    service: c.service,
    title: c.title,
    resource: c.resource,
    region: c.region,
    reason: c.reason,
    fix: c.fix,
    gap: c.gap ?? null,
    details: c.details === undefined ? null : (JSON.stringify(c.details) as CellValue),
  }))
}
