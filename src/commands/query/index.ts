import {Args, Flags} from '@oclif/core'
import {reloadFlag} from '../../cli/case-flag.js'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {rowOutputFlags, secretsFlag, storeFlag} from '../../cli/flags.js'
import type {ListView} from '../../cli/output.js'
import {queryResult} from '../../cli/results/analysis.js'
import {whole} from '../../cli/results/common.js'
import {sqlColumns} from '../../cli/sql-columns.js'
import {usageError} from '../../core/errors.js'
import {parseParamArgs} from '../../analysis/run-query.js'
import {openQuery, queryStep} from '../../steps/analyse/query.js'
import {offlineCall} from '../../steps/runner.js'
import {assertCaseId} from '../../evidence/keys.js'

type Result = z.output<typeof queryResult>

export default class Query extends CoronerCommand<Result> {
  static override summary = 'Run a named hunting query, or your own SQL, over a case database'
  static override description =
    'Runs one of the named queries (`coroner query list`) or, with --sql, any read-only SQL over the case database. Parameters are bound (--param name=value), never spliced into the SQL; a timestamp parameter takes ISO 8601, a duration before now (24h, 7d) or now. Builds the case database first when it does not exist yet. Rows are data, not verdicts: the command exits 0 whether or not rows are found.'
  static override args = {name: Args.string({description: 'Query name (see `coroner query list`)'})}
  static override flags = {
    case: Flags.string({char: 'c', description: 'Case id'}),
    db: Flags.string({description: 'Case database file. Default: ./coroner-analysis/<case>/case.duckdb'}),
    reload: reloadFlag,
    sql: Flags.string({description: 'Run this SQL instead of a named query ($name parameters are bound as text)'}),
    param: Flags.string({char: 'p', description: 'A parameter, name=value (repeatable)', multiple: true}),
    ...storeFlag,
    ...rowOutputFlags,
    ...secretsFlag,
  }
  static override resultSchema = queryResult
  static override exitCodes = {4: 'the named query file is not valid'}
  static override examples = [
    '<%= config.bin %> query lambda-code-overwritten --case INC-2026-0042',
    '<%= config.bin %> query access-denied-burst --case INC-2026-0042 --param threshold=20 --param since=7d --csv',
    '<%= config.bin %> query --case INC-2026-0042 --sql "SELECT event_name, count(*) AS n, min(artifact_key) AS evidence_key FROM cloudtrail_events GROUP BY 1 ORDER BY 2 DESC"',
  ]

  protected async execute(): Promise<Outcome<Result>> {
    const {args, flags} = await this.parse(Query)
    if ((args.name === undefined) === (flags.sql === undefined)) {
      throw usageError('query-name', 'Name one query, or pass --sql, not both.', 'Run `coroner query list` for the names.')
    }
    const caseId = flags.case === undefined ? undefined : assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    // The rows are written as DuckDB gives them, never all held: a query may return every event of the case.
    const {ctx, params} = await offlineCall(env, queryStep, {
      ...(args.name === undefined ? {} : {name: args.name}),
      ...(flags.sql === undefined ? {} : {sql: flags.sql}),
      params: parseParamArgs(flags.param ?? []),
      ...(flags.db === undefined ? {} : {db: flags.db}),
      reload: flags.reload,
    })
    const open = await openQuery(ctx, params)
    const q = open.head
    return {
      result: {query: q.query, title: q.title ?? null, severity: (q.severity as Result['severity'] | undefined) ?? null, parameters: q.parameters, columns: q.columns, rows: [], ...whole([])},
      rows: {chunks: open.chunks, close: open.close, shown: true},
    }
  }

  protected override list(r: Result): ListView {
    return {name: 'rows', rows: r.rows, columns: sqlColumns(r.columns, r.rows), csv: r.columns, total: r.total}
  }

  protected render(r: Result): void {
    this.table(r.rows, this.list(r).columns, r.total)
    this.log(`\n${r.total} row(s)${r.title ? ` — ${r.query}: ${r.title} (${r.severity})` : ''}`)
  }
}
