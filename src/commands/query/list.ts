import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {renderTable} from '../../cli/table.js'
import {loadQueries, type NamedQuery} from '../../analysis/queries.js'

type Listed = Omit<NamedQuery, 'sql'>

export default class QueryList extends CoronerCommand<Listed[]> {
  static override summary = 'List the named queries with their severity, ATT&CK technique, evidence and parameters'
  static override examples = ['<%= config.bin %> query list', '<%= config.bin %> query list --json']

  protected async execute(): Promise<Outcome<Listed[]>> {
    await this.parse(QueryList)
    return {result: loadQueries().map(({sql: _sql, ...rest}) => rest)}
  }

  protected render(queries: Listed[]): void {
    this.log(
      renderTable(
        queries.map((q) => ({
          name: q.id,
          severity: q.severity,
          attack: q.attack.join(' '),
          evidence: q.evidence.join(' '),
          parameters: q.parameters.map((p) => `${p.name}:${p.type}${p.default === undefined ? '' : `=${p.default ?? ''}`}`).join(' '),
          title: q.title,
        })),
      ),
    )
  }
}
