import {Args, Flags} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {storeWriteFlags} from '../../cli/store-flags.js'
import {renderTable} from '../../cli/table.js'
import {assertCaseId} from '../../evidence/keys.js'
import type {LogsExportImport} from '../../collectors/logs-export.js'
import type {SealedRun} from '../../steps/runner.js'
import {logsExportStep} from '../../steps/collect/logs-export.js'

export type ImportLogsResult = SealedRun & LogsExportImport

export default class ImportLogs extends CoronerCommand<ImportLogsResult> {
  static override summary = 'Preserve CloudWatch Logs export task output (in S3, or a folder copied from it) as evidence'
  static override description =
    'Reads the export layout <prefix>/<task-id>/<stream>/000000.gz from s3://bucket/prefix or a local copy and stores every file byte for byte as a logs.export artifact, with its task id, stream, line count and first and last timestamps. A file that does not decompress to its end is kept, marked, and recorded as a gap; the rest still lands.'
  static override strict = false
  static override args = {path: Args.string({description: 's3://bucket/prefix, export folders (the prefix or one task folder) or .gz files', required: true})}
  static override flags = {
    ...storeWriteFlags,
    case: caseFlag,
    'log-group': Flags.string({description: 'The log group that was exported (the export files do not name it)'}),
  }
  static override examples = [
    '<%= config.bin %> import logs s3://ir-exports/exportedlogs --log-group /aws/lambda/payments-api --case INC-2026-0042',
    '<%= config.bin %> import logs ./exportedlogs --log-group /aws/lambda/payments-api --case INC-2026-0042',
  ]

  protected async execute(): Promise<Outcome<ImportLogsResult>> {
    const {argv, flags} = await this.parse(ImportLogs)
    const caseId = assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const {result, run} = await this.runStep(env, logsExportStep, {paths: argv as string[], ...(flags['log-group'] === undefined ? {} : {logGroupName: flags['log-group']})})
    return this.sealedOutcome(run, {...run, ...result})
  }

  protected render(r: ImportLogsResult): void {
    this.log(renderTable(r.files.map((f) => ({task: f.taskId, stream: f.logStreamName, lines: f.lines, status: f.status, sha256: f.sha256}))))
    this.logRunFooter(r, `${r.files.length} file(s), ${r.lines} line(s)`)
  }
}
