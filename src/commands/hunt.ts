import {Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../cli/base-command.js'
import {caseFlag, reloadFlag} from '../cli/case-flag.js'
import {rowOutputFlags, secretsFlag, storeFlag} from '../cli/flags.js'
import type {ListView} from '../cli/output.js'
import {fileIssueJson, huntResult} from '../cli/results/analysis.js'
import type {Column} from '../cli/table.js'
import {cellText} from '../cli/table.js'
import {ExitCode} from '../core/errors.js'
import {scanFallbackWarning} from '../analysis/sigma/hunt.js'
import {SIGMA_LEVELS} from '../analysis/sigma/rule.js'
import type {HuntReport} from '../analysis/sigma/run.js'
import {formatIssue} from '../analysis/issue.js'
import {assertCaseId} from '../evidence/keys.js'
import {huntStep} from '../steps/analyse/hunt.js'

type Result = z.output<typeof huntResult>

/** The hunt's hits on the terminal: when, which rule, who did what, and the evidence hash to match it with. */
export const HUNT_TABLE: Column[] = [
  {key: 'time', kind: 'time', priority: 1},
  {key: 'level', priority: 2, value: (h: Result['hits'][number]) => h.rule.level},
  {key: 'rule', priority: 1, min: 24, value: (h: Result['hits'][number]) => h.rule.title},
  {key: 'eventName', header: 'event', priority: 3, min: 14},
  {key: 'principal', kind: 'key', priority: 4},
  {key: 'sourceIp', header: 'source ip', kind: 'id', priority: 5},
  {key: 'eventId', header: 'event id', kind: 'id', priority: 6},
  {key: 'evidenceKey', header: 'evidence', kind: 'evidence', priority: 4},
  {key: 'evidenceSha256', header: 'sha256', kind: 'hash', priority: 1},
]

export default class Hunt extends CoronerCommand<Result> {
  static override summary = "Run Sigma rules for AWS CloudTrail over a case's events"
  static override description =
    "Compiles the shipped Sigma rules (queries/sigma: coroner's own Lambda rules and SigmaHQ's CloudTrail rules, DRL 1.1) and any rules passed with --rules to DuckDB SQL and runs them over the cloudtrail_events table of the case database (built from the evidence first when missing). Every hit names the rule's title, id, level and author, and the evidence object (key and SHA-256) the event came from. Lambda environment values of the case are shown as [redacted:NAME] wherever a hit holds one, unless --show-secrets. Rules that use what a per-event hunt cannot run (aggregations, near, timeframe, placeholders) are listed as unsupported with the construct named."
  static override flags = {
    case: caseFlag,
    rules: Flags.string({description: 'A Sigma rule file or a directory of rules (repeatable)', multiple: true}),
    db: Flags.string({description: 'The case database (default ./coroner-analysis/<case>/case.duckdb, built from the evidence when missing)'}),
    reload: reloadFlag,
    builtin: Flags.boolean({description: 'Include the shipped rules (use --no-builtin to run only --rules)', default: true, allowNo: true}),
    'min-level': Flags.string({description: 'Run only rules of this level or above', options: SIGMA_LEVELS.slice(1) as unknown as string[]}),
    'per-rule': Flags.integer({description: 'Hits kept per rule (all are counted)', default: 1000, min: 1}),
    fail: Flags.boolean({description: 'Exit 3 when there are hits (use --no-fail to exit 0)', default: true, allowNo: true}),
    ...storeFlag,
    ...rowOutputFlags,
    ...secretsFlag,
  }
  static override resultSchema = huntResult
  static override exitCodes = {[ExitCode.findings]: 'a rule fired (unless --no-fail)'}
  static override examples = [
    '<%= config.bin %> hunt --case INC-2026-0042',
    '<%= config.bin %> hunt --case INC-2026-0042 --rules ./sigma/rules/cloud/aws --min-level high --json',
  ]

  protected async execute(): Promise<Outcome<Result>> {
    const {flags} = await this.parse(Hunt)
    const caseId = assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const {result} = await this.runStep(env, huntStep, {
      ...(flags.rules === undefined ? {} : {rules: flags.rules}),
      builtin: flags.builtin,
      ...(flags['min-level'] === undefined ? {} : {minLevel: flags['min-level']}),
      limit: flags['per-rule'],
      ...(flags.db === undefined ? {} : {db: flags.db}),
      reload: flags.reload,
    })
    const warnings = [...result.invalid.map(formatIssue), ...result.rules.filter((r) => r.error !== undefined).map((r) => `rule '${r.title}' (${r.path}) failed: ${r.error}`)]
    const json = huntJson(result)
    if (result.scanError !== null) warnings.push(scanFallbackWarning(result.scanError))
    if (json.truncated) warnings.push(`rules with more than ${flags['per-rule']} hits list only the first ${flags['per-rule']} (all are counted): --per-rule to list more`)
    return {result: json, warnings, ...(json.hits.length > 0 && flags.fail ? {exitCode: ExitCode.findings} : {})}
  }

  protected override list(r: Result): ListView {
    return {name: 'hits', rows: r.hits, columns: HUNT_TABLE, total: r.total}
  }

  protected render(r: Result): void {
    this.table(r.hits, HUNT_TABLE, r.total)
    const fired = r.rules.filter((x) => x.hits > 0)
    if (fired.length > 0) {
      this.log('\nRules that fired:')
      this.table(fired, [{key: 'hits', kind: 'number', priority: 1}, {key: 'level', priority: 2}, {key: 'title', header: 'rule', priority: 1}, {key: 'id', kind: 'id', priority: 4}, {key: 'author', priority: 3}])
    }
    if (r.unsupported.length > 0) {
      this.log('\nRules not run:')
      this.table(r.unsupported.map((u) => ({...u, rule: u.title ?? u.path})), [{key: 'rule', priority: 1}, {key: 'code', priority: 1}, {key: 'construct', priority: 2}, {key: 'author', priority: 3}])
    }
    this.log(`\nCase ${r.caseId}: ${r.rulesRun} rule(s) run over ${cellText(r.db)}, ${r.total} hit(s)${r.hits.length < r.total ? ` (${r.hits.length} listed)` : ''}, ${r.unsupported.length} rule(s) not run, ${r.skipped} below the minimum level.`)
  }
}

/** The hunt as --json gives it: every name camelCase, every hit counted in `total`. */
function huntJson(r: HuntReport): Result {
  const hits = r.hits.map((h) => ({
    rule: {id: h.rule.id, title: h.rule.title, level: h.rule.level, author: h.rule.author, path: h.rule.path},
    eventId: h.event_id,
    time: h.event_time,
    eventName: h.eventName,
    eventSource: h.eventSource,
    principal: h.principal,
    sourceIp: h.sourceIP,
    evidenceKey: h.evidence_key,
    evidenceSha256: h.evidence_sha256,
  }))
  const rules = r.rules.map((x) => ({id: x.id, title: x.title, level: x.level, author: x.author, path: x.path, hits: x.hits, error: x.error ?? null}))
  const total = rules.reduce((n, x) => n + x.hits, 0)
  return {
    caseId: r.caseId,
    db: r.db,
    rulesRun: r.rulesRun,
    scanError: r.scanError,
    hits,
    rules,
    unsupported: r.unsupported,
    skipped: r.skipped,
    ruleSources: r.ruleSources,
    invalid: r.invalid.map(fileIssueJson),
    total,
    truncated: hits.length < total,
  }
}
