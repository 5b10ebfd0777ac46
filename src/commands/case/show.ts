import {Args} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {renderTable} from '../../cli/table.js'
import {usageError} from '../../core/errors.js'
import {showCase, type RunSummary} from '../../evidence/cases.js'
import {assertCaseId} from '../../evidence/keys.js'

interface CaseDetail {
  caseId: string
  runs: RunSummary[]
}

export default class CaseShow extends CoronerCommand<CaseDetail> {
  static override summary = 'Show the runs of a case: when, by whom, status and artifact counts'
  static override args = {case: Args.string({description: 'Case id, e.g. INC-2026-0042', required: true})}
  static override examples = ['<%= config.bin %> case show INC-2026-0042']

  protected async execute(): Promise<Outcome<CaseDetail>> {
    const {args, flags} = await this.parse(CaseShow)
    const caseId = assertCaseId(args.case)
    const ctx = await this.context(flags, caseId)
    const runs = await showCase(ctx.store, caseId)
    if (runs.length === 0) throw usageError('unknown-case', `No case ${caseId} in ${ctx.store.location}.`, 'Run `coroner case list` to see the cases there, or check --store.')
    const unsealed = runs.some((r) => r.status !== 'complete')
    return {result: {caseId, runs}, ...(unsealed ? {warnings: ['some runs did not complete; see their status']} : {})}
  }

  protected render(detail: CaseDetail): void {
    this.log(`Case ${detail.caseId}`)
    this.log(renderTable(detail.runs as unknown as Record<string, unknown>[], ['runId', 'status', 'command', 'artifacts', 'gaps', 'user', 'caller', 'startedAt', 'endedAt']))
  }
}
