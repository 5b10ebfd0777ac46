import {Flags} from '@oclif/core'
import {reloadFlag} from '../cli/case-flag.js'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../cli/base-command.js'
import {rowOutputFlags, secretsFlag, storeFlag} from '../cli/flags.js'
import {rowLimit, type ListView} from '../cli/output.js'
import {timelineResult} from '../cli/results/analysis.js'
import type {Column} from '../cli/table.js'
import {timeFlagIso} from '../core/time.js'
import {TIMELINE_SOURCES} from '../analysis/timeline.js'
import {openTimeline, timelineStep} from '../steps/analyse/timeline.js'
import {offlineCall} from '../steps/runner.js'
import type {Row} from '../analysis/db.js'
import {assertCaseId} from '../evidence/keys.js'

type Result = z.output<typeof timelineResult>
type TimelineRow = Result['rows'][number]

/** The timeline's columns on the terminal: what happened, when, and the evidence hash to match it with. */
export const TIMELINE_TABLE: Column[] = [
  {key: 'time', kind: 'time', priority: 1},
  {key: 'source', priority: 4},
  {key: 'actor', kind: 'key', priority: 2, min: 18},
  {key: 'action', priority: 1, min: 14},
  {key: 'target', kind: 'key', priority: 3},
  {key: 'sourceIp', header: 'source ip', kind: 'id', priority: 5},
  {key: 'detail', priority: 6},
  {key: 'evidenceKey', header: 'evidence', kind: 'evidence', priority: 4},
  {key: 'evidenceSha256', header: 'sha256', kind: 'hash', priority: 1},
]

/** A timeline row as the command shows it. */
const timelineRow = (r: Row): TimelineRow => ({
  time: r.time as string | null,
  source: r.source as TimelineRow['source'],
  actor: r.actor as string | null,
  action: r.action as string | null,
  target: r.target as string | null,
  sourceIp: r.source_ip as string | null,
  detail: r.detail as string | null,
  evidenceKey: r.evidence_key as string | null,
  evidenceSha256: r.evidence_sha256 as string | null,
})

export default class Timeline extends CoronerCommand<Result> {
  static override summary = 'The timeline of a case: CloudTrail, function logs, Lambda changes, containment and custody, in time order'
  static override description =
    'Every row names its evidence object and SHA-256. Filters are bound as parameters. Builds the case database first when it does not exist yet. A limited view (a table shows 100 rows unless --limit) keeps the oldest half and the newest half of the rows and says how many lie between and when; narrow it with --since and --until, or --limit 0 for every row.'
  static override flags = {
    case: Flags.string({char: 'c', description: 'Case id'}),
    db: Flags.string({description: 'Case database file. Default: ./coroner-analysis/<case>/case.duckdb'}),
    reload: reloadFlag,
    since: Flags.string({description: 'From this time, inclusive: ISO 8601, a duration before now (24h, 7d), or now'}),
    until: Flags.string({description: 'Up to this time, exclusive (the same syntax)'}),
    actor: Flags.string({description: 'Only rows whose actor contains this text'}),
    target: Flags.string({description: 'Only rows whose target contains this text'}),
    source: Flags.string({description: 'Only these sources (repeatable)', options: [...TIMELINE_SOURCES], multiple: true}),
    ...storeFlag,
    ...rowOutputFlags,
    ...secretsFlag,
  }
  static override resultSchema = timelineResult
  static override examples = [
    '<%= config.bin %> timeline --case INC-2026-0042 --since 2026-11-20T00:00:00Z --actor payments-exec',
    '<%= config.bin %> timeline --case INC-2026-0042 --since 24h --until 2h',
    '<%= config.bin %> timeline --case INC-2026-0042 --source cloudtrail --source logs --csv > timeline.csv',
  ]

  protected async execute(): Promise<Outcome<Result>> {
    const {flags} = await this.parse(Timeline)
    const caseId = flags.case === undefined ? undefined : assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const now = env.clock.now()
    const limit = rowLimit(this.output)
    const input = {
      ...(flags.since === undefined ? {} : {since: timeFlagIso(flags.since, now, 'since')}),
      ...(flags.until === undefined ? {} : {until: timeFlagIso(flags.until, now, 'until')}),
      ...(flags.actor === undefined ? {} : {actor: flags.actor}),
      ...(flags.target === undefined ? {} : {target: flags.target}),
      ...(flags.source === undefined ? {} : {sources: flags.source}),
      ...(limit === undefined ? {} : {limit}),
      ...(flags.db === undefined ? {} : {db: flags.db}),
      reload: flags.reload,
    }
    if (limit === undefined) {
      // Every row: written as DuckDB gives them, never all held (a timeline of millions of events).
      const {ctx, params} = await offlineCall(env, timelineStep, input)
      const open = await openTimeline(ctx, params)
      const chunks = (async function* () {
        for await (const c of open.chunks) yield {count: c.count, rows: () => c.rows().map(timelineRow)}
      })()
      return {result: {rows: [], omitted: null, total: 0, truncated: false}, rows: {chunks, close: open.close, shown: true}}
    }
    const t = (await this.runStep(env, timelineStep, input)).result.timeline
    return {result: {rows: t.rows.map(timelineRow), omitted: t.omitted, total: t.total, truncated: t.truncated}}
  }

  protected override list(r: Result): ListView {
    return {name: 'rows', rows: r.rows, columns: TIMELINE_TABLE, total: r.total}
  }

  protected render(r: Result): void {
    if (r.rows.length === 0) {
      this.log('(no rows)')
      return
    }
    const gap = r.omitted
    this.table(r.rows, TIMELINE_TABLE, r.rows.length, gap ? {after: gap.after, note: `… ${gap.count} row(s) not shown, from ${gap.from ?? '?'} to ${gap.to ?? '?'}: --limit 0 for all, or --since/--until for a window …`} : undefined)
    this.log(`\n${r.rows.length} of ${r.total} row(s)${gap ? ` (the oldest ${gap.after} and the newest ${r.rows.length - gap.after})` : ''}`)
  }
}
