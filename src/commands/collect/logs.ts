import {Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {awsFlags, rowOutputFlags, storeFlag} from '../../cli/flags.js'
import type {ListView} from '../../cli/output.js'
import {collectLogsResult} from '../../cli/results/collect.js'
import {whole} from '../../cli/results/common.js'
import {storeWriteFlags} from '../../cli/store-flags.js'
import {ExitCode, usageError} from '../../core/errors.js'
import {parseDuration, parseTimeSpec} from '../../core/time.js'
import {assertCaseId} from '../../evidence/keys.js'
import {lambdaLogGroup} from '../../collectors/logs.js'
import {parseFunctionTarget} from '../../collectors/lambda-target.js'
import {logsStep} from '../../steps/collect/logs.js'

type Result = z.output<typeof collectLogsResult>
type Group = Result['groups'][number]

export default class CollectLogs extends CoronerCommand<Result> {
  static override summary = 'Collect CloudWatch Logs events of Lambda functions or log groups over a time window'
  static override description =
    'Read-only. The window is cut into time slices fetched in parallel (at most 4 at once, under the FilterLogEvents limit of 5 requests per second); each slice is stored as a gzip NDJSON artifact with its SHA-256 and per-stream event counts. With --resume, slices already sealed for the same log group in an earlier run of the case are skipped.'
  static override flags = {
    function: Flags.string({char: 'f', description: 'Lambda function name or ARN; its log group /aws/lambda/NAME is collected (repeatable)', multiple: true}),
    'log-group': Flags.string({char: 'g', description: 'Log group name (repeatable)', multiple: true}),
    since: Flags.string({description: 'Start: ISO 8601, a duration before now (15m, 24h, 7d), or now', default: '24h'}),
    until: Flags.string({description: 'End: ISO 8601, a duration before now, or now. Default: now'}),
    'filter-pattern': Flags.string({description: 'CloudWatch Logs filter pattern (default: every event)'}),
    slice: Flags.string({description: 'Slice length (5m, 1h, 1d); default chosen so the window has at most 24 slices across all the log groups'}),
    resume: Flags.boolean({description: 'Skip slices sealed by an earlier run of this case', default: false}),
    case: caseFlag,
    ...storeFlag,
    ...storeWriteFlags,
    ...awsFlags,
    ...rowOutputFlags,
  }
  static override resultSchema = collectLogsResult
  static override exitCodes = {[ExitCode.partial]: 'a slice or a log group could not be collected (see the gaps)'}
  static override examples = [
    '<%= config.bin %> collect logs --function payments-api --since 24h --case INC-2026-0042',
    '<%= config.bin %> collect logs -g /aws/lambda/payments-api --since 2026-11-20T00:00:00Z --until 2026-11-21T00:00:00Z --case INC-2026-0042 --resume',
  ]

  protected async execute(): Promise<Outcome<Result>> {
    const {flags} = await this.parse(CollectLogs)
    const caseId = assertCaseId(flags.case)
    const groups = [...(flags.function ?? []).map((f) => lambdaLogGroup(parseFunctionTarget(f, '').functionName)), ...(flags['log-group'] ?? [])]
    if (groups.length === 0) throw usageError('no-log-group', 'Name what to collect: --function NAME or --log-group NAME.', 'See `coroner collect logs --help`.')
    const now = new Date()
    const start = parseTimeSpec(flags.since, now, 'since').getTime()
    const end = flags.until === undefined ? now.getTime() : parseTimeSpec(flags.until, now, 'until').getTime()
    if (end <= start) throw usageError('empty-window', `--since ${flags.since} is not before --until ${flags.until ?? 'now'}.`, 'Give a start earlier than the end.')
    const sliceMs = flags.slice === undefined ? undefined : parseDuration(flags.slice)
    if (flags.slice !== undefined && (sliceMs === undefined || sliceMs < 60_000)) throw usageError('invalid-slice', `--slice ${flags.slice} is not a duration of a minute or more.`, 'Use e.g. 15m, 1h, 1d.')
    const env = await this.context(flags, caseId)
    const params = {
      groups,
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      resume: flags.resume,
      ...(sliceMs === undefined ? {} : {sliceMs}),
      ...(flags['filter-pattern'] === undefined ? {} : {filterPattern: flags['filter-pattern']}),
    }
    const {result, run} = await this.runStep(env, logsStep, params, {parameters: {...params, region: env.aws.defaultRegion}})
    const collected: Group[] = result.groups.map((g) => ({...g, slices: g.slices.map((sl) => ({...sl, key: sl.key ?? null, sha256: sl.sha256 ?? null, runId: sl.runId ?? null}))}))
    return this.sealedOutcome(run, {run: this.runJson(run), groups: collected, ...whole(collected)})
  }

  protected override list(r: Result): ListView {
    const count = (status: string) => (g: Group) => g.slices.filter((sl) => sl.status === status).length
    return {
      name: 'groups',
      rows: r.groups,
      columns: [
        {key: 'logGroupName', header: 'log group', kind: 'key', priority: 1},
        {key: 'region', priority: 4},
        {key: 'window', priority: 3, value: (g: Group) => `${g.start} .. ${g.end}`},
        {key: 'slices', kind: 'number', priority: 2, value: (g: Group) => g.slices.length},
        {key: 'complete', kind: 'number', priority: 2, value: count('complete')},
        {key: 'skipped', kind: 'number', priority: 3, value: count('skipped')},
        {key: 'failed', kind: 'number', priority: 1, value: count('failed')},
        {key: 'events', kind: 'number', priority: 1},
        {key: 'streams', kind: 'number', priority: 3, value: (g: Group) => Object.keys(g.streams).length},
      ],
    }
  }

  protected render(r: Result): void {
    this.table(r.groups, this.list(r).columns)
    this.logRunFooter(r.run, `${r.groups.length} log group(s)`)
  }
}
