import {Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../cli/base-command.js'
import {caseFlag} from '../cli/case-flag.js'
import {rowOutputFlags, storeFlag} from '../cli/flags.js'
import type {ListView} from '../cli/output.js'
import {verificationFacts} from '../cli/render-verification.js'
import {loadResult} from '../cli/results/analysis.js'
import {whole} from '../cli/results/common.js'
import {issueJson, verificationJson} from '../cli/results/evidence.js'
import {cellText} from '../cli/table.js'
import {verifyFlags, verifyParamsOf} from '../cli/verify-flags.js'
import {ExitCode} from '../core/errors.js'
import {resolveDbPath} from '../analysis/case-db.js'
import {loadStep} from '../steps/analyse/load.js'
import {assertCaseId} from '../evidence/keys.js'

type Result = z.output<typeof loadResult>

export default class Load extends CoronerCommand<Result> {
  static override summary = 'Build the DuckDB database of a case from its verified evidence'
  static override description =
    'Verifies the case first, as `evidence verify` does (the same verifier: hashes, journals, manifests, the chain, signatures, --expect), and refuses a case that does not verify, naming every problem (exit 3); with --accept-damaged it loads it anyway, every row of the damaged evidence marked in an evidence_damage column and the damage printed. Loads with DuckDB\'s own readers into case.duckdb: cloudtrail_events, log_events, lambda_* and iam_policies (the latest snapshot of each resource; lambda_*_history and iam_policies_history keep every snapshot, with its run and time, and snapshot_changes what changed between them), guardduty_findings, artifacts, custody and the timeline view; case_load records the store, the verification result and the runs the database was built from. Code packages and layer archives are read in place, entry by entry, into lambda_code_packages, lambda_code_files, lambda_code_indicators and lambda_code_anomalies (nothing is extracted). The database is rebuilt whole each time (written beside the target, then renamed), and the same evidence always gives the same tables. Exits 3 when damage was accepted, 6 when an artifact could not be read.'
  static override flags = {
    case: caseFlag,
    db: Flags.string({description: 'Database file to write. Default: ./coroner-analysis/<case>/case.duckdb'}),
    'accept-damaged': Flags.boolean({description: 'Load a case that does not verify, marking every row of the damaged evidence (evidence_damage) and printing the damage', default: false}),
    ...verifyFlags,
    ...storeFlag,
    ...rowOutputFlags,
  }
  static override resultSchema = loadResult
  static override exitCodes = {[ExitCode.findings]: 'the case does not verify: refused, or loaded with --accept-damaged (each problem named)', [ExitCode.partial]: 'an artifact could not be read'}
  static override examples = [
    '<%= config.bin %> load --case INC-2026-0042',
    '<%= config.bin %> load --case INC-2026-0042 --store ./pulled-evidence --db /cases/inc-42.duckdb',
    '<%= config.bin %> load --case INC-2026-0042 --expect 3:9f86d081884c7d659a2feaa0c55ad015',
    '<%= config.bin %> load --case INC-2026-0042 --accept-damaged',
  ]

  protected async execute(): Promise<Outcome<Result>> {
    const {flags} = await this.parse(Load)
    const caseId = assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const {result: r} = await this.runStep(env, loadStep, {db: resolveDbPath(flags), acceptDamaged: flags['accept-damaged'], ...verifyParamsOf(flags)})
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
      verification: verificationJson(r.verification).check,
      damage: r.damage.map(issueJson),
      ...whole(tables),
    }
    const exitCode = !r.verification.ok ? ExitCode.findings : r.artifacts.unreadable.length > 0 ? ExitCode.partial : undefined
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
    for (const d of r.damage) this.log(cellText(`DAMAGED [${d.code}] ${d.message}`))
    for (const line of verificationFacts(r.verification)) this.log(line)
    this.log(r.verification.ok ? 'Verified: every object matches its recorded SHA-256 and the chain is intact.' : `NOT VERIFIED: loaded with --accept-damaged, ${r.damage.length} problem(s); every row of the evidence concerned is marked in evidence_damage.`)
    this.log(`Database: ${cellText(r.dbPath)}`)
  }
}
