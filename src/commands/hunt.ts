import {Flags} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../cli/base-command.js'
import {caseFlag, reloadFlag} from '../cli/case-flag.js'
import {renderTable, terminalSafe} from '../cli/table.js'
import {ExitCode} from '../core/errors.js'
import {SIGMA_LEVELS} from '../analysis/sigma/rule.js'
import type {HuntReport} from '../analysis/sigma/run.js'
import {formatIssue} from '../analysis/issue.js'
import {assertCaseId} from '../evidence/keys.js'
import {huntStep} from '../steps/analyse/hunt.js'

export default class Hunt extends CoronerCommand<HuntReport> {
  static override summary = "Run Sigma rules for AWS CloudTrail over a case's events"
  static override description =
    "Compiles the shipped Sigma rules (queries/sigma: coroner's own Lambda rules and SigmaHQ's CloudTrail rules, DRL 1.1) and any rules passed with --rules to DuckDB SQL and runs them over the cloudtrail_events table of the case database (built from the evidence first when missing). Every hit names the rule's title, id, level and author, and the evidence object (key and SHA-256) the event came from. Rules that use what a per-event hunt cannot run (aggregations, near, timeframe, placeholders) are listed as unsupported with the construct named. Exits 3 when anything is found, unless --no-fail."
  static override flags = {
    case: caseFlag,
    rules: Flags.string({description: 'A Sigma rule file or a directory of rules (repeatable)', multiple: true}),
    db: Flags.string({description: 'The case database (default ./coroner-analysis/<case>/case.duckdb, built from the evidence when missing)'}),
    reload: reloadFlag,
    builtin: Flags.boolean({description: 'Include the shipped rules (use --no-builtin to run only --rules)', default: true, allowNo: true}),
    'min-level': Flags.string({description: 'Run only rules of this level or above', options: SIGMA_LEVELS.slice(1) as unknown as string[]}),
    limit: Flags.integer({description: 'Hits listed per rule (all are counted)', default: 1000, min: 1}),
    fail: Flags.boolean({description: 'Exit 3 when there are hits (use --no-fail to exit 0)', default: true, allowNo: true}),
  }
  static override examples = [
    '<%= config.bin %> hunt --case INC-2026-0042',
    '<%= config.bin %> hunt --case INC-2026-0042 --rules ./sigma/rules/cloud/aws --min-level high --json',
  ]

  protected async execute(): Promise<Outcome<HuntReport>> {
    const {flags} = await this.parse(Hunt)
    const caseId = assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const {result} = await this.runStep(env, huntStep, {
      ...(flags.rules === undefined ? {} : {rules: flags.rules}),
      builtin: flags.builtin,
      ...(flags['min-level'] === undefined ? {} : {minLevel: flags['min-level']}),
      limit: flags.limit,
      ...(flags.db === undefined ? {} : {db: flags.db}),
      reload: flags.reload,
    })
    const warnings = [
      ...result.invalid.map(formatIssue),
      ...result.rules.filter((r) => r.error !== undefined).map((r) => `rule '${r.title}' (${r.path}) failed: ${r.error}`),
    ].map(terminalSafe)
    const found = result.hits.length > 0
    return {result, warnings, ...(found && flags.fail ? {exitCode: ExitCode.findings} : {})}
  }

  protected render(r: HuntReport): void {
    this.log(
      renderTable(
        r.hits.map((h) => ({time: h.event_time, level: h.rule.level, rule: h.rule.title, event: h.eventName, principal: h.principal, source_ip: h.sourceIP, event_id: h.event_id, evidence: h.evidence_key, sha256: h.evidence_sha256 === null ? "" : `${h.evidence_sha256.slice(0, 12)}…`})),
        ['time', 'level', 'rule', 'event', 'principal', 'source_ip', 'event_id', 'evidence', 'sha256'],
      ),
    )
    const fired = r.rules.filter((x) => x.hits > 0)
    if (fired.length > 0) {
      this.log('\nRules that fired:')
      this.log(renderTable(fired.map((x) => ({hits: x.hits, level: x.level, rule: x.title, id: x.id, author: x.author})), ['hits', 'level', 'rule', 'id', 'author']))
    }
    if (r.unsupported.length > 0) {
      this.log('\nRules not run:')
      this.log(renderTable(r.unsupported.map((u) => ({rule: u.title ?? u.path, code: u.code, construct: u.construct, author: u.author})), ['rule', 'code', 'construct', 'author']))
    }
    const shown = r.hits.length
    const total = r.rules.reduce((n, x) => n + x.hits, 0)
    this.log(`\nCase ${r.caseId}: ${r.rulesRun} rule(s) run over ${terminalSafe(r.db)}, ${total} hit(s)${shown < total ? ` (${shown} listed)` : ''}, ${r.unsupported.length} rule(s) not run, ${r.skipped} below the minimum level.`)
  }
}
