import {Flags} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {renderTable, terminalSafe, terminalSafeLine} from '../../cli/table.js'
import {assertCaseId} from '../../evidence/keys.js'
import {codeDiffStep, type CodeDiffResult} from '../../steps/analyse/code-diff.js'

export default class CodeDiff extends CoronerCommand<CodeDiffResult> {
  static override summary = 'What changed in a function\'s code between two versions, and what the newer one reaches for'
  static override description =
    'First the indicators only the newer version has (URLs, IPs, process execution, sockets, credential variables, /proc/self/environ, decoded code run, blobs), then the files added, removed and changed by SHA-256, then unified diffs of changed and added text files, read from both packages after re-checking their SHA-256 against the manifests. Environment values of the function are shown as [redacted] unless --show-secrets.'
  static override flags = {
    case: caseFlag,
    function: Flags.string({char: 'f', description: 'Function name, or ARN', required: true}),
    from: Flags.string({description: 'The older version', required: true}),
    to: Flags.string({description: 'The newer version', required: true}),
    context: Flags.integer({description: 'Lines of context in the unified diffs', default: 3}),
    'no-patches': Flags.boolean({description: 'Names and hashes only: do not read the packages for unified diffs'}),
    db: Flags.string({description: 'Case database file. Default: ./coroner-analysis/<case>/case.duckdb'}),
  }
  static override examples = ['<%= config.bin %> code diff --case INC-2026-0042 --function payments-api --from 6 --to 7']

  protected async execute(): Promise<Outcome<CodeDiffResult>> {
    const {flags} = await this.parse(CodeDiff)
    const env = await this.context(flags, assertCaseId(flags.case))
    const {result} = await this.runStep(env, codeDiffStep, {function: flags.function, from: flags.from, to: flags.to, context: flags.context, patches: !flags['no-patches'], db: flags.db})
    return {result, warnings: result.warnings}
  }

  protected render(r: CodeDiffResult): void {
    const f = r.files
    this.log(`${terminalSafe(r.functionName)}: version ${terminalSafe(r.from.version)} → ${terminalSafe(r.to.version)}`)
    this.log(`  from ${r.from.artifactKey} (SHA-256 ${r.from.artifactSha256})\n  to   ${r.to.artifactKey} (SHA-256 ${r.to.artifactSha256})`)
    this.log(`\nNew indicators in version ${terminalSafe(r.to.version)} (${r.newIndicators.length}):`)
    this.log(renderTable(r.newIndicators.map((i) => ({where: `${i.path}:${i.line}:${i.col}`, kind: i.kind, value: i.value, detail: i.detail})), ['where', 'kind', 'value', 'detail']))
    this.log(`\nFiles: ${f.added.length} added, ${f.removed.length} removed, ${f.changed.length} changed, ${r.unchanged} unchanged`)
    const rows = [...f.added, ...f.removed, ...f.changed].map((c) => ({change: c.change, path: c.path, old_sha256: c.oldSha256, new_sha256: c.newSha256, old_size: c.oldSize, new_size: c.newSize}))
    if (rows.length > 0) this.log(renderTable(rows, ['change', 'path', 'old_size', 'new_size', 'old_sha256', 'new_sha256']))
    for (const p of r.patches) {
      this.log('')
      if (p.patch === null) this.log(`${p.change} ${terminalSafe(p.path)}: ${p.note}`)
      else this.log(p.patch.replace(/\n$/, '').split('\n').map(terminalSafeLine).join('\n'))
    }
  }
}
