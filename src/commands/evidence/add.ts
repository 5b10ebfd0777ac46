import {Args, Flags} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {storeWriteFlags} from '../../cli/store-flags.js'
import {renderTable} from '../../cli/table.js'
import {assertCaseId} from '../../evidence/keys.js'
import type {ArtifactRecord} from '../../evidence/manifest.js'
import type {SealedRun} from '../../steps/runner.js'
import {evidenceAddStep} from '../../steps/evidence/add.js'

export type PreserveResult = Pick<SealedRun, 'caseId' | 'runId' | 'manifestKey' | 'manifestSha256' | 'status' | 'head' | 'signature'> & {artifacts: ArtifactRecord[]}

export default class EvidenceAdd extends CoronerCommand<PreserveResult> {
  static override summary = 'Preserve files you were handed (a finding, an export, a screenshot) as evidence of a case'
  static override description =
    'Each file is copied into a new run of the case, hashed (SHA-256) while copied, and recorded in the manifest and custody journal with who added it, from which host and path, and the file\'s own size and modification time.'
  static override strict = false
  static override args = {file: Args.string({description: 'Files to preserve', required: true})}
  static override flags = {
    case: caseFlag,
    note: Flags.string({description: 'A note recorded with every file, e.g. where it came from'}),
    ...storeWriteFlags,
  }
  static override examples = ['<%= config.bin %> evidence add guardduty-finding.json screenshot.png --case INC-2026-0042 --note "from the SOC ticket"']

  protected async execute(): Promise<Outcome<PreserveResult>> {
    const {argv, flags} = await this.parse(EvidenceAdd)
    const caseId = assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const {result, run} = await this.runStep(env, evidenceAddStep, {files: argv as string[], ...(flags.note === undefined ? {} : {note: flags.note})})
    const {runId, manifestKey, manifestSha256, status, head, signature} = run
    return this.sealedOutcome(run, {caseId, runId, manifestKey, manifestSha256, status, head, ...(signature === undefined ? {} : {signature}), artifacts: result.artifacts})
  }

  protected render(r: PreserveResult): void {
    this.log(renderTable(r.artifacts.map((a) => ({file: a.attributes?.originalName, sha256: a.sha256, size: a.size, key: a.key}))))
    this.logRunFooter({...r, artifacts: r.artifacts.length, gaps: 0}, `${r.artifacts.length} file(s) preserved`)
  }
}
