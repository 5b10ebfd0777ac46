import {createInterface} from 'node:readline/promises'
import type {ApprovalRequest} from '../playbooks/execute.js'
import {terminalSafe} from './table.js'

/** The containment about to be applied, as the one question `run --apply` asks on a terminal. */
export function approvalText(request: ApprovalRequest): string {
  const lines = [`\nPlaybook ${request.playbook} is about to CHANGE the account (--apply):`]
  for (const s of request.steps) {
    const targets = s.targets === 'decided when it runs' ? s.targets : s.targets.length === 0 ? '(no named targets)' : s.targets.map(terminalSafe).join(', ')
    lines.push(`  ${s.id} (${s.uses}): ${targets}`)
  }
  return lines.join('\n')
}

/** Asks on the terminal; only the answer `yes` approves. */
export async function askApproval(request: ApprovalRequest, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<boolean> {
  output.write(`${approvalText(request)}\n`)
  const rl = createInterface({input, output, terminal: false})
  try {
    const answer = await rl.question('Type yes to apply, anything else to skip containment: ')
    return answer.trim().toLowerCase() === 'yes'
  } finally {
    rl.close()
  }
}
