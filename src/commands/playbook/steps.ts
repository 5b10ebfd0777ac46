import {Args} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {renderTable} from '../../cli/table.js'
import {usageError} from '../../core/errors.js'
import {paramsJsonSchema} from '../../steps/params.js'
import {STEPS, findStep} from '../../steps/registry.js'

interface StepInfo {
  id: string
  kind: string
  title: string
  command?: string
  produces: string[]
  parameters: Array<{name: string; type: string; required: boolean; default?: unknown; description: string}>
}

export default class PlaybookSteps extends CoronerCommand<StepInfo[]> {
  static override summary = "List the steps a playbook's uses: can call, with their parameters"
  static override description = "Every registered step: its id (what uses: names), kind, what it does, the artifact kinds it writes, and the parameters its with: takes, from the step's own schema."
  static override args = {step: Args.string({description: 'Show only this step'})}
  static override examples = ['<%= config.bin %> playbook steps', '<%= config.bin %> playbook steps lambda']

  protected async execute(): Promise<Outcome<StepInfo[]>> {
    const {args} = await this.parse(PlaybookSteps)
    const steps = args.step === undefined ? STEPS : [findStep(args.step)]
    if (steps[0] === undefined) throw usageError('unknown-step', `No step is called ${JSON.stringify(args.step)}.`, `The steps are ${STEPS.map((s) => s.id).join(', ')}.`)
    return {
      result: steps.map((s) => {
        const schema = paramsJsonSchema(s!) as {properties?: Record<string, {type?: unknown; default?: unknown; description?: string; items?: {type?: unknown}}>; required?: string[]}
        return {
          id: s!.id,
          kind: s!.kind,
          title: s!.title,
          ...(s!.command === undefined ? {} : {command: s!.command}),
          produces: [...s!.produces],
          parameters: Object.entries(schema.properties ?? {}).map(([name, p]) => ({
            name,
            type: p.type === 'array' ? `list of ${String(p.items?.type ?? 'value')}` : String(p.type ?? 'value'),
            required: schema.required?.includes(name) ?? false,
            ...(p.default === undefined ? {} : {default: p.default}),
            description: p.description ?? '',
          })),
        }
      }),
    }
  }

  protected render(steps: StepInfo[]): void {
    for (const s of steps) {
      this.log(`${s.id} (${s.kind})${s.command === undefined ? '' : `, alone: coroner ${s.command}`}\n  ${s.title}`)
      if (s.produces.length > 0) this.log(`  writes: ${s.produces.join(', ')}`)
      this.log(renderTable(s.parameters.map((p) => ({with: p.name, type: p.type, required: p.required ? 'yes' : '', default: p.default ?? '', description: p.description})), ['with', 'type', 'required', 'default', 'description']).replace(/^/gm, '  '))
      this.log('')
    }
  }
}
