import {Args, Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {resultOutputFlags} from '../../cli/flags.js'
import {fileIssueJson, sigmaCheckResult} from '../../cli/results/analysis.js'
import {terminalSafe} from '../../cli/table.js'
import {ExitCode} from '../../core/errors.js'
import {formatIssue} from '../../analysis/issue.js'
import {loadRules} from '../../analysis/sigma/load.js'

type CheckResult = z.output<typeof sigmaCheckResult>

export default class SigmaCheck extends CoronerCommand<CheckResult> {
  static override summary = 'Check which Sigma rules compile for a CloudTrail hunt and which cannot run, and why'
  static override description =
    'Reads every .yml/.yaml rule under the given files and directories. Prints each problem as `file:line:col  severity  code  message` with a stable code (yaml-syntax, missing-detection, invalid-condition, unknown-identifier, unsupported-aggregation, unsupported-near, unsupported-timeframe, unsupported-modifier, unsupported-placeholder, unsupported-logsource, …). Exits 4 when a rule is invalid; rules that are valid Sigma but cannot run are warnings, or errors with --strict.'
  static override strict = false
  static override args = {path: Args.string({description: 'Rule files or directories', required: true})}
  static override flags = {
    strict: Flags.boolean({description: 'Exit 4 also when a rule cannot run (unsupported)', default: false}),
    list: Flags.boolean({description: 'Also list the rules that compile', default: false}),
    ...resultOutputFlags,
  }
  static override resultSchema = sigmaCheckResult
  static override exitCodes = {[ExitCode.invalidInput]: 'a rule is invalid (or, with --strict, cannot run)'}
  static override examples = ['<%= config.bin %> sigma check ./sigma/rules/cloud/aws', '<%= config.bin %> sigma check queries/sigma --strict']

  private showList = false

  protected async execute(): Promise<Outcome<CheckResult>> {
    const {argv, flags} = await this.parse(SigmaCheck)
    this.showList = flags.list
    const set = await loadRules(argv as string[])
    const result: CheckResult = {
      files: set.files,
      compiled: set.compiled.map((c) => ({path: c.rule.path, title: c.rule.title, id: c.rule.id ?? null, level: c.rule.level ?? null, author: c.rule.author ?? null})),
      unsupported: set.unsupported.map((u) => ({path: u.path, title: u.rule?.title ?? null, code: u.code, construct: u.construct, severity: u.severity})),
      issues: set.issues.map(fileIssueJson),
    }
    const failing = set.issues.some((i) => i.severity === 'error' || flags.strict)
    return {result, ...(failing ? {exitCode: ExitCode.invalidInput} : {})}
  }

  protected render(r: CheckResult): void {
    if (this.showList && r.compiled.length > 0) this.table(r.compiled, [{key: 'path', kind: 'key', priority: 1}, {key: 'level', priority: 2}, {key: 'title', priority: 1}, {key: 'author', priority: 3}])
    for (const i of r.issues) this.log(terminalSafe(formatIssue(i)))
    const invalid = r.issues.filter((i) => i.severity === 'error').length
    this.log(`${r.files} file(s): ${r.compiled.length} compile, ${r.unsupported.filter((u) => u.severity === 'warning').length} cannot run (unsupported), ${invalid} error(s).`)
  }
}
