import {Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../cli/base-command.js'
import {caseFlag, reloadFlag} from '../cli/case-flag.js'
import {rowOutputFlags, secretsFlag, storeFlag} from '../cli/flags.js'
import type {ListView} from '../cli/output.js'
import {findingsResult} from '../cli/results/analysis.js'
import {cellText} from '../cli/table.js'
import {ExitCode} from '../core/errors.js'
import {resolveDbPath} from '../analysis/case-db.js'
import {findingsStep} from '../steps/analyse/findings.js'
import {assertCaseId} from '../evidence/keys.js'

type Result = z.output<typeof findingsResult>
type Finding = Result['findings'][number]

export default class Findings extends CoronerCommand<Result> {
  static override summary = 'Run every Sigma rule and detection query over a case and gather the findings in one table'
  static override description =
    "Runs the shipped Sigma rules (and any --rules) in the hunt's single pass over cloudtrail_events, and every named query whose severity is above info and whose evidence the case holds, then fills the case database's findings table (and finding_checks: every rule and query, run or not, and why). An event flagged by several rules or queries is one finding with several reasons; every finding names its rules and queries with their authors, its events, and the evidence objects with SHA-256 and S3 VersionId. `hunt` stays the Sigma-only view."
  static override flags = {
    case: caseFlag,
    db: Flags.string({description: 'The case database (default ./coroner-analysis/<case>/case.duckdb, built from the evidence when missing)'}),
    reload: reloadFlag,
    rules: Flags.string({description: 'Extra Sigma rule files or directories (repeatable)', multiple: true}),
    builtin: Flags.boolean({description: 'Include the shipped Sigma rules (use --no-builtin to run only --rules)', default: true, allowNo: true}),
    'per-check': Flags.integer({description: 'Hits or rows of one rule or query kept as findings (all are counted)', default: 10_000, min: 1}),
    fail: Flags.boolean({description: 'Exit 3 when there are findings (use --no-fail to exit 0)', default: true, allowNo: true}),
    ...storeFlag,
    ...rowOutputFlags,
    ...secretsFlag,
  }
  static override resultSchema = findingsResult
  static override exitCodes = {[ExitCode.findings]: 'there are findings (unless --no-fail)'}
  static override examples = ['<%= config.bin %> findings --case INC-2026-0042', '<%= config.bin %> findings --case INC-2026-0042 --rules ./my-rules --json']

  protected async execute(): Promise<Outcome<Result>> {
    const {flags} = await this.parse(Findings)
    const caseId = assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const {result} = await this.runStep(env, findingsStep, {
      db: resolveDbPath(flags),
      reload: flags.reload,
      builtin: flags.builtin,
      limit: flags['per-check'],
      ...(flags.rules === undefined ? {} : {rules: flags.rules}),
    })
    const json: Result = {caseId: result.caseId, dbPath: result.dbPath, findings: result.all, bySeverity: result.bySeverity, checks: result.checks, total: result.findings, truncated: result.all.length < result.findings}
    return {result: json, warnings: result.warnings, ...(result.findings > 0 && flags.fail ? {exitCode: ExitCode.findings} : {})}
  }

  protected override list(r: Result): ListView {
    return {
      name: 'findings',
      rows: r.findings,
      total: r.total,
      columns: [
        {key: 'severity', priority: 1},
        {key: 'time', kind: 'time', priority: 1},
        {key: 'title', header: 'finding', priority: 1, min: 24},
        {key: 'reasons', kind: 'number', priority: 3, value: (f: Finding) => f.reasons.length},
        {key: 'actor', kind: 'key', priority: 2},
        {key: 'target', kind: 'key', priority: 2},
        {key: 'evidence', kind: 'evidence', priority: 4, value: (f: Finding) => f.evidence[0]?.key ?? ''},
        {key: 'sha256', kind: 'hash', priority: 2, value: (f: Finding) => f.evidence[0]?.sha256 ?? ''},
        {key: 'id', kind: 'id', priority: 5},
      ],
    }
  }

  protected render(r: Result): void {
    this.table(r.findings, this.list(r).columns, r.total)
    const s = r.bySeverity
    const c = r.checks
    this.log(`\nCase ${r.caseId}: ${r.total} finding(s) (${s.critical} critical, ${s.high} high, ${s.medium} medium, ${s.low} low).`)
    this.log(`Checks: ${c.ran} ran (${c.fired} fired), ${c.failed} failed, ${c['not-run']} not run, ${c.unsupported} unsupported, ${c.invalid} invalid. Database: ${cellText(r.dbPath)}`)
  }
}
