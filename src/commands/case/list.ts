import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {renderTable} from '../../cli/table.js'
import {listCases, type CaseSummary} from '../../evidence/cases.js'

export default class CaseList extends CoronerCommand<CaseSummary[]> {
  static override summary = 'List the cases in the evidence store'
  static override examples = ['<%= config.bin %> case list', '<%= config.bin %> case list --store s3://evidence-bucket --json']

  protected async execute(): Promise<Outcome<CaseSummary[]>> {
    const {flags} = await this.parse(CaseList)
    const ctx = await this.context(flags)
    return {result: await listCases(ctx.store)}
  }

  protected render(cases: CaseSummary[]): void {
    this.log(cases.length === 0 ? 'No cases yet.' : renderTable(cases as unknown as Record<string, unknown>[], ['caseId', 'runs', 'artifacts', 'unsealed', 'firstRun', 'lastRun']))
  }
}
