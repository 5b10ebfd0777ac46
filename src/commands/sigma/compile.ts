import {readFile} from 'node:fs/promises'
import {Args} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {resultOutputFlags} from '../../cli/flags.js'
import {sigmaCompileResult} from '../../cli/results/analysis.js'
import {terminalSafe} from '../../cli/table.js'
import {CoronerError, ExitCode} from '../../core/errors.js'
import {tryCompileRule} from '../../analysis/sigma/compile.js'
import {EVENTS_TABLE} from '../../analysis/sigma/hunt.js'
import {formatIssue} from '../../analysis/issue.js'
import {parseSigmaRule} from '../../analysis/sigma/parse.js'
import type {SqlParam} from '../../analysis/sigma/rule.js'

type CompileResult = z.output<typeof sigmaCompileResult>

export default class SigmaCompile extends CoronerCommand<CompileResult> {
  static override summary = 'Show the DuckDB SQL and bound parameters a Sigma rule compiles to'
  static override description = 'Parses one Sigma rule for AWS CloudTrail and prints the SQL expression over cloudtrail_events.raw with its parameters. Exits 4 when the rule is invalid or uses something coroner cannot run, naming it.'
  static override aliases = ['hunt:compile']
  static override args = {rule: Args.string({description: 'The Sigma rule file (.yml)', required: true})}
  static override flags = {...resultOutputFlags}
  static override resultSchema = sigmaCompileResult
  static override exitCodes = {[ExitCode.invalidInput]: 'the rule is invalid or uses something coroner cannot run (named)'}
  static override examples = ['<%= config.bin %> sigma compile queries/sigma/coroner/lambda_function_url_auth_none.yml']

  protected async execute(): Promise<Outcome<CompileResult>> {
    const {args} = await this.parse(SigmaCompile)
    const text = await readFile(args.rule, 'utf8')
    const {rule, issues} = parseSigmaRule(text, args.rule)
    if (rule === undefined) {
      throw new CoronerError('invalid-rule', `${args.rule} is not a valid Sigma rule:\n${issues.map(formatIssue).join('\n')}`, {hint: 'Fix the rule at the positions shown.'})
    }
    const result = tryCompileRule(rule)
    if ('unsupported' in result) {
      const u = result.unsupported
      throw new CoronerError(u.code, `${u.path}:${u.line}:${u.col} ${u.message} (${u.construct})`, {hint: 'See docs/sigma.md for what coroner supports.'})
    }
    const c = result.compiled
    return {
      result: {
        path: args.rule,
        title: rule.title,
        id: rule.id ?? null,
        level: rule.level ?? null,
        author: rule.author ?? null,
        sql: c.sql,
        query: `SELECT event_id, event_time, artifact_key, artifact_sha256, raw FROM ${EVENTS_TABLE} WHERE ${c.sql}`,
        params: c.params,
      },
    }
  }

  protected render(r: CompileResult): void {
    this.log(`-- ${terminalSafe(r.title)} (${terminalSafe(r.id ?? 'no id')}, ${r.level ?? 'no level'}) by ${terminalSafe(r.author ?? 'unknown author')}`)
    this.log(terminalSafe(r.query))
    this.log('-- parameters, in order:')
    r.params.forEach((p, i) => this.log(`--   ${i + 1}: ${terminalSafe(JSON.stringify(p))}`))
  }
}
