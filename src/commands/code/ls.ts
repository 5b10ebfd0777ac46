import {Flags} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {renderTable} from '../../cli/table.js'
import {assertCaseId} from '../../evidence/keys.js'
import {codeLsStep, type CodeLsResult} from '../../steps/analyse/code-ls.js'

export default class CodeLs extends CoronerCommand<CodeLsResult> {
  static override summary = 'List the collected code versions of a function, or the files of one version'
  static override description =
    'Without --version: each collected version with its package status, entry, indicator and anomaly counts and its evidence object. With --version: every entry of that version\'s package as the archive records it (path, type, size, mode, modification time, SHA-256, text or binary, language, indicators) and what is wrong with the archive. Reads the case database (built first when missing); `coroner load` reads the packages.'
  static override flags = {
    case: caseFlag,
    function: Flags.string({char: 'f', description: 'Function name, or ARN', required: true}),
    version: Flags.string({char: 'v', description: 'A version ($LATEST, 1, 2, …)'}),
    db: Flags.string({description: 'Case database file. Default: ./coroner-analysis/<case>/case.duckdb'}),
  }
  static override examples = [
    '<%= config.bin %> code ls --case INC-2026-0042 --function payments-api',
    "<%= config.bin %> code ls --case INC-2026-0042 --function payments-api --version 7",
  ]

  protected async execute(): Promise<Outcome<CodeLsResult>> {
    const {flags} = await this.parse(CodeLs)
    const env = await this.context(flags, assertCaseId(flags.case))
    const {result} = await this.runStep(env, codeLsStep, {function: flags.function, version: flags.version, db: flags.db})
    return {result, warnings: result.warnings}
  }

  protected render(r: CodeLsResult): void {
    if (r.version === null) {
      this.log(renderTable(r.packages, ['version', 'previous_version', 'status', 'entries', 'indicators', 'anomalies', 'verified', 'evidence_key', 'evidence_sha256']))
      return
    }
    this.log(renderTable(r.files, ['path', 'type', 'size', 'mode', 'modified', 'sha256', 'content', 'language', 'indicators', 'note']))
    const p = r.packages[0]
    this.log(`\n${r.files.length} entries of version ${r.version}${p ? ` (${String(p.evidence_key)}, SHA-256 ${String(p.evidence_sha256)})` : ''}`)
    if (r.anomalies.length > 0) this.log(`\nArchive anomalies:\n${renderTable(r.anomalies, ['anomaly', 'path', 'entry_index', 'detail'])}`)
  }
}
