import {Args, Flags} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {storeWriteFlags} from '../../cli/store-flags.js'
import {renderGaps} from '../../cli/render-gaps.js'
import {renderTable} from '../../cli/table.js'
import {ExitCode} from '../../core/errors.js'
import {assertCaseId} from '../../evidence/keys.js'
import {importLogsExport, parseS3Uri, type LogsExportImport} from '../../collectors/logs-export.js'
import {withEvidenceRun, type CollectionRun} from '../../collectors/run-collection.js'

export type ImportLogsResult = Omit<CollectionRun, 'artifacts'> & LogsExportImport & {artifacts: number}

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
    const ctx = await this.context(flags, caseId)
    const paths = argv as string[]
    const {collected, artifacts, ...run} = await withEvidenceRun(ctx, caseId, 'import logs', {paths, logGroupName: flags['log-group']}, (r, gaps) =>
      importLogsExport(ctx, r, gaps, paths, flags['log-group']),
      {identifyCaller: paths.some((p) => parseS3Uri(p) !== undefined)},
    )
    const result = {...run, ...collected, artifacts: artifacts.length}
    if (run.status === 'complete') return {result}
    return {result, exitCode: ExitCode.partial, warnings: [...run.warnings, `run ended ${run.status}: ${run.gaps.length} gap(s), see the custody journal`]}
  }

  protected render(r: ImportLogsResult): void {
    this.log(renderTable(r.files.map((f) => ({task: f.taskId, stream: f.logStreamName, lines: f.lines, status: f.status, sha256: f.sha256}))))
    for (const line of renderGaps(r.gaps)) this.log(line)
    this.log(`\nCase ${r.caseId}, run ${r.runId}: ${r.files.length} file(s), ${r.lines} line(s), ${r.gaps.length} gap(s) (${r.status}).`)
    this.log(`Manifest ${r.manifestKey}\nManifest SHA-256 ${r.manifestSha256}`)
  }
}
