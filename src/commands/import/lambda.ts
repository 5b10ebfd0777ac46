import {Args} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {awsFlags, resultOutputFlags, storeFlag} from '../../cli/flags.js'
import {renderFileProblems} from '../../cli/render-import.js'
import {importLambdaResult} from '../../cli/results/collect.js'
import {lambdaImportJson} from '../../cli/results/import-account.js'
import {storeWriteFlags} from '../../cli/store-flags.js'
import {ExitCode} from '../../core/errors.js'
import {assertCaseId} from '../../evidence/keys.js'
import {lambdaImportStep} from '../../steps/collect/lambda-import.js'

type Result = z.output<typeof importLambdaResult>

export default class ImportLambda extends CoronerCommand<Result> {
  static override summary = 'Import Lambda and IAM API outputs you were handed (aws lambda get-function, get-policy, get-function-url-config, iam get-role, …) into a case'
  static override description =
    'Each file (or every file of a folder, whatever its name) that is one of the outputs it reads is kept byte for byte under the artifact kind a live snapshot gives it, so `load` reads it as it reads a collected one. Every other file (not JSON, or JSON of another shape: a licence, a note) is named with why, here, in --json and in the custody journal, and is a gap: a run that left any file out ends partial (exit 6). Symbolic links are followed only inside the folder given; special files are never opened.'
  static override strict = false
  static override args = {path: Args.string({description: 'Files or folders to import', required: true})}
  static override flags = {case: caseFlag, ...storeFlag, ...storeWriteFlags, ...awsFlags, ...resultOutputFlags}
  static override resultSchema = importLambdaResult
  static override exitCodes = {[ExitCode.partial]: 'a file was not imported (each is named, and a gap)'}
  static override examples = ['<%= config.bin %> import lambda ./from-customer/api/ --case INC-2026-0042']

  protected async execute(): Promise<Outcome<Result>> {
    const {argv, flags} = await this.parse(ImportLambda)
    const env = await this.context(flags, assertCaseId(flags.case))
    const {result, run} = await this.runStep(env, lambdaImportStep, {paths: argv as string[]})
    return this.sealedOutcome(run, {run: this.runJson(run), ...lambdaImportJson(result)})
  }

  protected render(r: Result): void {
    const shapes = new Map<string, number>()
    for (const f of r.perFile) if (f.shape !== null && f.status === 'imported') shapes.set(f.shape, (shapes.get(f.shape) ?? 0) + 1)
    const parts = [`${r.imported} imported`, r.unrecognised > 0 ? `${r.unrecognised} not an output it reads` : undefined, r.refused > 0 ? `${r.refused} not read (named below)` : undefined, r.notRead > 0 ? `${r.notRead} not reached` : undefined]
    this.log(`Read ${r.read} of ${r.files} file(s): ${parts.filter(Boolean).join(', ')}.`)
    if (shapes.size > 0) this.log(`Outputs: ${[...shapes].map(([s, n]) => `${s} ${n}`).join(', ')}.`)
    for (const line of renderFileProblems(r)) this.log(line)
    this.logRunFooter(r.run, `${r.imported} file(s) imported`)
  }
}
