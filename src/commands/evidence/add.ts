import {Args, Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {awsFlags, rowOutputFlags, storeFlag} from '../../cli/flags.js'
import type {ListView} from '../../cli/output.js'
import {whole} from '../../cli/results/common.js'
import {artifactJson, evidenceAddResult} from '../../cli/results/evidence.js'
import {storeWriteFlags} from '../../cli/store-flags.js'
import {ExitCode} from '../../core/errors.js'
import {assertCaseId} from '../../evidence/keys.js'
import {evidenceAddStep} from '../../steps/evidence/add.js'

type Result = z.output<typeof evidenceAddResult>

export default class EvidenceAdd extends CoronerCommand<Result> {
  static override summary = 'Preserve files you were handed (a finding, an export, a screenshot) as evidence of a case'
  static override description =
    'Each file is copied into a new run of the case, hashed (SHA-256) while copied, and recorded in the manifest and custody journal with who added it, from which host and path, and the file\'s own size and modification time.'
  static override strict = false
  static override args = {file: Args.string({description: 'Files to preserve', required: true})}
  static override flags = {
    case: caseFlag,
    note: Flags.string({description: 'A note recorded with every file, e.g. where it came from'}),
    ...storeFlag,
    ...storeWriteFlags,
    ...awsFlags,
    ...rowOutputFlags,
  }
  static override resultSchema = evidenceAddResult
  static override exitCodes = {[ExitCode.partial]: 'a file could not be preserved (see the gaps)'}
  static override examples = ['<%= config.bin %> evidence add guardduty-finding.json screenshot.png --case INC-2026-0042 --note "from the SOC ticket"']

  protected async execute(): Promise<Outcome<Result>> {
    const {argv, flags} = await this.parse(EvidenceAdd)
    const caseId = assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const {result, run} = await this.runStep(env, evidenceAddStep, {files: argv as string[], ...(flags.note === undefined ? {} : {note: flags.note})})
    const artifacts = result.artifacts.map(artifactJson)
    return this.sealedOutcome(run, {run: this.runJson(run), artifacts, ...whole(artifacts)})
  }

  protected override list(r: Result): ListView {
    return {
      name: 'artifacts',
      rows: r.artifacts,
      columns: [
        {key: 'file', priority: 1, value: (a: Result['artifacts'][number]) => a.attributes.originalName},
        {key: 'size', kind: 'number', priority: 2},
        {key: 'sha256', kind: 'hash', priority: 1},
        {key: 'key', kind: 'evidence', priority: 2},
      ],
    }
  }

  protected render(r: Result): void {
    this.table(r.artifacts, this.list(r).columns)
    this.logRunFooter(r.run, `${r.artifacts.length} file(s) preserved`)
  }
}
