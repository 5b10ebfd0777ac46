import {Args} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {awsFlags, resultOutputFlags, storeFlag} from '../../cli/flags.js'
import {importCloudTrailResult} from '../../cli/results/collect.js'
import {storeWriteFlags} from '../../cli/store-flags.js'
import {cellText} from '../../cli/table.js'
import {ExitCode} from '../../core/errors.js'
import {assertCaseId} from '../../evidence/keys.js'
import {cloudtrailImportStep} from '../../steps/collect/cloudtrail-import.js'

type Result = z.output<typeof importCloudTrailResult>

export default class ImportCloudTrail extends CoronerCommand<Result> {
  static override summary = 'Import CloudTrail files you were handed (delivery files, JSON arrays, saved LookupEvents output) into a case'
  static override description =
    'Each file (or every .json, .json.gz, .ndjson file of a folder) is kept as it is and converted to CloudTrail records (gzip NDJSON, one record per line). A file that cannot be read (truncated gzip, invalid JSON) is recorded as a gap naming it, and the others still land.'
  static override strict = false
  static override args = {path: Args.string({description: 'Files or folders to import', required: true})}
  static override flags = {case: caseFlag, ...storeFlag, ...storeWriteFlags, ...awsFlags, ...resultOutputFlags}
  static override resultSchema = importCloudTrailResult
  static override exitCodes = {[ExitCode.partial]: 'a file could not be read as CloudTrail (each is a gap, its bytes kept)'}
  static override examples = ['<%= config.bin %> import cloudtrail ./from-customer/ lookup-output.json --case INC-2026-0042']

  protected async execute(): Promise<Outcome<Result>> {
    const {argv, flags} = await this.parse(ImportCloudTrail)
    const caseId = assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const {result, run} = await this.runStep(env, cloudtrailImportStep, {paths: argv as string[]})
    return this.sealedOutcome(run, {run: this.runJson(run), ...result})
  }

  protected render(r: Result): void {
    this.log(`Imported ${r.converted} of ${r.files} file(s): ${r.records} record(s), ${r.malformed} malformed.`)
    for (const p of r.problems) this.log(`  ${p.code.padEnd(25)} ${cellText(p.file)}: ${cellText(p.reason)}`)
    this.logRunFooter(r.run, `${r.converted} file(s) imported`)
  }
}
