import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {awsFlags, resultOutputFlags} from '../../cli/flags.js'
import {playbookShowResult} from '../../cli/results/playbook.js'
import {playbookArg} from '../../cli/playbook-arg.js'
import {renderTable, terminalSafe} from '../../cli/table.js'
import {readPlaybook} from '../../playbooks/catalog.js'
import {describePlaybook} from '../../playbooks/describe.js'
import {invalidPlaybook} from '../../playbooks/plan.js'

type Result = z.output<typeof playbookShowResult>

export default class PlaybookShow extends CoronerCommand<Result> {
  static override summary = 'Describe a playbook: its parameters, targets, steps, what it collects and the permissions it needs'
  static override description = 'Reads the playbook (a shipped id or a file), validates it, and describes it. Makes no AWS call.'
  static override args = {playbook: playbookArg}
  static override flags = {region: awsFlags.region, ...resultOutputFlags}
  static override resultSchema = playbookShowResult
  static override examples = ['<%= config.bin %> playbook show lambda-triage', '<%= config.bin %> playbook show ./my-playbooks/payments.yaml --json']

  protected async execute(): Promise<Outcome<Result>> {
    const {args, flags} = await this.parse(PlaybookShow)
    const loaded = readPlaybook(args.playbook)
    const invalid = invalidPlaybook(loaded)
    if (invalid) throw invalid
    const d = describePlaybook(loaded, this.configuredRegion(flags))
    return {
      result: {
        ...d,
        author: d.author ?? null,
        parameters: d.parameters.map((p) => ({...p, default: p.default ?? null})),
        targets: d.targets ? {functions: d.targets.functions, regions: d.targets.regions ?? null} : null,
        maxResources: d.maxResources ?? null,
        steps: d.steps.map((s) => ({...s, when: s.when ?? null})),
      },
    }
  }

  protected render(d: Result): void {
    this.log(`${d.id} v${d.version} (${d.status}): ${d.title}\n`)
    this.log(`${d.description.trim()}\n`)
    if (d.attack.length > 0) this.log(`MITRE ATT&CK: ${d.attack.join(', ')}`)
    for (const r of d.references) this.log(`Reference: ${r}`)
    this.log('\nParameters:')
    this.log(renderTable(d.parameters.map((p) => ({name: p.name, type: p.type, required: p.required ? 'yes' : '', default: p.default ?? '', description: p.description})), ['name', 'type', 'required', 'default', 'description']))
    if (d.targets) this.log(`\nTargets: ${terminalSafe(JSON.stringify(d.targets.functions))}${d.targets.regions === null ? '' : ` in ${terminalSafe(JSON.stringify(d.targets.regions))}`}`)
    this.log('\nSteps:')
    this.log(renderTable(d.steps.map((s) => ({step: s.id, uses: s.uses, kind: s.kind, after: s.after.join(', '), when: s.when ?? '', 'on-failure': s.onFailure, what: s.title})), ['step', 'uses', 'kind', 'after', 'when', 'on-failure', 'what']))
    this.log(`\nCollects (artifact kinds): ${d.collects.join(', ') || 'nothing'}`)
    if (d.containment.length > 0) this.log(`Containment (changes the account only with --apply${d.maxResources === null ? '' : `, at most ${d.maxResources} resource(s)`}): ${d.containment.join(', ')}`)
    this.log(`\nIAM permissions a run needs (\`coroner permissions --playbook ${d.id}\` prints the policy):\n  ${d.permissions.join('\n  ') || '(none: it works offline)'}`)
  }
}
