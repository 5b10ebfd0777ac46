import {Args, Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {awsFlags, rowOutputFlags, storeFlag} from '../../cli/flags.js'
import type {ListView} from '../../cli/output.js'
import {importLogsResult} from '../../cli/results/collect.js'
import {whole} from '../../cli/results/common.js'
import {storeWriteFlags} from '../../cli/store-flags.js'
import {ExitCode} from '../../core/errors.js'
import {assertCaseId} from '../../evidence/keys.js'
import {logsExportStep} from '../../steps/collect/logs-export.js'

type Result = z.output<typeof importLogsResult>

export default class ImportLogs extends CoronerCommand<Result> {
  static override summary = 'Preserve CloudWatch Logs export task output (in S3, or a folder copied from it) as evidence'
  static override description =
    'Reads the export layout <prefix>/<task-id>/<stream>/000000.gz from s3://bucket/prefix or a local copy and stores every file byte for byte as a logs.export artifact, with its task id, stream, line count and first and last timestamps. A file that does not decompress to its end is kept, marked, and recorded as a gap; the rest still lands.'
  static override strict = false
  static override args = {path: Args.string({description: 's3://bucket/prefix, export folders (the prefix or one task folder) or .gz files', required: true})}
  static override flags = {
    case: caseFlag,
    'log-group': Flags.string({description: 'The log group that was exported (the export files do not name it)'}),
    ...storeFlag,
    ...storeWriteFlags,
    ...awsFlags,
    ...rowOutputFlags,
  }
  static override resultSchema = importLogsResult
  static override exitCodes = {[ExitCode.partial]: 'a file could not be read to its end (kept, marked, and a gap)'}
  static override examples = [
    '<%= config.bin %> import logs s3://ir-exports/exportedlogs --log-group /aws/lambda/payments-api --case INC-2026-0042',
    '<%= config.bin %> import logs ./exportedlogs --log-group /aws/lambda/payments-api --case INC-2026-0042',
  ]

  protected async execute(): Promise<Outcome<Result>> {
    const {argv, flags} = await this.parse(ImportLogs)
    const caseId = assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const {result, run} = await this.runStep(env, logsExportStep, {paths: argv as string[], ...(flags['log-group'] === undefined ? {} : {logGroupName: flags['log-group']})})
    const files = result.files.map((f) => ({path: f.path, taskId: f.taskId ?? null, logStreamName: f.logStreamName ?? null, lines: f.lines, status: f.status, key: f.key ?? null, sha256: f.sha256 ?? null}))
    return this.sealedOutcome(run, {run: this.runJson(run), files, lines: result.lines, ...whole(files)})
  }

  protected override list(r: Result): ListView {
    return {
      name: 'files',
      rows: r.files,
      columns: [
        {key: 'taskId', header: 'task', kind: 'id', priority: 3},
        {key: 'logStreamName', header: 'stream', kind: 'key', priority: 1},
        {key: 'lines', kind: 'number', priority: 1},
        {key: 'status', priority: 1},
        {key: 'sha256', kind: 'hash', priority: 2},
      ],
    }
  }

  protected render(r: Result): void {
    this.table(r.files, this.list(r).columns)
    this.logRunFooter(r.run, `${r.files.length} file(s), ${r.lines} line(s)`)
  }
}
