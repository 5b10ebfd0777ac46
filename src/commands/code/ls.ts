import {Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {awsFlags, rowOutputFlags, storeFlag} from '../../cli/flags.js'
import type {ListView} from '../../cli/output.js'
import {codeLsResult} from '../../cli/results/code.js'
import type {Row} from '../../analysis/db.js'
import {cellText} from '../../cli/table.js'
import {assertCaseId} from '../../evidence/keys.js'
import {codeLsStep} from '../../steps/analyse/code-ls.js'

type Result = z.output<typeof codeLsResult>

export default class CodeLs extends CoronerCommand<Result> {
  static override summary = 'List the collected code versions of a function, or the files of one version'
  static override description =
    'Without --version: each collected version with its package status, entry, indicator and anomaly counts and its evidence object. With --version: every entry of that version\'s package as the archive records it (path, type, size, mode, modification time, SHA-256, text or binary, language, indicators) and what is wrong with the archive. Reads the case database (built first when missing); `coroner load` reads the packages. The rows --output ndjson|csv and --limit work on are the versions, or with --version the files.'
  static override flags = {
    case: caseFlag,
    function: Flags.string({char: 'f', description: 'Function name, or ARN', required: true}),
    version: Flags.string({char: 'v', description: 'A version ($LATEST, 1, 2, …)'}),
    db: Flags.string({description: 'Case database file. Default: ./coroner-analysis/<case>/case.duckdb'}),
    ...storeFlag,
    // The code is read from the evidence store, which may be an S3 bucket.
    ...awsFlags,
    ...rowOutputFlags,
  }
  static override resultSchema = codeLsResult
  static override examples = ['<%= config.bin %> code ls --case INC-2026-0042 --function payments-api', '<%= config.bin %> code ls --case INC-2026-0042 --function payments-api --version 7']

  protected async execute(): Promise<Outcome<Result>> {
    const {flags} = await this.parse(CodeLs)
    const env = await this.context(flags, assertCaseId(flags.case))
    const {result: r} = await this.runStep(env, codeLsStep, {function: flags.function, version: flags.version, db: flags.db})
    const packages = r.packages.map((p) => ({
      version: str(p.version) ?? '',
      previousVersion: str(p.previous_version),
      status: str(p.status) ?? '',
      entries: num(p.entries),
      indicators: num(p.indicators) ?? 0,
      anomalies: num(p.anomalies) ?? 0,
      verified: typeof p.verified === 'boolean' ? p.verified : null,
      evidenceKey: str(p.evidence_key) ?? '',
      evidenceSha256: str(p.evidence_sha256),
    }))
    const files = r.files.map((f) => ({
      path: str(f.path) ?? '',
      type: str(f.type) ?? '',
      size: num(f.size),
      mode: str(f.mode),
      modified: str(f.modified),
      sha256: str(f.sha256),
      content: str(f.content),
      language: str(f.language),
      indicators: num(f.indicators),
      note: str(f.note),
    }))
    const anomalies = r.anomalies.map((a) => ({anomaly: str(a.anomaly) ?? '', path: str(a.path), entryIndex: num(a.entry_index), detail: str(a.detail)}))
    const listed = r.version === null ? packages.length : files.length
    return {result: {function: r.function, version: r.version, packages, files, anomalies, total: listed, truncated: false}, warnings: r.warnings}
  }

  protected override list(r: Result): ListView {
    if (r.version === null) {
      return {
        name: 'packages',
        rows: r.packages,
        columns: [
          {key: 'version', kind: 'id', priority: 1},
          {key: 'previousVersion', header: 'previous', kind: 'id', priority: 4},
          {key: 'status', priority: 1},
          {key: 'entries', kind: 'number', priority: 3},
          {key: 'indicators', kind: 'number', priority: 2},
          {key: 'anomalies', kind: 'number', priority: 2},
          {key: 'verified', priority: 3},
          {key: 'evidenceKey', header: 'evidence', kind: 'evidence', priority: 3},
          {key: 'evidenceSha256', header: 'sha256', kind: 'hash', priority: 1},
        ],
      }
    }
    return {
      name: 'files',
      rows: r.files,
      columns: [
        {key: 'path', kind: 'key', priority: 1},
        {key: 'type', priority: 3},
        {key: 'size', kind: 'number', priority: 2},
        {key: 'mode', priority: 5},
        {key: 'modified', kind: 'time', priority: 4},
        {key: 'sha256', kind: 'hash', priority: 1},
        {key: 'content', priority: 4},
        {key: 'language', priority: 4},
        {key: 'indicators', kind: 'number', priority: 2},
        {key: 'note', priority: 3},
      ],
    }
  }

  protected render(r: Result): void {
    const view = this.list(r)
    this.table(view.rows, view.columns)
    if (r.version === null) return
    const p = r.packages[0]
    this.log(`\n${r.files.length} entries of version ${cellText(r.version)}${p ? ` (${cellText(p.evidenceKey)}, SHA-256 ${p.evidenceSha256 ?? ''})` : ''}`)
    if (r.anomalies.length > 0) {
      this.log('\nArchive anomalies:')
      this.table(r.anomalies, [{key: 'anomaly', priority: 1}, {key: 'path', kind: 'key', priority: 1}, {key: 'entryIndex', header: 'entry', kind: 'number', priority: 3}, {key: 'detail', priority: 2}])
    }
  }
}

const str = (v: Row[string] | undefined): string | null => (v === null || v === undefined ? null : String(v))
const num = (v: Row[string] | undefined): number | null => (v === null || v === undefined ? null : Number(v))
