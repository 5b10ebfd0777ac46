import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {awsFlags, rowOutputFlags, storeFlag} from '../../cli/flags.js'
import type {ListView} from '../../cli/output.js'
import {whole} from '../../cli/results/common.js'
import {caseListResult} from '../../cli/results/evidence.js'
import {listCases} from '../../evidence/cases.js'

type Result = z.output<typeof caseListResult>

export default class CaseList extends CoronerCommand<Result> {
  static override summary = 'List the cases in the evidence store'
  static override flags = {...storeFlag, ...awsFlags, ...rowOutputFlags}
  static override resultSchema = caseListResult
  static override examples = ['<%= config.bin %> case list', '<%= config.bin %> case list --store s3://evidence-bucket --json']

  protected async execute(): Promise<Outcome<Result>> {
    const {flags} = await this.parse(CaseList)
    const ctx = await this.context(flags)
    const cases = await listCases(ctx.store)
    return {result: {cases, ...whole(cases)}}
  }

  protected override list(r: Result): ListView {
    return {
      name: 'cases',
      rows: r.cases,
      columns: [
        {key: 'caseId', header: 'case', priority: 1},
        {key: 'runs', kind: 'number', priority: 1},
        {key: 'artifacts', kind: 'number', priority: 1},
        {key: 'unsealed', kind: 'number', priority: 2},
        {key: 'firstRun', header: 'first run', kind: 'id', priority: 3},
        {key: 'lastRun', header: 'last run', kind: 'id', priority: 2},
      ],
    }
  }

  protected render(r: Result): void {
    if (r.cases.length === 0) this.log('No cases yet.')
    else this.table(r.cases, this.list(r).columns)
  }
}
