import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {rowOutputFlags} from '../../cli/flags.js'
import type {ListView} from '../../cli/output.js'
import {whole} from '../../cli/results/common.js'
import {playbookListResult} from '../../cli/results/playbook.js'
import {readPlaybook, shippedPlaybookFiles} from '../../playbooks/catalog.js'
import {summarisePlaybook} from '../../playbooks/describe.js'

type Result = z.output<typeof playbookListResult>

export default class PlaybookList extends CoronerCommand<Result> {
  static override summary = 'List the shipped playbooks'
  static override description = 'Each playbook with its status, version, title, the parameters it requires, and whether it can change the account (containment, only with --apply). Makes no AWS call.'
  static override flags = {...rowOutputFlags}
  static override resultSchema = playbookListResult
  static override examples = ['<%= config.bin %> playbook list', '<%= config.bin %> playbook list --json']

  protected async execute(): Promise<Outcome<Result>> {
    await this.parse(PlaybookList)
    const playbooks = shippedPlaybookFiles().map((f) => summarisePlaybook(readPlaybook(f)))
    return {result: {playbooks, ...whole(playbooks)}}
  }

  protected override list(r: Result): ListView {
    return {
      name: 'playbooks',
      rows: r.playbooks,
      columns: [
        {key: 'id', kind: 'id', priority: 1},
        {key: 'status', priority: 2, value: (p) => (p.valid ? p.status : 'INVALID')},
        {key: 'version', kind: 'id', priority: 3},
        {key: 'containment', priority: 2, value: (p) => (p.contains ? 'with --apply' : '')},
        {key: 'requires', priority: 4, value: (p) => (p.required as string[]).map((x) => `--param ${x}=…`).join(' ')},
        {key: 'title', priority: 1},
      ],
    }
  }

  protected render(r: Result): void {
    this.table(r.playbooks, this.list(r).columns)
    this.log('\n`coroner playbook show ID` describes one; `coroner playbook plan ID` shows what a run would do, without doing it.')
  }
}
