import {Args} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {resultOutputFlags} from '../../cli/flags.js'
import {whole} from '../../cli/results/common.js'
import {playbookStepsResult} from '../../cli/results/playbook.js'
import {renderTable} from '../../cli/table.js'
import {usageError} from '../../core/errors.js'
import {didYouMean} from '../../core/suggest.js'
import {paramsJsonSchema} from '../../steps/params.js'
import {STEPS, findStep} from '../../steps/registry.js'

type Result = z.output<typeof playbookStepsResult>

export default class PlaybookSteps extends CoronerCommand<Result> {
  static override summary = "List the steps a playbook's uses: can call, with their parameters"
  static override description = "Every registered step: its id (what uses: names), kind, what it does, the artifact kinds it writes, and the parameters its with: takes, from the step's own schema."
  static override args = {step: Args.string({description: 'Show only this step'})}
  static override flags = {...resultOutputFlags}
  static override resultSchema = playbookStepsResult
  static override examples = ['<%= config.bin %> playbook steps', '<%= config.bin %> playbook steps lambda']

  protected async execute(): Promise<Outcome<Result>> {
    const {args} = await this.parse(PlaybookSteps)
    const steps = args.step === undefined ? STEPS : [findStep(args.step)]
    if (steps[0] === undefined) throw usageError('unknown-step', `No step is called ${JSON.stringify(args.step)}${didYouMean(args.step ?? '', STEPS.map((s) => s.id))}.`, `The steps are ${STEPS.map((s) => s.id).join(', ')}.`)
    const infos = steps.map((s) => {
        const schema = paramsJsonSchema(s!) as {properties?: Record<string, {type?: unknown; default?: unknown; description?: string; items?: {type?: unknown}}>; required?: string[]}
        return {
          id: s!.id,
          kind: s!.kind,
          title: s!.title,
          command: s!.command ?? null,
          produces: [...s!.produces],
          parameters: Object.entries(schema.properties ?? {}).map(([name, p]) => ({
            name,
            type: p.type === 'array' ? `list of ${String(p.items?.type ?? 'value')}` : String(p.type ?? 'value'),
            required: schema.required?.includes(name) ?? false,
            default: p.default ?? null,
            description: p.description ?? '',
          })),
        }
      })
    return {result: {steps: infos, ...whole(infos)}}
  }

  protected render(r: Result): void {
    for (const s of r.steps) {
      this.log(`${s.id} (${s.kind})${s.command === null ? '' : `, alone: coroner ${s.command}`}\n  ${s.title}`)
      if (s.produces.length > 0) this.log(`  writes: ${s.produces.join(', ')}`)
      this.log(renderTable(s.parameters.map((p) => ({with: p.name, type: p.type, required: p.required ? 'yes' : '', default: p.default ?? '', description: p.description})), ['with', 'type', 'required', 'default', 'description']).replace(/^/gm, '  '))
      this.log('')
    }
  }
}
