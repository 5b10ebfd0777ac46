import {Args, Flags} from '@oclif/core'
import {reloadFlag} from '../../cli/case-flag.js'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {renderTable} from '../../cli/table.js'
import {usageError} from '../../core/errors.js'
import {toCsv, toNdjson, redactSecrets} from '../../analysis/output.js'
import {parseParamArgs, type QueryResult} from '../../analysis/run-query.js'
import {queryStep} from '../../steps/analyse/query.js'
import {assertCaseId} from '../../evidence/keys.js'

export default class Query extends CoronerCommand<QueryResult> {
  static override summary = 'Run a named hunting query, or your own SQL, over a case database'
  static override description =
    'Runs one of the named queries (`coroner query list`) or, with --sql, any read-only SQL over the case database. Parameters are bound (--param name=value), never spliced into the SQL. Output: a table, --json, --csv (spreadsheet formulas neutralised) or --ndjson. Builds the case database first when it does not exist yet. Rows are data, not verdicts: the command exits 0 whether or not rows are found.'
  static override args = {name: Args.string({description: 'Query name (see `coroner query list`)'})}
  static override flags = {
    case: Flags.string({char: 'c', description: 'Case id'}),
    db: Flags.string({description: 'Case database file. Default: ./coroner-analysis/<case>/case.duckdb'}),
    reload: reloadFlag,
    sql: Flags.string({description: 'Run this SQL instead of a named query ($name parameters are bound as text)'}),
    param: Flags.string({char: 'p', description: 'A parameter, name=value (repeatable)', multiple: true, default: []}),
    csv: Flags.boolean({description: 'Print CSV', exclusive: ['ndjson', 'json']}),
    ndjson: Flags.boolean({description: 'Print one JSON object per row', exclusive: ['csv', 'json']}),
  }
  static override examples = [
    '<%= config.bin %> query lambda-code-overwritten --case INC-2026-0042',
    '<%= config.bin %> query access-denied-burst --case INC-2026-0042 --param threshold=20 --param since=2026-11-01T00:00:00Z --csv',
    '<%= config.bin %> query --case INC-2026-0042 --sql "SELECT event_name, count(*) AS n, min(artifact_key) AS evidence_key FROM cloudtrail_events GROUP BY 1 ORDER BY 2 DESC"',
  ]

  private format: 'table' | 'csv' | 'ndjson' = 'table'
  private showSecrets = false

  protected async execute(): Promise<Outcome<QueryResult>> {
    const {args, flags} = await this.parse(Query)
    this.format = flags.csv ? 'csv' : flags.ndjson ? 'ndjson' : 'table'
    this.showSecrets = flags['show-secrets']
    if ((args.name === undefined) === (flags.sql === undefined)) {
      throw usageError('query-name', 'Name one query, or pass --sql, not both.', 'Run `coroner query list` for the names.')
    }
    const caseId = flags.case === undefined ? undefined : assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const {result} = await this.runStep(env, queryStep, {
      ...(args.name === undefined ? {} : {name: args.name}),
      ...(flags.sql === undefined ? {} : {sql: flags.sql}),
      params: parseParamArgs(flags.param),
      ...(flags.db === undefined ? {} : {db: flags.db}),
      reload: flags.reload,
    })
    return {result: result.query}
  }

  protected render(r: QueryResult): void {
    if (this.format === 'csv') process.stdout.write(toCsv(r.columns, r.rows))
    else if (this.format === 'ndjson') process.stdout.write(toNdjson(r.columns, r.rows))
    else {
      this.log(renderTable(r.rows, r.columns))
      this.log(`\n${r.rows.length} row(s)${r.title ? ` — ${r.query}: ${r.title} (${r.severity})` : ''}`)
    }
  }
}
