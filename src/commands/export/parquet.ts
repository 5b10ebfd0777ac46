import {Flags} from '@oclif/core'
import {reloadFlag} from '../../cli/case-flag.js'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {renderTable} from '../../cli/table.js'
import type {ExportResult} from '../../analysis/export-parquet.js'
import {exportParquetStep} from '../../steps/analyse/export-parquet.js'
import {assertCaseId} from '../../evidence/keys.js'

export default class ExportParquet extends CoronerCommand<ExportResult> {
  static override summary = 'Export every table of a case database to Parquet, partitioned by date, with Athena/Trino DDL'
  static override description =
    'Writes <DIR>/<table>/year=YYYY/month=M/day=D/*.parquet (event tables by event date, inventory tables by collection date; JSON columns as text) and <DIR>/ddl.sql with a CREATE EXTERNAL TABLE per table. DIR must be new or empty. The values of the Lambda environment variables of the case (each of 6 characters or more) is replaced by [redacted:NAME] in every text column, wherever it appears (configurations, CloudTrail request parameters, log lines), unless --show-secrets: then the export holds the values, as the evidence does, and must be kept as the evidence is.'
  static override flags = {
    case: Flags.string({char: 'c', description: 'Case id'}),
    db: Flags.string({description: 'Case database file. Default: ./coroner-analysis/<case>/case.duckdb'}),
    reload: reloadFlag,
    to: Flags.string({description: 'Directory to write the export into (new or empty)', required: true}),
  }
  static override examples = ['<%= config.bin %> export parquet --case INC-2026-0042 --to ./inc-42-parquet']

  protected async execute(): Promise<Outcome<ExportResult>> {
    const {flags} = await this.parse(ExportParquet)
    const caseId = flags.case === undefined ? undefined : assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const {result} = await this.runStep(env, exportParquetStep, {to: flags.to, reload: flags.reload, ...(flags.db === undefined ? {} : {db: flags.db})})
    const shown = result.export.secrets.treatment === 'shown'
    return {result: result.export, ...(shown ? {warnings: ['export holds secret values (--show-secrets): keep it as you keep the evidence']} : {})}
  }

  protected render(r: ExportResult): void {
    this.log(renderTable(r.tables.map((t) => ({table: t.table, rows: t.rows, files: t.files})), ['table', 'rows', 'files']))
    this.log(`\nParquet in ${r.dir}\nDDL in ${r.ddl}`)
    this.log(r.secrets.treatment === 'shown' ? 'Secrets: shown (--show-secrets).' : `Secrets: ${r.secrets.values} known value(s) redacted as [redacted:NAME].`)
  }
}
