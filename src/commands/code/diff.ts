import {Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {awsFlags, resultOutputFlags, secretsFlag, storeFlag} from '../../cli/flags.js'
import {codeDiffResult} from '../../cli/results/code.js'
import {cellText, terminalSafeLine} from '../../cli/table.js'
import {assertCaseId} from '../../evidence/keys.js'
import {codeDiffStep} from '../../steps/analyse/code-diff.js'

type Result = z.output<typeof codeDiffResult>

export default class CodeDiff extends CoronerCommand<Result> {
  static override summary = 'What changed in a function\'s code between two versions, and what the newer one reaches for'
  static override description =
    'First the indicators only the newer version has (URLs, IPs, process execution, sockets, credential variables, /proc/self/environ, decoded code run, blobs), then the files added, removed and changed by SHA-256, then unified diffs of changed and added text files, read from both packages after re-checking their SHA-256 against the manifests. Environment values (the function\'s and every known secret of the case) are shown as [redacted:NAME] unless --show-secrets.'
  static override flags = {
    case: caseFlag,
    function: Flags.string({char: 'f', description: 'Function name, or ARN', required: true}),
    from: Flags.string({description: 'The older version', required: true}),
    to: Flags.string({description: 'The newer version', required: true}),
    context: Flags.integer({description: 'Lines of context in the unified diffs', default: 3}),
    'no-patches': Flags.boolean({description: 'Names and hashes only: do not read the packages for unified diffs'}),
    db: Flags.string({description: 'Case database file. Default: ./coroner-analysis/<case>/case.duckdb'}),
    ...storeFlag,
    // The code is read from the evidence store, which may be an S3 bucket.
    ...awsFlags,
    ...resultOutputFlags,
    ...secretsFlag,
  }
  static override resultSchema = codeDiffResult
  static override examples = ['<%= config.bin %> code diff --case INC-2026-0042 --function payments-api --from 6 --to 7']

  protected async execute(): Promise<Outcome<Result>> {
    const {flags} = await this.parse(CodeDiff)
    const env = await this.context(flags, assertCaseId(flags.case))
    const {result: r} = await this.runStep(env, codeDiffStep, {function: flags.function, from: flags.from, to: flags.to, context: flags.context, patches: !flags['no-patches'], db: flags.db})
    const {warnings, newIndicators, ...rest} = r
    return {result: {...rest, newIndicators: newIndicators.map(({col, ...i}) => ({...i, column: col}))}, warnings}
  }

  protected render(r: Result): void {
    const f = r.files
    this.log(`${cellText(r.functionName)}: version ${cellText(r.from.version)} → ${cellText(r.to.version)}`)
    this.log(`  from ${cellText(r.from.artifactKey)} (SHA-256 ${r.from.artifactSha256})\n  to   ${cellText(r.to.artifactKey)} (SHA-256 ${r.to.artifactSha256})`)
    this.log(`\nNew indicators in version ${cellText(r.to.version)} (${r.newIndicators.length}):`)
    this.table(r.newIndicators.map((i) => ({where: `${i.path}:${i.line}:${i.column}`, kind: i.kind, value: i.value, detail: i.detail})), [{key: 'where', kind: 'key', priority: 1}, {key: 'kind', priority: 1}, {key: 'value', priority: 2}, {key: 'detail', priority: 3}])
    this.log(`\nFiles: ${f.added.length} added, ${f.removed.length} removed, ${f.changed.length} changed, ${r.unchanged} unchanged`)
    const rows = [...f.added, ...f.removed, ...f.changed]
    if (rows.length > 0) {
      this.table(rows, [
        {key: 'change', priority: 1},
        {key: 'path', kind: 'key', priority: 1},
        {key: 'oldSize', header: 'old size', kind: 'number', priority: 3},
        {key: 'newSize', header: 'new size', kind: 'number', priority: 3},
        {key: 'oldSha256', header: 'old sha256', kind: 'hash', priority: 2},
        {key: 'newSha256', header: 'new sha256', kind: 'hash', priority: 2},
      ])
    }
    for (const p of r.patches) {
      this.log('')
      if (p.patch === null) this.log(`${p.change} ${cellText(p.path)}: ${cellText(p.note ?? '')}`)
      else this.log(p.patch.replace(/\n$/, '').split('\n').map(terminalSafeLine).join('\n'))
    }
  }
}
