import {Args, Flags} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import type {SealedRun} from '../../steps/runner.js'
import {storeWriteFlags} from '../../cli/store-flags.js'
import {cellText} from '../../cli/table.js'
import {CoronerError, ExitCode} from '../../core/errors.js'
import {parseTimeSpec} from '../../core/time.js'
import {assertCaseId} from '../../evidence/keys.js'
import type {ValidationReport} from '../../collectors/cloudtrail-digest.js'
import {cloudtrailDigestStep} from '../../steps/collect/cloudtrail-digest.js'

interface ValidateResult {
  report: ValidationReport
  runId?: string
  manifestKey?: string
  /** The run the validation was stored in, when a case was given. */
  run?: SealedRun
}

export default class ValidateCloudTrail extends CoronerCommand<ValidateResult> {
  static override summary = 'Validate CloudTrail log file integrity from digest files, like aws cloudtrail validate-logs, in S3 or a local copy'
  static override description =
    'Checks each digest\'s signature (SHA256withRSA, keys from ListPublicKeys or --public-key), each listed log file\'s SHA-256, and the chain of digests. For a local copy, signatures come from <digest>.json.gz.signature sidecar files or --signatures. Exits 3 when anything is missing, altered, unsigned or out of chain, and when there is no digest at all (status unvalidated: nothing was checked).'
  static override args = {location: Args.string({description: 'A folder holding AWSLogs/, or s3://bucket/prefix', required: true})}
  static override flags = {
    ...storeWriteFlags,
    case: Flags.string({char: 'c', description: 'Store the digests and the validation report in this case'}),
    since: Flags.string({description: 'Validate digests from this time (ISO 8601 or an age such as 7d). Default: all.'}),
    until: Flags.string({description: 'Validate digests up to this time. Default: now.'}),
    account: Flags.string({description: 'Account(s) to validate; repeat for several.', multiple: true}),
    region: Flags.string({description: 'Region(s) to validate; repeat for several.', multiple: true}),
    'public-key': Flags.string({description: 'CloudTrail public key file(s) (PEM or DER) instead of ListPublicKeys.', multiple: true}),
    signatures: Flags.string({description: 'JSON file mapping digest files to their hex signatures.'}),
  }
  static override examples = [
    '<%= config.bin %> validate cloudtrail s3://org-trail-logs --since 7d --region eu-west-1',
    '<%= config.bin %> validate cloudtrail ./copied-trail --public-key cloudtrail-eu-west-1.pem --case INC-2026-0042',
  ]

  protected async execute(): Promise<Outcome<ValidateResult>> {
    const {args, flags} = await this.parse(ValidateCloudTrail)
    const caseId = flags.case === undefined ? undefined : assertCaseId(flags.case)
    const env = await this.context({...flags, region: flags.region?.[0]}, caseId)
    const now = env.clock.now()
    const window = flags.since === undefined ? {} : {since: parseTimeSpec(flags.since, now, '--since').toISOString(), until: (flags.until === undefined ? now : parseTimeSpec(flags.until, now, '--until')).toISOString()}
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
    const result: ValidateResult = {report: validated.report, ...(caseId === undefined ? {} : {runId: run.runId, manifestKey: run.manifestKey, run})}
    // Gaps of a scratch run are in no journal: they are said here.
    const warnings = caseId === undefined ? run.gaps.map((g) => `${g.resource}: ${g.reason}`) : run.warnings
    if (result.report.findings.length > 0) return {result, exitCode: ExitCode.findings, warnings: [...warnings, `${result.report.findings.length} finding(s)`]}
    // Nothing checked is no clean bill: exit 3, as for a finding, so a script cannot take it for one.
    if (result.report.status === 'unvalidated') return {result, exitCode: ExitCode.findings, warnings: [...warnings, `cloudtrail unvalidated: ${result.report.unvalidatedReason}`]}
    return {result, ...(warnings.length === 0 ? {} : {warnings})}
  }

  protected render(r: ValidateResult): void {
    const s = r.report.summary
    this.log(`Digests: ${s.validDigests}/${s.digests} valid; log files: ${s.okLogFiles}/${s.logFiles} intact.`)
    if (r.report.findings.length > 0) for (const f of r.report.findings) this.log(`${f.type.padEnd(15)} ${cellText(f.key)}\n${' '.repeat(16)}${cellText(f.message)}`)
    else if (r.report.status === 'unvalidated') this.log(`UNVALIDATED: ${cellText(r.report.unvalidatedReason ?? 'no digest was checked')}.`)
    else this.log('OK: every digest verifies and every listed log file matches its hash.')
    if (r.run) this.logRunFooter(r.run, 'digest validation stored')
  }
}
