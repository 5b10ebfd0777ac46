import {Flags} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {storeWriteFlags} from '../../cli/store-flags.js'
import {renderTable} from '../../cli/table.js'
import {usageError} from '../../core/errors.js'
import {parseDuration, parseTimeSpec} from '../../core/time.js'
import {assertCaseId} from '../../evidence/keys.js'
import {lambdaLogGroup} from '../../collectors/logs.js'
import {parseFunctionTarget} from '../../collectors/lambda-target.js'
import type {SealedRun} from '../../steps/runner.js'
import type {ResultOf} from '../../steps/step.js'
import {logsStep} from '../../steps/collect/logs.js'

export type CollectLogsResult = SealedRun & ResultOf<typeof logsStep>

export default class CollectLogs extends CoronerCommand<CollectLogsResult> {
  static override summary = 'Collect CloudWatch Logs events of Lambda functions or log groups over a time window'
  static override description =
    'Read-only. The window is cut into time slices fetched in parallel (at most 4 at once, under the FilterLogEvents limit of 5 requests per second); each slice is stored as a gzip NDJSON artifact with its SHA-256 and per-stream event counts. With --resume, slices already sealed for the same log group in an earlier run of the case are skipped.'
  static override flags = {
    ...storeWriteFlags,
    function: Flags.string({char: 'f', description: 'Lambda function name or ARN; its log group /aws/lambda/NAME is collected (repeatable)', multiple: true}),
    'log-group': Flags.string({char: 'g', description: 'Log group name (repeatable)', multiple: true}),
    since: Flags.string({description: 'Start: ISO 8601 time or a duration ago (15m, 24h, 7d)', default: '24h'}),
    until: Flags.string({description: 'End: ISO 8601 time or a duration ago; default now'}),
    'filter-pattern': Flags.string({description: 'CloudWatch Logs filter pattern (default: every event)'}),
    slice: Flags.string({description: 'Slice length (5m, 1h, 1d); default chosen so the window has at most 24 slices'}),
    resume: Flags.boolean({description: 'Skip slices sealed by an earlier run of this case', default: false}),
    case: caseFlag,
  }
  static override examples = [
    '<%= config.bin %> collect logs --function payments-api --since 24h --case INC-2026-0042',
    '<%= config.bin %> collect logs -g /aws/lambda/payments-api --since 2026-11-20T00:00:00Z --until 2026-11-21T00:00:00Z --case INC-2026-0042 --resume',
  ]

  protected async execute(): Promise<Outcome<CollectLogsResult>> {
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
    return this.sealedOutcome(run, {...run, ...result})
  }

  protected render(r: CollectLogsResult): void {
    this.log(
      renderTable(
        r.groups.map((g) => ({
          'log group': g.logGroupName,
          region: g.region,
          window: `${g.start} .. ${g.end}`,
          slices: g.slices.length,
          collected: g.slices.filter((s) => s.status === 'collected').length,
          skipped: g.slices.filter((s) => s.status === 'skipped').length,
          failed: g.slices.filter((s) => s.status === 'failed').length,
          events: g.events,
          streams: Object.keys(g.streams).length,
        })),
      ),
    )
    this.logRunFooter(r, `${r.groups.length} log group(s)`)
  }
}
