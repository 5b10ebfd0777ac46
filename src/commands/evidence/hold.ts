import {Args} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {awsFlags, resultOutputFlags, storeFlag} from '../../cli/flags.js'
import {evidenceHoldResult} from '../../cli/results/evidence.js'
import {cellText} from '../../cli/table.js'
import {ExitCode} from '../../core/errors.js'
import {assertCaseId} from '../../evidence/keys.js'
import {evidenceHoldStep} from '../../steps/evidence/hold.js'

type Result = z.output<typeof evidenceHoldResult>

export default class EvidenceHold extends CoronerCommand<Result> {
  static override summary = 'Place or lift a legal hold on every object version of a case (S3 Object Lock)'
  static override description =
    'Sets the legal hold of every object version under the case (artifacts, journals, manifests) and records what it did as a new run of the case, with an evidence.legal-hold artifact listing each version. A held version cannot be deleted whatever its retention date.'
  static override args = {state: Args.string({description: 'on or off', required: true, options: ['on', 'off']})}
  static override flags = {case: caseFlag, ...storeFlag, ...awsFlags, ...resultOutputFlags}
  static override resultSchema = evidenceHoldResult
  static override exitCodes = {[ExitCode.partial]: 'the hold could not be set on some object versions (named)'}
  static override examples = ['<%= config.bin %> evidence hold on --case INC-2026-0042 --store s3://acme-ir-evidence']

  protected async execute(): Promise<Outcome<Result>> {
    const {args, flags} = await this.parse(EvidenceHold)
    const caseId = assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const {result: outcome, run} = await this.runStep(env, evidenceHoldStep, {on: args.state === 'on'}, {command: `evidence hold ${args.state}`})
    const failed = outcome.failed.map((f) => ({key: f.key, versionId: f.versionId ?? null, error: f.error}))
    const result: Result = {run: this.runJson(run), hold: outcome.hold, changed: outcome.changed, failed}
    return this.sealedOutcome(run, result, {
      warnings: [...outcome.notes, ...failed.map((f) => `${f.key} ${f.versionId ?? ''}: ${f.error}`)],
      ...(failed.length > 0 ? {exitCode: ExitCode.partial} : {}),
    })
  }

  protected render(r: Result): void {
    this.log(`Legal hold ${r.hold} on ${r.changed} object version(s) of case ${r.run.caseId}${r.failed.length > 0 ? `; ${r.failed.length} failed` : ''}.`)
    for (const f of r.failed) this.log(`  FAILED ${cellText(f.key)} ${cellText(f.versionId ?? '')}: ${cellText(f.error)}`)
    this.logRunFooter(r.run, `legal hold ${r.hold}`)
  }
}
