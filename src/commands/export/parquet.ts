import {Flags} from '@oclif/core'
import {reloadFlag} from '../../cli/case-flag.js'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {rowOutputFlags, secretsFlag, storeFlag} from '../../cli/flags.js'
import type {ListView} from '../../cli/output.js'
import {exportParquetResult} from '../../cli/results/analysis.js'
import {whole} from '../../cli/results/common.js'
import {cellText} from '../../cli/table.js'
import {exportParquetStep} from '../../steps/analyse/export-parquet.js'
import {assertCaseId} from '../../evidence/keys.js'

type Result = z.output<typeof exportParquetResult>

export default class ExportParquet extends CoronerCommand<Result> {
  static override summary = 'Export every table of a case database to Parquet, partitioned by date, with Athena/Trino DDL'
  static override description =
    'Writes <DIR>/<table>/year=YYYY/month=M/day=D/*.parquet for every table: events, snapshots, findings and their checks, containment, readiness, code forensics, custody and the load record (event tables by event date, inventory tables by collection date; JSON columns as text) and <DIR>/ddl.sql with a CREATE EXTERNAL TABLE per table. DIR must be new or empty. The values of the Lambda environment variables of the case (each of 6 characters or more) is replaced by [redacted:NAME] in every text column, wherever it appears (configurations, CloudTrail request parameters, log lines), unless --show-secrets: then the export holds the values, as the evidence does, and must be kept as the evidence is.'
  static override flags = {
    case: Flags.string({char: 'c', description: 'Case id'}),
    db: Flags.string({description: 'Case database file. Default: ./coroner-analysis/<case>/case.duckdb'}),
    reload: reloadFlag,
    to: Flags.string({description: 'Directory to write the export into (new or empty)', required: true}),
    ...storeFlag,
    ...rowOutputFlags,
    ...secretsFlag,
  }
  static override resultSchema = exportParquetResult
  static override examples = ['<%= config.bin %> export parquet --case INC-2026-0042 --to ./inc-42-parquet']

  protected async execute(): Promise<Outcome<Result>> {
    const {flags} = await this.parse(ExportParquet)
    const caseId = flags.case === undefined ? undefined : assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const {result} = await this.runStep(env, exportParquetStep, {to: flags.to, reload: flags.reload, ...(flags.db === undefined ? {} : {db: flags.db})})
    const shown = result.export.secrets.treatment === 'shown'
    const warnings = [
      ...result.export.notExported.map((n) => `${n.table} not exported: ${n.reason}`),
      ...(shown ? ['export holds secret values (--show-secrets): keep it as you keep the evidence'] : []),
    ]
    return {result: {...result.export, ...whole(result.export.tables)}, ...(warnings.length > 0 ? {warnings} : {})}
  }

  protected override list(r: Result): ListView {
    return {name: 'tables', rows: r.tables, columns: [{key: 'table', priority: 1}, {key: 'rows', kind: 'number', priority: 1}, {key: 'files', kind: 'number', priority: 2}, {key: 'location', kind: 'key', priority: 3}]}
  }

  protected render(r: Result): void {
    this.table(r.tables, this.list(r).columns)
    this.log(`\nParquet in ${cellText(r.dir)}\nDDL in ${cellText(r.ddl)}`)
    this.log(r.secrets.treatment === 'shown' ? 'Secrets: shown (--show-secrets).' : `Secrets: ${r.secrets.values} known value(s) redacted as [redacted:NAME].`)
  }
}
