import {Args} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {storeWriteFlags} from '../../cli/store-flags.js'
import {cellText} from '../../cli/table.js'
import {assertCaseId} from '../../evidence/keys.js'
import type {SealedRun} from '../../steps/runner.js'
import {cloudtrailImportStep, type CloudTrailImport} from '../../steps/collect/cloudtrail-import.js'

export type ImportResult = SealedRun & CloudTrailImport

export default class ImportCloudTrail extends CoronerCommand<ImportResult> {
  static override summary = 'Import CloudTrail files you were handed (delivery files, JSON arrays, saved LookupEvents output) into a case'
  static override description =
    'Each file (or every .json, .json.gz, .ndjson file of a folder) is kept as it is and converted to CloudTrail records (gzip NDJSON, one record per line). A file that cannot be read (truncated gzip, invalid JSON) is recorded as a gap naming it, and the others still land.'
  static override strict = false
  static override args = {path: Args.string({description: 'Files or folders to import', required: true})}
  static override flags = {
    ...storeWriteFlags,
    case: caseFlag,
  }
  static override examples = ['<%= config.bin %> import cloudtrail ./from-customer/ lookup-output.json --case INC-2026-0042']

  protected async execute(): Promise<Outcome<ImportResult>> {
    const {argv, flags} = await this.parse(ImportCloudTrail)
    const env = await this.context(flags, assertCaseId(flags.case))
    const {result, run} = await this.runStep(env, cloudtrailImportStep, {paths: argv as string[]})
    return this.sealedOutcome(run, {...run, ...result})
  }

  protected render(r: ImportResult): void {
    this.log(`Imported ${r.converted} of ${r.files} file(s): ${r.records} record(s), ${r.malformed} malformed.`)
    for (const p of r.problems) this.log(`  ${p.code.padEnd(25)} ${cellText(p.file)}: ${cellText(p.reason)}`)
    this.logRunFooter(r, `${r.converted} file(s) imported`)
  }
}
