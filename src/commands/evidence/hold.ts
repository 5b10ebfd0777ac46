import {Args} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {ExitCode} from '../../core/errors.js'
import type {HoldOutcome} from '../../evidence/hold.js'
import type {SealedRun} from '../../steps/runner.js'
import {evidenceHoldStep} from '../../steps/evidence/hold.js'

export type HoldResult = HoldOutcome & {caseId: string; runId: string; manifestKey: string; run: SealedRun}
import {assertCaseId} from '../../evidence/keys.js'

export default class EvidenceHold extends CoronerCommand<HoldResult> {
  static override summary = 'Place or lift a legal hold on every object version of a case (S3 Object Lock)'
  static override description =
    'Sets the legal hold of every object version under the case (artifacts, journals, manifests) and records what it did as a new run of the case, with an evidence.legal-hold artifact listing each version. A held version cannot be deleted whatever its retention date.'
  static override args = {state: Args.string({description: 'on or off', required: true, options: ['on', 'off']})}
  static override flags = {case: caseFlag}
  static override examples = ['<%= config.bin %> evidence hold on --case INC-2026-0042 --store s3://acme-ir-evidence']

  protected async execute(): Promise<Outcome<HoldResult>> {
    const {args, flags} = await this.parse(EvidenceHold)
    const caseId = assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const on = args.state === 'on'
    const {result: outcome, run} = await this.runStep(env, evidenceHoldStep, {on}, {command: `evidence hold ${args.state}`})
    const result: HoldResult = {caseId, ...outcome, runId: run.runId, manifestKey: run.manifestKey, run}
    return {
      result,
      warnings: [...result.notes, ...result.failed.map((f) => `${f.key} ${f.versionId ?? ''}: ${f.error}`)],
      ...(result.failed.length > 0 ? {exitCode: ExitCode.partial} : {}),
    }
  }

  protected render(r: HoldResult): void {
    this.log(`Legal hold ${r.hold} on ${r.changed} object version(s) of case ${r.caseId}${r.failed.length > 0 ? `; ${r.failed.length} failed` : ''}.`)
    this.logRunFooter(r.run, `legal hold ${r.hold}`)
  }
}
