import {Flags} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../cli/base-command.js'
import {caseFlag} from '../cli/case-flag.js'
import {renderTable} from '../cli/table.js'
import {ExitCode} from '../core/errors.js'
import {resolveDbPath} from '../analysis/case-db.js'
import type {LoadResult} from '../analysis/load.js'
import {loadStep} from '../steps/analyse/load.js'
import {assertCaseId} from '../evidence/keys.js'

export default class Load extends CoronerCommand<LoadResult> {
  static override summary = 'Build the DuckDB database of a case from its verified evidence'
  static override description =
    'Re-hashes every artifact of the case against its manifest (or, for a run that never sealed, its journal), refuses altered or missing ones and names them, and loads the rest with DuckDB\'s own readers into case.duckdb: cloudtrail_events, log_events, lambda_*, iam_policies, guardduty_findings, artifacts, custody and the timeline view. Code packages and layer archives are read in place, entry by entry, into lambda_code_packages, lambda_code_files, lambda_code_indicators and lambda_code_anomalies (nothing is extracted). The database is rebuilt whole each time (written beside the target, then renamed), and the same evidence always gives the same tables. Exits 3 when an artifact was refused, 6 when one could not be read.'
  static override flags = {
    case: caseFlag,
    db: Flags.string({description: 'Database file to write. Default: ./coroner-analysis/<case>/case.duckdb'}),
  }
  static override examples = [
    '<%= config.bin %> load --case INC-2026-0042',
    '<%= config.bin %> load --case INC-2026-0042 --store ./pulled-evidence --db /cases/inc-42.duckdb',
  ]

  protected async execute(): Promise<Outcome<LoadResult>> {
    const {flags} = await this.parse(Load)
    const caseId = assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const {result} = await this.runStep(env, loadStep, {db: resolveDbPath(flags)})
    const exitCode = result.artifacts.refused.length > 0 ? ExitCode.findings : result.artifacts.unreadable.length > 0 ? ExitCode.partial : undefined
    return {result, warnings: result.warnings, ...(exitCode === undefined ? {} : {exitCode})}
  }

  protected render(r: LoadResult): void {
    this.log(renderTable(Object.entries(r.tables).map(([table, rows]) => ({table, rows})), ['table', 'rows']))
    const a = r.artifacts
    this.log(`\nCase ${r.caseId}: ${a.loaded} of ${a.total} artifact(s) loaded, ${a.refused.length} refused, ${a.unreadable.length} unreadable, ${a.notLoaded} not loadable (digests).`)
    const c = r.code
    if (c.packages > 0) {
      const anomalies = Object.entries(c.anomalies).map(([code, n]) => `${code} ${n}`).join(', ')
      this.log(`Code: ${c.packages} package(s) (${c.read} read, ${c.partial} partial, ${c.unreadable} unreadable), ${c.files} entries, ${c.indicators} indicators; not scanned: ${c.notScanned.binary} binary, ${c.notScanned.oversized} oversized, ${c.notScanned.unread} unread${anomalies === '' ? '' : `; anomalies: ${anomalies}`}.`)
    }
    for (const x of a.refused) this.log(`REFUSED ${x.state}: ${x.key}${x.detail ? ` (${x.detail})` : ''}`)
    this.log(`Database: ${r.dbPath}`)
  }
}
