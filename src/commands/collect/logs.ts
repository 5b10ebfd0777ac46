import {Flags} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {storeWriteFlags} from '../../cli/store-flags.js'
import {renderGaps} from '../../cli/render-gaps.js'
import {renderTable} from '../../cli/table.js'
import {ExitCode, usageError} from '../../core/errors.js'
import {assertCaseId} from '../../evidence/keys.js'
import {collectLogGroups, lambdaLogGroup, parseDuration, parseTimeSpec, type LogsCollection} from '../../collectors/logs.js'
import {parseFunctionTarget} from '../../collectors/lambda.js'
import {withEvidenceRun, type CollectionRun} from '../../collectors/run-collection.js'

export type CollectLogsResult = Omit<CollectionRun, 'artifacts'> & {groups: LogsCollection[]; artifacts: number}

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
    const ctx = await this.context(flags, caseId)
    const options = {
      start,
      end,
      resume: flags.resume,
      ...(sliceMs === undefined ? {} : {sliceMs}),
      ...(flags['filter-pattern'] === undefined ? {} : {filterPattern: flags['filter-pattern']}),
    }
    const parameters = {groups, start: new Date(start).toISOString(), end: new Date(end).toISOString(), region: ctx.aws.defaultRegion, resume: flags.resume, sliceMs, filterPattern: flags['filter-pattern']}
    const {collected, artifacts, ...run} = await withEvidenceRun(ctx, caseId, 'collect logs', parameters, (r, gaps) => collectLogGroups(ctx, r, gaps, groups, options))
    const result = {...run, groups: collected, artifacts: artifacts.length}
    if (run.status === 'complete') return {result}
    return {result, exitCode: ExitCode.partial, warnings: [...run.warnings, `run ended ${run.status}: ${run.gaps.length} gap(s), see the custody journal`]}
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
    for (const line of renderGaps(r.gaps)) this.log(line)
    this.log(`\nCase ${r.caseId}, run ${r.runId}: ${r.groups.length} log group(s), ${r.artifacts} artifact(s), ${r.gaps.length} gap(s) (${r.status}).`)
    this.log(`Manifest ${r.manifestKey}\nManifest SHA-256 ${r.manifestSha256}`)
  }
}
