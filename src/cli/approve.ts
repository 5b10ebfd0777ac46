import {toCoronerError} from '../core/errors.js'
import type {ApprovalRequest} from '../playbooks/execute.js'
import {confirmChanges} from './confirm.js'

/** What each containment step of the run will act on, one line per target, for the one question. */
export function approvalTargets(request: ApprovalRequest): string[] {
  return request.steps.flatMap((s) => (s.targets === 'decided when it runs' || s.targets.length === 0 ? [`${s.id} (${s.uses}): ${s.targets === 'decided when it runs' ? s.targets : 'no named target'}`] : s.targets.map((t) => `${s.id} (${s.uses}): ${t}`)))
}

/**
 * Asks once, as `contain --apply` does, before a playbook's first change: true to go on. A refusal
 * is no error here: the run skips its containment and goes on with the rest.
 */
export async function approveContainment(request: ApprovalRequest, yes: boolean): Promise<boolean> {
  try {
    await confirmChanges(`Playbook ${request.playbook}`, approvalTargets(request), yes)
    return true
  } catch (error) {
    if (toCoronerError(error).code === 'not-confirmed') return false
    throw error
  }
}
