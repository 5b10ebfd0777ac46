import {Flags} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {renderTable} from '../../cli/table.js'
import {usageError} from '../../core/errors.js'
import {listArtifacts, type ListedArtifact} from '../../evidence/cases.js'
import {assertCaseId} from '../../evidence/keys.js'

export default class EvidenceList extends CoronerCommand<ListedArtifact[]> {
  static override summary = 'List the evidence objects of a case with their hashes'
  static override flags = {
    case: caseFlag,
    kind: Flags.string({description: 'Only artifacts of this kind (e.g. lambda.code, cloudtrail.records)'}),
  }
  static override examples = ['<%= config.bin %> evidence list --case INC-2026-0042', '<%= config.bin %> evidence list --case INC-2026-0042 --kind lambda.code --json']

  protected async execute(): Promise<Outcome<ListedArtifact[]>> {
    const {flags} = await this.parse(EvidenceList)
    const caseId = assertCaseId(flags.case)
    const ctx = await this.context(flags, caseId)
    const all = await listArtifacts(ctx.store, caseId)
    if (all === undefined) throw usageError('unknown-case', `No case ${caseId} in ${ctx.store.location}.`, 'Run `coroner case list`, or check --store.')
    return {result: flags.kind === undefined ? all : all.filter((a) => a.kind === flags.kind)}
  }

  protected render(artifacts: ListedArtifact[]): void {
    this.log(renderTable(artifacts as unknown as Record<string, unknown>[], ['runId', 'kind', 'size', 'sha256', 'key']))
  }
}
