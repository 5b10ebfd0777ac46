import {Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../cli/base-command.js'
import {caseFlag} from '../cli/case-flag.js'
import {rowOutputFlags, storeFlag} from '../cli/flags.js'
import type {ListView} from '../cli/output.js'
import {loadResult} from '../cli/results/analysis.js'
import {whole} from '../cli/results/common.js'
import {cellText} from '../cli/table.js'
import {ExitCode} from '../core/errors.js'
import {resolveDbPath} from '../analysis/case-db.js'
import {loadStep} from '../steps/analyse/load.js'
import {assertCaseId} from '../evidence/keys.js'

type Result = z.output<typeof loadResult>

export default class Load extends CoronerCommand<Result> {
  static override summary = 'Build the DuckDB database of a case from its verified evidence'
  static override description =
    'Re-hashes every artifact of the case against its manifest (or, for a run that never sealed, its journal), refuses altered or missing ones and names them, and loads the rest with DuckDB\'s own readers into case.duckdb: cloudtrail_events, log_events, lambda_*, iam_policies, guardduty_findings, artifacts, custody and the timeline view. Code packages and layer archives are read in place, entry by entry, into lambda_code_packages, lambda_code_files, lambda_code_indicators and lambda_code_anomalies (nothing is extracted). The database is rebuilt whole each time (written beside the target, then renamed), and the same evidence always gives the same tables. Reads a local store: pull an S3 case first (`coroner evidence pull`).'
  static override flags = {
    case: caseFlag,
    db: Flags.string({description: 'Database file to write. Default: ./coroner-analysis/<case>/case.duckdb'}),
    ...storeFlag,
    ...rowOutputFlags,
  }
  static override resultSchema = loadResult
  static override exitCodes = {[ExitCode.findings]: 'an artifact was refused: altered or missing (named)', [ExitCode.partial]: 'an artifact could not be read'}
  static override examples = [
    '<%= config.bin %> load --case INC-2026-0042',
    '<%= config.bin %> load --case INC-2026-0042 --store ./pulled-evidence --db /cases/inc-42.duckdb',
  ]

  protected async execute(): Promise<Outcome<Result>> {
    const {flags} = await this.parse(Load)
    const caseId = assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const {result: r} = await this.runStep(env, loadStep, {db: resolveDbPath(flags)})
    const refused = (x: {key: string; kind: string; state: string; detail?: string}) => ({key: x.key, kind: x.kind, state: x.state, detail: x.detail ?? null})
    const tables = Object.entries(r.tables).map(([table, rows]) => ({table, rows}))
    const result: Result = {
      caseId: r.caseId,
      dbPath: r.dbPath,
      tables,
      artifacts: {total: r.artifacts.total, loaded: r.artifacts.loaded, refused: r.artifacts.refused.map(refused), unreadable: r.artifacts.unreadable.map(refused), notLoaded: r.artifacts.notLoaded},
      malformedRecords: r.malformedRecords,
      code: r.code,
      phases: r.phases,
      ...whole(tables),
    }
    const exitCode = r.artifacts.refused.length > 0 ? ExitCode.findings : r.artifacts.unreadable.length > 0 ? ExitCode.partial : undefined
    return {result, warnings: r.warnings, ...(exitCode === undefined ? {} : {exitCode})}
  }

  protected override list(r: Result): ListView {
    return {name: 'tables', rows: r.tables, columns: [{key: 'table', priority: 1}, {key: 'rows', kind: 'number', priority: 1}]}
  }

  protected render(r: Result): void {
    this.table(r.tables, this.list(r).columns)
    const a = r.artifacts
    this.log(`\nCase ${r.caseId}: ${a.loaded} of ${a.total} artifact(s) loaded, ${a.refused.length} refused, ${a.unreadable.length} unreadable, ${a.notLoaded} not loadable (digests).`)
    const c = r.code
    if (c.packages > 0) {
      const anomalies = Object.entries(c.anomalies).map(([code, n]) => `${code} ${n}`).join(', ')
      this.log(`Code: ${c.packages} package(s) (${c.read} read, ${c.partial} partial, ${c.unreadable} unreadable), ${c.files} entries, ${c.indicators} indicators; not scanned: ${c.notScanned.binary} binary, ${c.notScanned.oversized} oversized, ${c.notScanned.unread} unread${anomalies === '' ? '' : `; anomalies: ${anomalies}`}.`)
    }
    for (const x of a.refused) this.log(`REFUSED ${x.state}: ${cellText(x.key)}${x.detail ? ` (${cellText(x.detail)})` : ''}`)
    this.log(`Database: ${cellText(r.dbPath)}`)
  }
}
