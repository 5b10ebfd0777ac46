import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {rowOutputFlags} from '../../cli/flags.js'
import type {ListView} from '../../cli/output.js'
import {queryListResult} from '../../cli/results/analysis.js'
import {whole} from '../../cli/results/common.js'
import {loadQueries} from '../../analysis/queries.js'

type Result = z.output<typeof queryListResult>
type Listed = Result['queries'][number]

export default class QueryList extends CoronerCommand<Result> {
  static override summary = 'List the named queries with their severity, ATT&CK technique, evidence and parameters'
  static override flags = {...rowOutputFlags}
  static override resultSchema = queryListResult
  static override exitCodes = {4: 'a query file is not valid'}
  static override examples = ['<%= config.bin %> query list', '<%= config.bin %> query list --json']

  protected async execute(): Promise<Outcome<Result>> {
    await this.parse(QueryList)
    const queries = loadQueries().map(({sql: _sql, parameters, ...rest}) => ({...rest, parameters: parameters.map((p) => ({name: p.name, type: p.type, default: p.default ?? null, required: p.default === undefined}))}))
    return {result: {queries, ...whole(queries)}}
  }

  protected override list(r: Result): ListView {
    return {
      name: 'queries',
      rows: r.queries,
      columns: [
        {key: 'id', header: 'name', priority: 1},
        {key: 'severity', priority: 1},
        {key: 'attack', priority: 3, value: (q: Listed) => q.attack.join(' ')},
        {key: 'evidence', priority: 4, value: (q: Listed) => q.evidence.join(' ')},
        {key: 'parameters', priority: 5, value: (q: Listed) => q.parameters.map((p) => `${p.name}:${p.type}${p.required ? '' : `=${p.default ?? ''}`}`).join(' ')},
        {key: 'title', priority: 2},
      ],
    }
  }

  protected render(r: Result): void {
    this.table(r.queries, this.list(r).columns)
  }
}
