import {Flags, type Interfaces} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {awsFlags, rowOutputFlags, storeFlag} from '../../cli/flags.js'
import type {ListView} from '../../cli/output.js'
import {collectCloudTrailResult} from '../../cli/results/collect.js'
import {whole} from '../../cli/results/common.js'
import {importAccountJson} from '../../cli/results/import-account.js'
import {storeWriteFlags} from '../../cli/store-flags.js'
import {cellText} from '../../cli/table.js'
import {ExitCode, usageError} from '../../core/errors.js'
import {assertCaseId} from '../../evidence/keys.js'
import {timeFlagIso} from '../../core/time.js'
import type {LookupFilter} from '../../collectors/cloudtrail-lookup.js'
import type {RunnerEnv} from '../../steps/runner.js'
import {collectCloudTrailArchive, collectCloudTrailLookup, unvalidatedWarning, type CloudTrailRunResult} from '../../steps/collect/cloudtrail.js'

type Result = z.output<typeof collectCloudTrailResult>
type Flags = Interfaces.InferredFlags<(typeof CollectCloudTrail)['flags']>

export default class CollectCloudTrail extends CoronerCommand<Result> {
  static override summary = 'Collect CloudTrail events: LookupEvents (last 90 days) or a trail\'s S3 archive / a local copy of it'
  static override description = [
    'Without --archive, management events come from LookupEvents, paged 50 at a time and paced under AWS\'s limit of 2 requests/s per account and region, each region in parallel. Events are written as they arrive in chunks (gzip NDJSON), so an interruption loses nothing; --resume continues the latest LookupEvents run of the case where it stopped.',
    'With --archive s3://bucket/prefix or a folder, the trail\'s log files (AWSLogs/[o-id/]<account>/CloudTrail/<region>/YYYY/MM/DD/) are listed only for the accounts, regions and days asked for and stored byte for byte; digest files beside them are validated (signatures, hashes, chain) unless --no-validate. A folder without AWSLogs/ is read as plain CloudTrail JSON files.',
  ].join('\n\n')
  static override flags = {
    case: caseFlag,
    since: Flags.string({description: 'Start of the window: ISO 8601, a duration before now (36h, 7d) or now. Required unless --resume.'}),
    until: Flags.string({description: 'End of the window: ISO 8601, a duration before now, or now. Default: now.'}),
    function: Flags.string({description: 'LookupEvents: events naming this Lambda function (ResourceName).', multiple: true}),
    resource: Flags.string({description: 'LookupEvents: events naming this resource (ResourceName).', multiple: true}),
    principal: Flags.string({description: 'LookupEvents: events by this user name (Username).', multiple: true}),
    'event-name': Flags.string({description: 'LookupEvents: events with this name (EventName).', multiple: true}),
    'event-source': Flags.string({description: 'LookupEvents: events from this service, e.g. lambda.amazonaws.com (EventSource).', multiple: true}),
    resume: Flags.boolean({description: 'LookupEvents: continue the latest LookupEvents run of the case from its last sealed chunk.', default: false}),
    rate: Flags.string({description: 'LookupEvents: requests per second per region.', default: '2'}),
    burst: Flags.integer({description: 'LookupEvents: requests allowed back to back.', default: 1, min: 1}),
    'chunk-events': Flags.integer({description: 'LookupEvents: events per chunk artifact.', default: 1000, min: 1}),
    archive: Flags.string({description: 'Read a trail archive: s3://bucket/prefix or a local folder.'}),
    account: Flags.string({description: 'Archive: account(s) to collect; repeat for several. Default: all.', multiple: true}),
    validate: Flags.boolean({description: 'Archive: validate digest files (default: when the archive has any).', allowNo: true}),
    'public-key': Flags.string({description: 'Archive: CloudTrail public key file(s) (PEM or DER) for offline validation instead of ListPublicKeys.', multiple: true}),
    signatures: Flags.string({description: 'Archive: JSON file mapping digest files to their signatures, for copies without S3 metadata.'}),
    concurrency: Flags.integer({description: 'Archive: files downloaded at once.', default: 16, min: 1}),
    ...storeFlag,
    ...storeWriteFlags,
    ...awsFlags,
    region: Flags.string({description: 'Region(s) to collect; repeat for several. Default: the configured region (LookupEvents), every region (archive).', multiple: true, helpGroup: 'AWS'}),
    ...rowOutputFlags,
  }
  static override resultSchema = collectCloudTrailResult
  static override exitCodes = {
    [ExitCode.findings]: 'digest validation found log files missing, altered, unsigned or out of chain',
    [ExitCode.partial]: 'some events or files could not be collected (see the gaps)',
  }
  static override examples = [
    '<%= config.bin %> collect cloudtrail --since 7d --function payments-api --region eu-west-1 --region us-east-1 --case INC-2026-0042',
    '<%= config.bin %> collect cloudtrail --resume --case INC-2026-0042',
    '<%= config.bin %> collect cloudtrail --archive s3://org-trail-logs/prefix --account 111122223333 --region eu-west-1 --since 2026-03-01 --until 2026-03-08 --case INC-2026-0042',
  ]

  protected async execute(): Promise<Outcome<Result>> {
    const {flags} = await this.parse(CollectCloudTrail)
    const caseId = assertCaseId(flags.case)
    const env = await this.context({...flags, region: flags.region?.[0]}, caseId)
    const now = env.clock.now()
    const since = timeFlagIso(flags.since, now, 'since')
    const until = timeFlagIso(flags.until, now, 'until') ?? (flags.resume ? undefined : now.toISOString())
    const collected = flags.archive === undefined ? await this.lookup(env, flags, since, until) : await this.archive(env, flags, since, until ?? now.toISOString())
    const result = this.resultOf(collected)
    const warnings = collected.validation.status === 'unvalidated' ? [unvalidatedWarning(collected.validation.reason ?? 'no digest was checked')] : []
    const findings = collected.validation.findings?.length ?? 0
    if (findings > 0) warnings.push(`digest validation: ${findings} finding(s)`)
    return this.sealedOutcome(collected.sealed, result, {...(findings > 0 ? {exitCode: ExitCode.findings} : {}), ...(warnings.length === 0 ? {} : {warnings})})
  }

  private resultOf(r: CloudTrailRunResult): Result {
    const streams = (r.lookup ?? []).map((s) => ({...s, error: s.error ?? null}))
    const archive = r.archive
      ? {
          ...r.archive,
          partitions: r.archive.partitions.map((p) => ({prefix: p.prefix, account: p.account, orgId: p.orgId ?? null})),
          plain: r.archive.plain === undefined ? null : importAccountJson(r.archive.plain),
        }
      : null
    const v = r.validation
    const validation = {status: v.status, reason: v.reason ?? null, summary: v.summary ?? null, findings: v.findings ?? []}
    return {run: this.runJson(r.sealed), streams, resumedFrom: r.resumedFrom ?? null, archive, validation, ...whole(streams)}
  }

  private lookup(env: RunnerEnv, flags: Flags, since: string | undefined, until: string | undefined): Promise<CloudTrailRunResult> {
    const rate = Number(flags.rate)
    if (!(rate > 0)) throw usageError('invalid-rate', `--rate ${flags.rate} is not a positive number.`)
    const filters: LookupFilter[] = [
      ...(flags.function ?? []).map((value) => ({key: 'ResourceName' as const, value})),
      ...(flags.resource ?? []).map((value) => ({key: 'ResourceName' as const, value})),
      ...(flags.principal ?? []).map((value) => ({key: 'Username' as const, value})),
      ...(flags['event-name'] ?? []).map((value) => ({key: 'EventName' as const, value})),
      ...(flags['event-source'] ?? []).map((value) => ({key: 'EventSource' as const, value})),
    ]
    return collectCloudTrailLookup(env, {
      ...(since === undefined ? {} : {since}),
      ...(until === undefined ? {} : {until}),
      // Resuming takes the earlier run's regions unless others are given.
      regions: flags.region ?? (flags.resume ? [] : [env.aws.defaultRegion]),
      filters,
      ratePerSecond: rate,
      burst: flags.burst,
      chunkEvents: flags['chunk-events'],
      resume: flags.resume,
    })
  }

  private archive(env: RunnerEnv, flags: Flags, since: string | undefined, until: string): Promise<CloudTrailRunResult> {
    if (since === undefined) throw usageError('missing-window', '--archive needs --since (and --until, default now).', 'e.g. --since 2026-03-01 --until 2026-03-08')
    return collectCloudTrailArchive(env, {
      location: flags.archive!,
      since,
      until,
      accounts: flags.account ?? [],
      regions: flags.region ?? [],
      concurrency: flags.concurrency,
      ...(flags.validate === undefined ? {} : {validate: flags.validate}),
      publicKeys: flags['public-key'] ?? [],
      ...(flags.signatures === undefined ? {} : {signatures: flags.signatures}),
    })
  }

  protected override list(r: Result): ListView {
    return {
      name: 'streams',
      rows: r.streams,
      columns: [
        {key: 'stream', kind: 'key', priority: 1},
        {key: 'status', priority: 1},
        {key: 'events', kind: 'number', priority: 1},
        {key: 'chunks', kind: 'number', priority: 3},
        {key: 'requests', kind: 'number', priority: 3},
        {key: 'error', priority: 2, value: (s: Result['streams'][number]) => s.error?.code ?? ''},
      ],
    }
  }

  protected render(r: Result): void {
    if (r.streams.length > 0) this.table(r.streams, this.list(r).columns)
    if (r.resumedFrom) this.log(`Resumed from run ${r.resumedFrom}.`)
    if (r.archive) {
      const a = r.archive
      this.log(`Archive: ${a.stored} file(s) stored, ${a.records} record(s), ${a.malformed} malformed, ${a.files} read from ${a.listedPrefixes.length} listed folder(s).`)
      for (const p of a.problems) this.log(`  ${p.code.padEnd(25)} ${cellText(p.file)}: ${cellText(p.reason)}`)
    }
    const v = r.validation
    if (v.summary) this.log(`Digests: ${v.summary.validDigests}/${v.summary.digests} valid; log files: ${v.summary.okLogFiles}/${v.summary.logFiles} intact; ${v.summary.findings} finding(s).`)
    for (const f of v.findings) this.log(`${f.type.padEnd(15)} ${cellText(f.key)}\n${' '.repeat(16)}${cellText(f.message)}`)
    if (v.status === 'unvalidated') this.log(`UNVALIDATED: ${cellText(v.reason ?? 'no digest was checked')}.`)
    this.logRunFooter(r.run, r.archive ? 'CloudTrail archive' : 'CloudTrail LookupEvents')
  }
}
