import {Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../cli/base-command.js'
import {awsFlags, rowOutputFlags, storeFlag} from '../cli/flags.js'
import type {ListView} from '../cli/output.js'
import {READINESS_CSV_COLUMNS, readinessChecksJson, renderReadiness} from '../cli/render-readiness.js'
import {whole} from '../cli/results/common.js'
import {readinessResult} from '../cli/results/readiness.js'
import {storeWriteFlags} from '../cli/store-flags.js'
import {ExitCode} from '../core/errors.js'
import {assertCaseId} from '../evidence/keys.js'
import {readinessStep} from '../steps/collect/readiness.js'

type Result = z.output<typeof readinessResult>

export default class Readiness extends CoronerCommand<Result> {
  static override summary = 'Audit forensic readiness and serverless posture, read-only: will the evidence exist when it is needed?'
  static override description =
    'Checks CloudTrail (a multi-region trail logging, management and data events, validation, KMS, CloudWatch Logs, its bucket, an organization trail), each function\'s log group and retention, GuardDuty with Lambda Protection, AWS Config, the evidence bucket, and each function (execution role, resource policy, URL, secrets in environment variables, runtime, code signing, layers). Every check has a stable id (Prowler\'s where Prowler has the same check), a severity, a status (pass, fail, or unknown with the reason) and a fix. Read-only. With --case the result is preserved as evidence (artifact kind readiness.checks). Environment variable values are never shown or stored: a secret is named with its length and why it looks secret. See docs/readiness.md.'
  static override flags = {
    function: Flags.string({char: 'f', description: 'Function name or ARN to audit (repeatable). Default: every function of the regions.', multiple: true}),
    case: Flags.string({char: 'c', description: 'Preserve the result as evidence in this case, e.g. INC-2026-0042'}),
    'retention-days': Flags.integer({description: "Days a function's log group and the evidence bucket must keep what they hold", default: 365, min: 1, max: 3653}),
    'runtime-warning-days': Flags.integer({description: 'Fail coroner-lambda-runtime-deprecation-soon for runtimes deprecated within this many days', default: 180, min: 0}),
    'evidence-bucket': Flags.string({description: "Evidence bucket to check. Default: the S3 store's bucket."}),
    ...storeFlag,
    ...storeWriteFlags,
    ...awsFlags,
    region: Flags.string({description: 'Region(s) to audit; repeat for several. Default: the configured region.', multiple: true, helpGroup: 'AWS'}),
    ...rowOutputFlags,
  }
  static override resultSchema = readinessResult
  static override exitCodes = {[ExitCode.findings]: 'a check of high or critical severity failed', [ExitCode.partial]: 'some check could not be answered (an AWS read failed)'}
  static override examples = [
    '<%= config.bin %> readiness --region eu-west-1 --region us-east-1',
    '<%= config.bin %> readiness --function payments-api --region eu-west-1 --case INC-2026-0042',
    '<%= config.bin %> readiness --retention-days 400 --csv > readiness.csv',
  ]

  protected async execute(): Promise<Outcome<Result>> {
    const {flags} = await this.parse(Readiness)
    const caseId = flags.case === undefined ? undefined : assertCaseId(flags.case)
    const env = await this.context({...flags, region: flags.region?.[0]}, caseId)
    const params = {
      regions: flags.region ?? [env.aws.defaultRegion],
      ...(flags.function === undefined ? {} : {functions: flags.function}),
      retentionDays: flags['retention-days'],
      runtimeWarningDays: flags['runtime-warning-days'],
      ...(flags['evidence-bucket'] === undefined ? {} : {evidenceBucket: flags['evidence-bucket']}),
    }
    const {result: r, run} = await this.runStep(env, readinessStep, params)
    const checks = readinessChecksJson(r)
    const {warnings, artifact, checks: _checks, ...report} = r
    const result: Result = {run: run ? this.runJson(run) : null, ...report, checks, artifact: artifact ?? null, ...whole(checks)}
    const exitCode = r.summary.severeFailures > 0 ? ExitCode.findings : r.summary.failedReads > 0 ? ExitCode.partial : undefined
    if (run) return this.sealedOutcome(run, result, {warnings, ...(exitCode === undefined ? {} : {exitCode})})
    return {result, ...(warnings.length === 0 ? {} : {warnings}), ...(exitCode === undefined ? {} : {exitCode})}
  }

  protected override list(r: Result): ListView {
    return {name: 'checks', rows: r.checks, columns: [], csv: READINESS_CSV_COLUMNS}
  }

  protected render(r: Result): void {
    for (const line of renderReadiness(r, this.output)) this.log(line)
    if (r.run) this.logRunFooter(r.run, `readiness of account ${r.accountId}`)
  }
}
