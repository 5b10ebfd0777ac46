import {Args} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {resultOutputFlags} from '../../cli/flags.js'
import {playbookValidateResult} from '../../cli/results/playbook.js'
import {terminalSafe} from '../../cli/table.js'
import {ExitCode} from '../../core/errors.js'
import {readPlaybookFile, shippedPlaybookFiles} from '../../playbooks/catalog.js'
import {formatIssue, hasErrors, sortIssues} from '../../playbooks/issues.js'
import {validatePlaybook} from '../../playbooks/validate.js'

type ValidateResult = z.output<typeof playbookValidateResult>

export default class PlaybookValidate extends CoronerCommand<ValidateResult> {
  static override summary = 'Check playbooks and name every problem with its line and column'
  static override description =
    'Checks each file (every shipped playbook when none is given): YAML syntax, duplicate keys, the playbook format, the steps it calls and their parameters (against each step\'s own schema), parameters, references between steps, cycles in needs, and the guards on containment. Prints one line per issue, `file:line:col  severity  code  message`; the codes are listed in docs/playbooks.md. Exits 4 when any file has an error.'
  static override strict = false
  static override args = {file: Args.string({description: 'Playbook files (default: every shipped playbook)'})}
  static override flags = {...resultOutputFlags}
  static override resultSchema = playbookValidateResult
  static override exitCodes = {[ExitCode.invalidInput]: 'a playbook has an error'}
  static override examples = ['<%= config.bin %> playbook validate', '<%= config.bin %> playbook validate ./my-playbooks/*.yaml']

  protected async execute(): Promise<Outcome<ValidateResult>> {
    const {argv} = await this.parse(PlaybookValidate)
    const files = argv.length > 0 ? (argv as string[]) : shippedPlaybookFiles()
    const results = files.map((f) => {
      const loaded = readPlaybookFile(f)
      const issues = sortIssues(validatePlaybook(loaded))
      return {file: loaded.file, valid: !hasErrors(issues), issues}
    })
    const all = results.flatMap((r) => r.issues)
    const result = {files: results, errors: all.filter((i) => i.severity === 'error').length, warnings: all.filter((i) => i.severity === 'warning').length}
    return {result, ...(result.errors > 0 ? {exitCode: ExitCode.invalidInput} : {})}
  }

  protected render(r: ValidateResult): void {
    for (const f of r.files) for (const i of f.issues) this.log(terminalSafe(formatIssue(i)))
    this.log(`${r.files.length} playbook(s): ${r.files.filter((f) => f.valid).length} valid, ${r.errors} error(s), ${r.warnings} warning(s).`)
  }
}
