import {Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {awsFlags, rowOutputFlags} from '../../cli/flags.js'
import type {ListView} from '../../cli/output.js'
import {whole} from '../../cli/results/common.js'
import {evidenceInitResult} from '../../cli/results/evidence.js'
import {cellText} from '../../cli/table.js'
import {ExitCode, usageError} from '../../core/errors.js'
import {initEvidenceBucket} from '../../evidence/stores/s3/bucket.js'

type Result = z.output<typeof evidenceInitResult>

export default class EvidenceInit extends CoronerCommand<Result> {
  static override summary = 'Create an S3 bucket fit for evidence, or check an existing one'
  static override description =
    'A new bucket is created with Object Lock and a default retention, versioning, Block Public Access (all four settings), default encryption (SSE-KMS with --kms-key, else SSE-S3) and a bucket policy that denies non-TLS access, deletes and changes to the lock (through a plain-HTTP --endpoint-url the non-TLS deny would lock the bucket: refused unless --allow-plain-http, which leaves it out). For an existing bucket every setting is checked and each shortfall is reported with its fix; nothing is changed unless --apply. Exits 3 when a setting is still not as evidence needs.'
  static override flags = {
    bucket: Flags.string({description: 'Bucket name', required: true}),
    mode: Flags.string({description: 'Object Lock mode of the default retention', options: ['COMPLIANCE', 'GOVERNANCE'], default: 'GOVERNANCE'}),
    days: Flags.integer({description: 'Days of default retention', default: 365, min: 1}),
    'kms-key': Flags.string({description: 'KMS key (id, alias or ARN) for default SSE-KMS encryption; SSE-S3 when omitted'}),
    apply: Flags.boolean({description: 'Change an existing bucket to fix what the checks report', default: false}),
    'allow-plain-http': Flags.boolean({description: 'For a plain-HTTP --endpoint-url (an emulator, an appliance): leave out the policy statement denying non-TLS access, which would refuse every request to the bucket (said in the report)', default: false}),
    ...awsFlags,
    ...rowOutputFlags,
  }
  static override resultSchema = evidenceInitResult
  static override exitCodes = {[ExitCode.findings]: 'a setting of the bucket is still not as evidence needs'}
  static override examples = [
    '<%= config.bin %> evidence init --bucket acme-ir-evidence --mode COMPLIANCE --days 2555 --kms-key arn:aws:kms:eu-west-1:111122223333:key/…',
    '<%= config.bin %> evidence init --bucket existing-bucket --json',
    '<%= config.bin %> evidence init --bucket existing-bucket --apply',
  ]

  protected async execute(): Promise<Outcome<Result>> {
    const {flags} = await this.parse(EvidenceInit)
    const endpoint = flags['endpoint-url']
    const plainHttp = endpoint !== undefined && /^http:\/\//i.test(endpoint)
    if (plainHttp && !flags['allow-plain-http']) {
      throw usageError('plain-http-endpoint', `--endpoint-url ${endpoint} is plain HTTP: the evidence bucket policy's statement denying non-TLS access (aws:SecureTransport false) would refuse every request made to the bucket through it.`, 'Use an https:// endpoint, or pass --allow-plain-http to leave that statement out (the report says so).')
    }
    if (flags['allow-plain-http'] && !plainHttp) throw usageError('plain-http-endpoint', '--allow-plain-http is for a plain-HTTP --endpoint-url only: AWS itself is reached over TLS.', 'Drop --allow-plain-http.')
    const ctx = await this.context(flags)
    const report = await initEvidenceBucket(
      ctx.aws,
      {bucket: flags.bucket, mode: flags.mode === 'COMPLIANCE' ? 'COMPLIANCE' : 'GOVERNANCE', days: flags.days, ...(flags['kms-key'] === undefined ? {} : {kmsKey: flags['kms-key']}), ...(plainHttp ? {allowPlainHttp: true} : {})},
      flags.apply,
    )
    const checks = report.checks.map((c) => ({setting: c.setting, ok: c.ok, expected: c.expected, actual: c.actual, fix: c.fix ?? null}))
    const result: Result = {bucket: report.bucket, created: report.created, ok: report.ok, applied: report.applied, checks, notes: report.notes, allowPlainHttp: report.allowPlainHttp, ...whole(checks)}
    return {result, ...(report.ok ? {} : {exitCode: ExitCode.findings})}
  }

  protected override list(r: Result): ListView {
    return {
      name: 'checks',
      rows: r.checks,
      columns: [
        {key: 'setting', priority: 1},
        {key: 'ok', priority: 1, value: (c: Result['checks'][number]) => (c.ok ? 'ok' : 'NOT OK')},
        {key: 'actual', priority: 2},
        {key: 'expected', priority: 3},
      ],
    }
  }

  protected render(r: Result): void {
    this.table(r.checks, this.list(r).columns)
    const fixes = r.checks.filter((c) => !c.ok)
    if (fixes.length > 0) this.log(`\nTo fix:\n${fixes.map((c) => `  ${c.setting}: ${cellText(c.fix ?? '')}`).join('\n')}`)
    for (const n of r.notes) this.log(`\n${cellText(n)}`)
    if (r.applied.length > 0) this.log(`\nChanged: ${r.applied.join(', ')}`)
    this.log(r.ok ? `\nBucket ${r.bucket} is fit for evidence: use --store s3://${r.bucket}/` : `\nBucket ${r.bucket} is not fit for evidence yet: see the fixes above.`)
  }
}
