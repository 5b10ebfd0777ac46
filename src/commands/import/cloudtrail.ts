import {Args} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {awsFlags, resultOutputFlags, storeFlag} from '../../cli/flags.js'
import {importCloudTrailResult} from '../../cli/results/collect.js'
import {storeWriteFlags} from '../../cli/store-flags.js'
import {renderImportAccount} from '../../cli/render-import.js'
import {importAccountJson} from '../../cli/results/import-account.js'
import {ExitCode} from '../../core/errors.js'
import {assertCaseId} from '../../evidence/keys.js'
import {cloudtrailImportStep} from '../../steps/collect/cloudtrail-import.js'

/** The warning every import carries: no digest vouches for files a responder was handed. */
const UNVALIDATED_IMPORT = 'cloudtrail unvalidated: imported files carry no CloudTrail digest, so their integrity is not checked'

type Result = z.output<typeof importCloudTrailResult>

export default class ImportCloudTrail extends CoronerCommand<Result> {
  static override summary = 'Import CloudTrail files you were handed (delivery files, NDJSON, LookupEvents output, Lake results, EventBridge events, CloudWatch Logs, SIEM exports) into a case'
  static override description =
    'Each file (or every file of a folder, whatever its name) is kept as it is and its records written out one per line, in whichever shape they come (docs/cloudtrail.md). Every record is loaded or counted as skipped with a reason and its first positions (lines for NDJSON), per file and in total, here, in --json and in the custody journal; a run that skipped anything ends partial (exit 6). Symbolic links are followed only inside the folder given; special files are never opened.'
  static override strict = false
  static override args = {path: Args.string({description: 'Files or folders to import', required: true})}
  static override flags = {case: caseFlag, ...storeFlag, ...storeWriteFlags, ...awsFlags, ...resultOutputFlags}
  static override resultSchema = importCloudTrailResult
  static override exitCodes = {[ExitCode.partial]: 'a file could not be read as CloudTrail (each is a gap, its bytes kept)'}
  static override examples = ['<%= config.bin %> import cloudtrail ./from-customer/ lookup-output.json --case INC-2026-0042']

  protected async execute(): Promise<Outcome<Result>> {
    const {argv, flags} = await this.parse(ImportCloudTrail)
    const env = await this.context(flags, assertCaseId(flags.case))
    const {result, run} = await this.runStep(env, cloudtrailImportStep, {paths: argv as string[]})
    return this.sealedOutcome(run, {run: this.runJson(run), converted: result.converted, ...importAccountJson(result)}, {warnings: [UNVALIDATED_IMPORT]})
  }

  protected render(r: Result): void {
    for (const line of renderImportAccount(r)) this.log(line)
    this.logRunFooter(r.run, `${r.converted} file(s) imported`)
  }
}
