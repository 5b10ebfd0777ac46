import {Args, Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {awsFlags, resultOutputFlags, secretsFlag, storeFlag} from '../../cli/flags.js'
import {codeShowResult} from '../../cli/results/code.js'
import {terminalSafe, terminalSafeLine} from '../../cli/table.js'
import {assertCaseId} from '../../evidence/keys.js'
import {codeShowStep} from '../../steps/analyse/code-show.js'

type CodeShowResult = z.output<typeof codeShowResult>

export default class CodeShow extends CoronerCommand<CodeShowResult> {
  static override summary = 'Print one file of a function version, from verified evidence'
  static override description =
    'Re-hashes the version\'s package against its manifest, then reads the one entry through byte ranges (nothing is extracted or written). Text is printed with control and bidirectional characters escaped and the environment values (the function\'s and every known secret of the case) as [redacted:NAME] (unless --show-secrets), up to 4 MiB; a binary is summarised (kind, first bytes in hex, printable strings), never printed raw; a symlink shows its target, never followed.'
  static override args = {path: Args.string({description: 'The file, as `code ls` lists it', required: true})}
  static override flags = {
    case: caseFlag,
    function: Flags.string({char: 'f', description: 'Function name, or ARN', required: true}),
    version: Flags.string({char: 'v', description: 'The version ($LATEST, 1, 2, …)', required: true}),
    db: Flags.string({description: 'Case database file. Default: ./coroner-analysis/<case>/case.duckdb'}),
    ...storeFlag,
    // The code is read from the evidence store, which may be an S3 bucket.
    ...awsFlags,
    ...resultOutputFlags,
    ...secretsFlag,
  }
  static override resultSchema = codeShowResult
  static override examples = ['<%= config.bin %> code show --case INC-2026-0042 --function payments-api --version 7 index.js']

  protected async execute(): Promise<Outcome<CodeShowResult>> {
    const {args, flags} = await this.parse(CodeShow)
    const env = await this.context(flags, assertCaseId(flags.case))
    const {result} = await this.runStep(env, codeShowStep, {function: flags.function, version: flags.version, path: args.path, db: flags.db})
    const {warnings, ...shown} = result
    return {result: shown, warnings}
  }

  protected render(r: CodeShowResult): void {
    this.logToStderr(`${terminalSafe(r.path)}: version ${terminalSafe(r.version)}, ${r.size} bytes, SHA-256 ${r.sha256}, from ${r.evidenceKey} (SHA-256 ${r.evidenceSha256}, verified)`)
    if (r.linkTarget !== null) this.log(`symlink → ${terminalSafe(r.linkTarget)} (not followed)`)
    else if (r.text !== null) {
      this.log(r.text.replace(/\n$/, '').split('\n').map(terminalSafeLine).join('\n'))
      if (r.cut) this.logToStderr(`(cut: only the first 4 MiB of ${r.size} bytes are shown)`)
    } else if (r.binary !== null) {
      this.log(`binary: ${r.binary.kind}\nfirst bytes: ${r.binary.head}`)
      if (r.binary.strings.length > 0) this.log(`printable strings:\n${r.binary.strings.map((s) => `  ${terminalSafe(s)}`).join('\n')}`)
    }
  }
}
