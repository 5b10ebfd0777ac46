import {Args, Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {awsFlags, resultOutputFlags, storeFlag} from '../../cli/flags.js'
import {validateCloudTrailResult} from '../../cli/results/collect.js'
import {storeWriteFlags} from '../../cli/store-flags.js'
import {cellText} from '../../cli/table.js'
import {CoronerError, ExitCode} from '../../core/errors.js'
import {timeFlagIso} from '../../core/time.js'
import {assertCaseId} from '../../evidence/keys.js'
import type {ValidationReport} from '../../collectors/cloudtrail-digest.js'
import {cloudtrailDigestStep} from '../../steps/collect/cloudtrail-digest.js'

type Result = z.output<typeof validateCloudTrailResult>

export default class ValidateCloudTrail extends CoronerCommand<Result> {
  static override summary = 'Validate CloudTrail log file integrity from digest files, like aws cloudtrail validate-logs, in S3 or a local copy'
  static override description =
    'Checks each digest\'s signature (SHA256withRSA, keys from ListPublicKeys or --public-key), each listed log file\'s SHA-256, and the chain of digests. For a local copy, signatures come from <digest>.json.gz.signature sidecar files or --signatures. Exits 3 when anything is missing, altered, unsigned or out of chain, and when there is no digest at all (status unvalidated: nothing was checked).'
  static override args = {location: Args.string({description: 'A folder holding AWSLogs/, or s3://bucket/prefix', required: true})}
  static override flags = {
    case: Flags.string({char: 'c', description: 'Store the digests and the validation report in this case'}),
    since: Flags.string({description: 'Validate digests from this time: ISO 8601, a duration before now (7d), or now. Default: all.'}),
    until: Flags.string({description: 'Validate digests up to this time (same syntax). Default: now.'}),
    account: Flags.string({description: 'Account(s) to validate; repeat for several.', multiple: true}),
    'public-key': Flags.string({description: 'CloudTrail public key file(s) (PEM or DER) instead of ListPublicKeys.', multiple: true}),
    signatures: Flags.string({description: 'JSON file mapping digest files to their hex signatures.'}),
    ...storeFlag,
    ...storeWriteFlags,
    ...awsFlags,
    region: Flags.string({description: 'Region(s) to validate; repeat for several.', multiple: true, helpGroup: 'AWS'}),
    ...resultOutputFlags,
  }
  static override resultSchema = validateCloudTrailResult
  static override exitCodes = {[ExitCode.findings]: 'a digest or log file is missing, altered, unsigned or out of chain, or there is no digest at all (unvalidated: nothing was checked)', [ExitCode.partial]: 'with --case, some files could not be read (see the gaps)'}
  static override examples = [
    '<%= config.bin %> validate cloudtrail s3://org-trail-logs --since 7d --region eu-west-1',
    '<%= config.bin %> validate cloudtrail ./copied-trail --public-key cloudtrail-eu-west-1.pem --case INC-2026-0042',
  ]

  protected async execute(): Promise<Outcome<Result>> {
    const {args, flags} = await this.parse(ValidateCloudTrail)
    const caseId = flags.case === undefined ? undefined : assertCaseId(flags.case)
    const env = await this.context({...flags, region: flags.region?.[0]}, caseId)
    const now = env.clock.now()
    const since = timeFlagIso(flags.since, now, 'since')
    const window = since === undefined ? {} : {since, until: timeFlagIso(flags.until, now, 'until') ?? now.toISOString()}
    const params = {
      location: args.location,
      ...window,
      accounts: flags.account ?? [],
      regions: flags.region ?? [],
      publicKeys: flags['public-key'] ?? [],
      ...(flags.signatures === undefined ? {} : {signatures: flags.signatures}),
      // Without a case nothing is stored: the run is a scratch one, kept in memory.
      storeDigests: caseId !== undefined,
    }
    const {result: validated, run} = await this.runStep(env, cloudtrailDigestStep, params, {scratch: caseId === undefined})
    if ('skipped' in validated) throw new CoronerError('internal', `validation did not run: ${validated.skipped}`)
    const result: Result = {run: caseId === undefined ? null : this.runJson(run), ...reportJson(validated.report)}
    const findings = result.findings.length
    // Nothing checked is no clean bill: exit 3, as for a finding, so a script cannot take it for one.
    const extra =
      findings > 0
        ? {exitCode: ExitCode.findings, warnings: [`${findings} finding(s)`]}
        : result.status === 'unvalidated'
          ? {exitCode: ExitCode.findings, warnings: [`cloudtrail unvalidated: ${result.unvalidatedReason}`]}
          : {}
    // Gaps of a scratch run are in no journal: they are said here.
    if (caseId === undefined) {
      const warnings = [...run.gaps.map((g) => `${g.resource}: ${g.reason}`), ...(extra.warnings ?? [])]
      return {result, ...(warnings.length === 0 ? {} : {warnings}), ...(extra.exitCode === undefined ? {} : {exitCode: extra.exitCode})}
    }
    return this.sealedOutcome(run, result, extra)
  }

  protected render(r: Result): void {
    const s = r.summary
    this.log(`Digests: ${s.validDigests}/${s.digests} valid; log files: ${s.okLogFiles}/${s.logFiles} intact.`)
    if (r.findings.length > 0) for (const f of r.findings) this.log(`${f.type.padEnd(15)} ${cellText(f.key)}\n${' '.repeat(16)}${cellText(f.message)}`)
    else if (r.status === 'unvalidated') this.log(`UNVALIDATED: ${cellText(r.unvalidatedReason ?? 'no digest was checked')}.`)
    else this.log('OK: every digest verifies and every listed log file matches its hash.')
    if (r.run) this.logRunFooter(r.run, 'digest validation stored')
  }
}

function reportJson(report: ValidationReport): Omit<Result, 'run'> {
  return {
    source: report.source,
    window: report.window,
    publicKeys: report.publicKeys,
    digests: report.digests.map((d) => ({
      key: d.key,
      account: d.account,
      region: d.region,
      digestStartTime: d.digestStartTime ?? null,
      digestEndTime: d.digestEndTime ?? null,
      status: d.status,
      reason: d.reason ?? null,
      signatureSource: d.signatureSource ?? null,
      logFiles: d.logFiles,
    })),
    logFiles: report.logFiles.map((f) => ({key: f.key, digest: f.digest, status: f.status, expectedSha256: f.expectedSha256 ?? null, actualSha256: f.actualSha256 ?? null})),
    findings: report.findings,
    summary: report.summary,
    status: report.status,
    unvalidatedReason: report.unvalidatedReason ?? null,
  }
}
