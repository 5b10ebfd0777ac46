import type {Gap} from '../../evidence/gap.js'
import {checkDefinition, type CheckId, type CheckResult, type CheckStatus} from './checks.js'
import {unansweredBecause} from './probe.js'

export interface ResultFields {
  resource: string
  region: string
  reason: string
  fix?: string
  details?: Record<string, unknown>
}

/** A result of check `id`: its title and severity from the catalogue; a pass carries no fix. */
export function checkResult(id: CheckId, status: CheckStatus, f: ResultFields): CheckResult {
  const d = checkDefinition(id)
  return {
    id,
    title: d.title,
    service: d.service,
    severity: d.severity,
    status,
    resource: f.resource,
    region: f.region,
    reason: f.reason,
    fix: status === 'pass' ? '' : (f.fix ?? ''),
    ...(f.details === undefined ? {} : {details: f.details}),
  }
}

export const pass = (id: CheckId, f: ResultFields): CheckResult => checkResult(id, 'pass', f)
export const fail = (id: CheckId, f: ResultFields & {fix: string}): CheckResult => checkResult(id, 'fail', f)

/** A check left unanswered because an AWS read failed: the gap's reason, and how to get the answer. */
export function unanswered(id: CheckId, gap: Gap, f: Omit<ResultFields, 'reason'>): CheckResult {
  const fix = gap.code === 'access-denied' ? 'Grant the auditing identity the policy `coroner permissions --readiness` prints, then run the audit again.' : (f.fix ?? '')
  return {...checkResult(id, 'unknown', {...f, reason: unansweredBecause(gap), fix}), gap: gap.code}
}

/** A check that cannot be answered for a reason other than a failed call (the reason says which). */
export const undetermined = (id: CheckId, f: ResultFields): CheckResult => checkResult(id, 'unknown', f)

/** A shell word: left as it is when plainly safe, else single-quoted (names come from AWS and may be hostile). */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_./:@=+,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`
}
