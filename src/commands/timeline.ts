import {Flags} from '@oclif/core'
import {reloadFlag} from '../cli/case-flag.js'
import {CoronerCommand, type Outcome} from '../cli/base-command.js'
import {renderTable} from '../cli/table.js'
import type {Row} from '../analysis/db.js'
import {toCsv, toNdjson} from '../analysis/output.js'
import {TIMELINE_SOURCES} from '../analysis/timeline.js'
import {timelineStep} from '../steps/analyse/timeline.js'
import {assertCaseId} from '../evidence/keys.js'

interface TimelineResult {
  columns: string[]
  rows: Row[]
}

export default class Timeline extends CoronerCommand<TimelineResult> {
  static override summary = 'The timeline of a case: CloudTrail, function logs, Lambda changes, containment and custody, in time order'
  static override description = 'Every row names its evidence object and SHA-256. Filters are bound as parameters. Builds the case database first when it does not exist yet.'
  static override flags = {
    case: Flags.string({char: 'c', description: 'Case id'}),
    db: Flags.string({description: 'Case database file. Default: ./coroner-analysis/<case>/case.duckdb'}),
    reload: reloadFlag,
    since: Flags.string({description: 'From this time (ISO 8601), inclusive'}),
    until: Flags.string({description: 'Up to this time (ISO 8601), exclusive'}),
    actor: Flags.string({description: 'Only rows whose actor contains this text'}),
    target: Flags.string({description: 'Only rows whose target contains this text'}),
    source: Flags.string({description: 'Only these sources (repeatable)', options: [...TIMELINE_SOURCES], multiple: true}),
    limit: Flags.integer({description: 'At most this many rows', default: 1000}),
    csv: Flags.boolean({description: 'Print CSV', exclusive: ['ndjson', 'json']}),
    ndjson: Flags.boolean({description: 'Print one JSON object per row', exclusive: ['csv', 'json']}),
  }
  static override examples = [
    '<%= config.bin %> timeline --case INC-2026-0042 --since 2026-11-20T00:00:00Z --actor payments-exec',
    '<%= config.bin %> timeline --case INC-2026-0042 --source cloudtrail --source logs --limit 0 --csv > timeline.csv',
  ]

  private format: 'table' | 'csv' | 'ndjson' = 'table'

  protected async execute(): Promise<Outcome<TimelineResult>> {
    const {flags} = await this.parse(Timeline)
    this.format = flags.csv ? 'csv' : flags.ndjson ? 'ndjson' : 'table'
    const caseId = flags.case === undefined ? undefined : assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const {result} = await this.runStep(env, timelineStep, {
      ...(flags.since === undefined ? {} : {since: flags.since}),
      ...(flags.until === undefined ? {} : {until: flags.until}),
      ...(flags.actor === undefined ? {} : {actor: flags.actor}),
      ...(flags.target === undefined ? {} : {target: flags.target}),
      ...(flags.source === undefined ? {} : {sources: flags.source}),
      ...(flags.limit === 0 ? {} : {limit: flags.limit}),
      ...(flags.db === undefined ? {} : {db: flags.db}),
      reload: flags.reload,
    })
    return {result: result.timeline}
  }

  protected render(r: TimelineResult): void {
    if (this.format === 'csv') process.stdout.write(toCsv(r.columns, r.rows))
    else if (this.format === 'ndjson') process.stdout.write(toNdjson(r.columns, r.rows))
    else this.log(`${renderTable(r.rows, ['time', 'source', 'actor', 'action', 'target', 'source_ip', 'detail', 'evidence_key'])}\n\n${r.rows.length} row(s)`)
  }
}
