import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {renderTable} from '../../cli/table.js'
import {readPlaybook, shippedPlaybookFiles} from '../../playbooks/catalog.js'
import {summarisePlaybook, type PlaybookSummary} from '../../playbooks/describe.js'

export default class PlaybookList extends CoronerCommand<PlaybookSummary[]> {
  static override summary = 'List the shipped playbooks'
  static override description = 'Each playbook with its status, version, title, the parameters it requires, and whether it can change the account (containment, only with --apply). Makes no AWS call.'
  static override examples = ['<%= config.bin %> playbook list', '<%= config.bin %> playbook list --json']

  protected async execute(): Promise<Outcome<PlaybookSummary[]>> {
    await this.parse(PlaybookList)
    return {result: shippedPlaybookFiles().map((f) => summarisePlaybook(readPlaybook(f)))}
  }

  protected render(list: PlaybookSummary[]): void {
    this.log(
      renderTable(
        list.map((p) => ({id: p.id, status: p.valid ? p.status : 'INVALID', version: p.version, containment: p.contains ? 'with --apply' : '', requires: p.required.map((r) => `--param ${r}=…`).join(' '), title: p.title})),
        ['id', 'status', 'version', 'containment', 'requires', 'title'],
      ),
    )
    this.log('\n`coroner playbook show ID` describes one; `coroner playbook plan ID` shows what a run would do, without doing it.')
  }
}
