import {Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../cli/base-command.js'
import {caseFlag, reloadFlag} from '../cli/case-flag.js'
import {resultOutputFlags, secretsFlag, storeFlag} from '../cli/flags.js'
import {reportResult} from '../cli/results/analysis.js'
import {cellText} from '../cli/table.js'
import {ExitCode} from '../core/errors.js'
import {resolveDbPath} from '../analysis/case-db.js'
import {assertCaseId} from '../evidence/keys.js'
import {REPORT_FORMATS} from '../reports/write.js'
import {reportStep} from '../steps/report/report.js'

type Result = z.output<typeof reportResult>

export default class Report extends CoronerCommand<Result> {
  static override summary = 'Write the report of a case: Markdown, self-contained HTML with a timeline chart, PDF or JSON'
  static override description =
    "One report model built from the case database and the evidence: summary, key times (first and last suspicious event, collection, containment, time to contain), findings ranked by severity with their rules or queries and evidence objects (SHA-256, S3 VersionId), affected functions with their code hash per version and what changed, containment before → after, the timeline (attacker-relevant events first), indicators, gaps in collection and what they mean, the checks that ran with their authors, the custody journal, and the manifest chain as verified now. Everything from logs and API fields is escaped; Lambda environment values are redacted unless --show-secrets. The HTML opens offline and makes no request; the PDF is printed by headless Chromium. Runs `findings` first when the case has none."
  static override flags = {
    case: caseFlag,
    format: Flags.string({char: 'f', description: 'md, html, pdf or json (docs/json/report.schema.json)', options: [...REPORT_FORMATS], default: 'html'}),
    out: Flags.string({char: 'o', description: 'The file to write (default ./coroner-analysis/<case>/report.<format>)'}),
    db: Flags.string({description: 'The case database (default ./coroner-analysis/<case>/case.duckdb, built from the evidence when missing)'}),
    reload: reloadFlag,
    browser: Flags.string({description: 'Chromium for --format pdf (default $CORONER_CHROMIUM, else /usr/bin/chromium)'}),
    'timeline-rows': Flags.integer({description: 'Timeline rows the HTML and Markdown reports hold (JSON holds every row)', default: 2000, min: 1, max: 100_000}),
    ...storeFlag,
    ...resultOutputFlags,
    ...secretsFlag,
  }
  static override resultSchema = reportResult
  static override exitCodes = {[ExitCode.findings]: 'the evidence did not verify when the report was made (its last section says what)'}
  static override examples = [
    '<%= config.bin %> report --case INC-2026-0042',
    '<%= config.bin %> report --case INC-2026-0042 --format pdf --out INC-2026-0042.pdf',
    '<%= config.bin %> report --case INC-2026-0042 --format json --json | jq .result.path',
  ]

  protected async execute(): Promise<Outcome<Result>> {
    const {flags} = await this.parse(Report)
    const caseId = assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const {result: r} = await this.runStep(env, reportStep, {
      format: flags.format,
      db: resolveDbPath(flags),
      reload: flags.reload,
      timelineRows: flags['timeline-rows'],
      ...(flags.out === undefined ? {} : {out: flags.out}),
      ...(flags.browser === undefined ? {} : {browser: flags.browser}),
    })
    const result: Result = {caseId: r.caseId, path: r.path, format: r.format, bytes: r.bytes, sha256: r.sha256, findingCount: r.findings, verified: r.verified, findingsComputed: r.findingsComputed, limits: r.limits}
    const warnings = r.verified ? [] : ['the evidence did not verify: see the last section of the report']
    return {result, warnings, ...(r.verified ? {} : {exitCode: ExitCode.findings})}
  }

  protected render(r: Result): void {
    for (const l of r.limits) this.log(`Note: ${cellText(l)}`)
    this.log(`Case ${r.caseId}: ${r.findingCount} finding(s), evidence ${r.verified ? 'verified' : 'NOT verified'}.`)
    this.log(`Report ${cellText(r.path)}\nReport SHA-256 ${r.sha256}`)
  }
}
