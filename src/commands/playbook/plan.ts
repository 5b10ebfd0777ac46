import {Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {awsFlags, resultOutputFlags} from '../../cli/flags.js'
import {playbookPlanResult} from '../../cli/results/playbook.js'
import {paramFlag, parseParamFlags} from '../../cli/param-flag.js'
import {playbookArg} from '../../cli/playbook-arg.js'
import {renderTable, terminalSafe} from '../../cli/table.js'
import {readPlaybook} from '../../playbooks/catalog.js'
import {planPlaybook} from '../../playbooks/plan.js'

type Result = z.output<typeof playbookPlanResult>

export default class PlaybookPlan extends CoronerCommand<Result> {
  static override summary = 'Show what a run of a playbook would do, without doing it'
  static override description =
    "Pure: no AWS call is made and nothing is written. Resolves the parameters (defaults, --param), the targets as far as they are known offline (names and ARNs; tag selectors and * are resolved by the run), each step with its parameters (values that need an earlier step's result are shown as the expression), whether it calls AWS, and the IAM actions the whole run needs."
  static override args = {playbook: playbookArg}
  static override flags = {
    region: awsFlags.region,
    param: paramFlag(),
    apply: Flags.boolean({description: 'Plan as `run --apply` would: containment steps change the account', default: false}),
    case: Flags.string({char: 'c', description: 'The case the run would write to (shown in the plan)'}),
    ...resultOutputFlags,
  }
  static override resultSchema = playbookPlanResult
  static override examples = [
    '<%= config.bin %> playbook plan lambda-triage --param functions=payments-api --param since=7d',
    '<%= config.bin %> playbook plan lambda-compromise --param functions=tag:team=payments --apply --json',
  ]

  protected async execute(): Promise<Outcome<Result>> {
    const {args, flags} = await this.parse(PlaybookPlan)
    const loaded = readPlaybook(args.playbook)
    const plan = planPlaybook(loaded, {given: parseParamFlags(flags.param), now: new Date(), region: this.configuredRegion(flags), apply: flags.apply, ...(flags.case === undefined ? {} : {caseId: flags.case})})
    // The caveats are the envelope's warnings, and only there; the problems are kept in the result too (they say why a run would stop).
    const {warnings, targets, ...rest} = plan
    const result: Result = {
      ...rest,
      parameters: plan.parameters.map((x) => ({...x, value: x.value ?? null})),
      targets: targets ? {selectors: targets.selectors, functions: targets.functions ?? null, regions: targets.regions} : null,
      steps: plan.steps.map((s) => ({...s, when: s.when ?? null, maxResources: s.maxResources ?? null, targets: s.targets ?? null})),
    }
    return {result, warnings: [...plan.problems, ...warnings]}
  }

  protected render(p: Result): void {
    this.log(`Plan of ${p.playbook.id} v${p.playbook.version} (${p.playbook.status}): ${p.playbook.title}`)
    this.log(p.apply ? 'With --apply: containment steps change the account (after one confirmation on a terminal).' : 'Without --apply: containment steps only record what they would change.')
    if (p.parameters.length > 0) {
      this.log('\nParameters:')
      this.log(renderTable(p.parameters.map((x) => ({name: x.name, type: x.type, value: x.source === 'missing' ? (x.required ? '(required: give --param)' : '(none)') : x.value, from: x.source})), ['name', 'type', 'value', 'from']))
    }
    if (p.targets) {
      const parts = p.targets.selectors.map((s) => `${terminalSafe(s.selector)} (${s.kind}, ${s.resolvedAt === 'plan' ? 'known now' : 'resolved by the run'})`)
      this.log(`\nTargets in ${p.targets.regions.join(', ')}: ${parts.join(', ') || '(given at run time)'}`)
    }
    this.log('\nSteps, in order:')
    this.log(
      renderTable(
        p.steps.map((s, i) => ({
          '#': i + 1,
          step: s.id,
          uses: s.uses,
          kind: s.kind,
          after: s.after.join(', '),
          runs: s.runs === true ? 'yes' : s.runs === false ? 'no (when is false)' : 'decided at run time',
          aws: s.usesAws ? 'yes' : 'no',
          parameters: JSON.stringify(s.params),
        })),
        ['#', 'step', 'uses', 'kind', 'after', 'runs', 'aws', 'parameters'],
      ),
    )
    this.log(`\nIAM actions the run needs (${p.permissions.length}):${p.permissions.length === 0 ? ' none' : `\n  ${p.permissions.join('\n  ')}`}`)
    this.log('\nNo AWS call was made and nothing was written.')
  }
}
