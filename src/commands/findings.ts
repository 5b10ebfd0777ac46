import {Flags} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../cli/base-command.js'
import {caseFlag, reloadFlag} from '../cli/case-flag.js'
import {renderTable, terminalSafe} from '../cli/table.js'
import {ExitCode} from '../core/errors.js'
import {resolveDbPath} from '../analysis/case-db.js'
import {redactSecrets} from '../analysis/output.js'
import {findingsStep, type FindingsResult} from '../steps/analyse/findings.js'
import {assertCaseId} from '../evidence/keys.js'

export default class Findings extends CoronerCommand<FindingsResult> {
  static override summary = 'Run every Sigma rule and detection query over a case and gather the findings in one table'
  static override description =
    "Runs the shipped Sigma rules (and any --rules) in the hunt's single pass over cloudtrail_events, and every named query whose severity is above info and whose evidence the case holds, then fills the case database's findings table (and finding_checks: every rule and query, run or not, and why). An event flagged by several rules or queries is one finding with several reasons; every finding names its rules and queries with their authors, its events, and the evidence objects with SHA-256 and S3 VersionId. `hunt` stays the Sigma-only view. Exits 3 when anything is found, unless --no-fail."
  static override flags = {
    case: caseFlag,
    db: Flags.string({description: 'The case database (default ./coroner-analysis/<case>/case.duckdb, built from the evidence when missing)'}),
    reload: reloadFlag,
    rules: Flags.string({description: 'Extra Sigma rule files or directories (repeatable)', multiple: true}),
    builtin: Flags.boolean({description: 'Include the shipped Sigma rules (use --no-builtin to run only --rules)', default: true, allowNo: true}),
    limit: Flags.integer({description: 'Hits or rows of one rule or query kept as findings (all are counted)', default: 10_000, min: 1}),
    fail: Flags.boolean({description: 'Exit 3 when there are findings (use --no-fail to exit 0)', default: true, allowNo: true}),
  }
  static override examples = ['<%= config.bin %> findings --case INC-2026-0042', '<%= config.bin %> findings --case INC-2026-0042 --rules ./my-rules --json']

  private showSecrets = false

  protected async execute(): Promise<Outcome<FindingsResult>> {
    const {flags} = await this.parse(Findings)
    const caseId = assertCaseId(flags.case)
    this.showSecrets = flags['show-secrets']
    const env = await this.context(flags, caseId)
    const {result} = await this.runStep(env, findingsStep, {
      db: resolveDbPath(flags),
      reload: flags.reload,
      builtin: flags.builtin,
      limit: flags.limit,
      ...(flags.rules === undefined ? {} : {rules: flags.rules}),
    })
    return {result, warnings: result.warnings.map(terminalSafe), ...(result.findings > 0 && flags.fail ? {exitCode: ExitCode.findings} : {})}
  }

  protected render(r: FindingsResult): void {
    const rows = r.top.map((f) => ({
      severity: f.severity,
      time: f.time,
      finding: f.title,
      reasons: f.reasons.length,
      actor: f.actor,
      target: f.target,
      evidence: f.evidence[0]?.key ?? '',
      sha256: f.evidence[0]?.sha256 ? `${f.evidence[0].sha256.slice(0, 12)}…` : '',
      id: f.id,
    }))
    this.log(renderTable(rows.map((row) => (this.showSecrets ? row : redactSecrets(row as never))), ['severity', 'time', 'finding', 'reasons', 'actor', 'target', 'evidence', 'sha256', 'id']))
    const s = r.bySeverity
    const c = r.checks
    this.log(`\nCase ${r.caseId}: ${r.findings} finding(s) (${s.critical} critical, ${s.high} high, ${s.medium} medium, ${s.low} low)${r.findings > r.top.length ? `, the ${r.top.length} most severe listed` : ''}.`)
    this.log(`Checks: ${c.ran} ran (${c.fired} fired), ${c.failed} failed, ${c['not-run']} not run, ${c.unsupported} unsupported, ${c.invalid} invalid. Database: ${terminalSafe(r.dbPath)}`)
  }
}
