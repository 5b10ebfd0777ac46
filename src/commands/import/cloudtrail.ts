import {Args} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {storeWriteFlags} from '../../cli/store-flags.js'
import {cellText} from '../../cli/table.js'
import {ExitCode} from '../../core/errors.js'
import {assertCaseId} from '../../evidence/keys.js'
import {importCloudTrail, type ImportResult} from '../../collectors/cloudtrail.js'

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
    const caseId = assertCaseId(flags.case)
    const ctx = await this.context(flags, caseId)
    const result = await importCloudTrail(ctx, caseId, argv as string[])
    return result.status === 'complete' ? {result} : {result, exitCode: ExitCode.partial, warnings: [`run ended ${result.status}: ${result.malformed} malformed file(s), see the custody journal`]}
  }

  protected render(r: ImportResult): void {
    this.log(`Imported ${r.converted} of ${r.files} file(s): ${r.records} record(s), ${r.malformed} malformed.`)
    for (const p of r.problems) this.log(`  ${p.code.padEnd(25)} ${cellText(p.file)}: ${cellText(p.reason)}`)
    this.log(`\nCase ${r.caseId}, run ${r.runId} (${r.status}).\nManifest ${r.manifestKey}\nManifest SHA-256 ${r.manifestSha256}`)
  }
}
