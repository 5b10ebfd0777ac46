import {stat} from 'node:fs/promises'
import path from 'node:path'
import {callerRecord} from '../aws/identity.js'
import type {AwsEnv} from './context.js'
import {usageError} from '../core/errors.js'
import {JOURNAL_NAME, casePrefix, isRunId, runPrefix} from '../evidence/keys.js'
import type {RunStatus} from '../evidence/manifest.js'
import type {EvidenceStore} from '../evidence/store.js'
import {collectArchive, discoverPartitions, hasTrailLayout, importRecordFiles, type ArchiveCollectResult, type ArchivePartition} from './cloudtrail-archive.js'
import {validateDigests, type DigestValidationOptions, type ValidationReport} from './cloudtrail-digest.js'
import type {DigestPublicKey} from './cloudtrail-keys.js'
import {collectLookupEvents, type LookupCheckpoint, type LookupFilter, type LookupStreamResult} from './cloudtrail-lookup.js'
import {LocalArchiveSource, openArchive, type ArchiveSource} from './cloudtrail-source.js'
import {inEvidenceRun, sealedRunSummary} from './run-collection.js'

export interface LookupRequest {
  mode: 'lookup'
  since?: Date
  until?: Date
  regions: readonly string[]
  filters: readonly LookupFilter[]
  ratePerSecond?: number
  burst?: number
  chunkEvents?: number
  resume?: boolean
}

export interface ArchiveRequest {
  mode: 'archive'
  location: string
  since: Date
  until: Date
  accounts?: readonly string[]
  regions?: readonly string[]
  concurrency?: number
  /** Validate digests: true, false, or undefined = when the archive holds any. */
  validate?: boolean
  publicKeys?: readonly DigestPublicKey[]
  signatures?: Readonly<Record<string, string>>
}

export interface CloudTrailRunResult {
  caseId: string
  runId: string
  status: RunStatus
  manifestKey: string
  manifestSha256: string
  artifacts: number
  gaps: number
  lookup?: LookupStreamResult[]
  resumedFrom?: string
  archive?: Omit<ArchiveCollectResult, 'logHashes'>
  validation?: {summary: ValidationReport['summary']; findings: ValidationReport['findings']}
}

/** Runs one `collect cloudtrail` (LookupEvents or archive) as a run of the case, sealing it however it ends. */
export async function collectCloudTrail(ctx: AwsEnv, caseId: string, request: LookupRequest | ArchiveRequest): Promise<CloudTrailRunResult> {
  let resumeFrom: {runId: string; parameters: Record<string, unknown>; checkpoints: Map<string, LookupCheckpoint>} | undefined
  let parameters: Record<string, unknown>
  if (request.mode === 'lookup') {
    if (request.resume) {
      resumeFrom = await findLookupCheckpoints(ctx.store, caseId)
      if (!resumeFrom) throw usageError('nothing-to-resume', `Case ${caseId} has no earlier LookupEvents run to resume.`, 'Run without --resume first.')
    }
    const p = resumeFrom?.parameters
    const since = request.since ?? (typeof p?.since === 'string' ? new Date(p.since) : undefined)
    const until = request.until ?? (typeof p?.until === 'string' ? new Date(p.until) : undefined)
    if (!since || !until) throw usageError('missing-window', 'Give --since and --until.', 'e.g. --since 2026-11-01T00:00:00Z --until 2026-11-02T00:00:00Z')
    const filters = request.filters.length > 0 || !p ? request.filters : ((p.filters as LookupFilter[] | undefined) ?? [])
    if (p && (p.since !== since.toISOString() || p.until !== until.toISOString() || JSON.stringify(p.filters) !== JSON.stringify(filters))) {
      throw usageError('resume-mismatch', `--resume continues run ${resumeFrom!.runId}, which looked up ${String(p.since)} to ${String(p.until)} with ${JSON.stringify(p.filters)}.`, 'Give the same window and filters, or omit them to reuse the earlier ones.')
    }
    const regions = request.regions.length > 0 ? request.regions : ((p?.regions as string[] | undefined) ?? [ctx.aws.defaultRegion])
    request = {...request, since, until, filters, regions}
    parameters = {mode: 'lookup', since: since.toISOString(), until: until.toISOString(), regions, filters, ratePerSecond: request.ratePerSecond ?? 2, burst: request.burst ?? 1, ...(resumeFrom ? {resumeOf: resumeFrom.runId} : {})}
  } else {
    parameters = {mode: 'archive', location: request.location, since: request.since.toISOString(), until: request.until.toISOString(), accounts: request.accounts ?? [], regions: request.regions ?? [], validate: request.validate ?? 'auto'}
  }
  checkWindow(request.mode === 'lookup' ? request.since! : request.since, request.mode === 'lookup' ? request.until! : request.until)

  const usesAws = request.mode === 'lookup' || request.location.startsWith('s3://')
  const caller = usesAws ? await callerRecord(ctx.aws, ctx.signal) : {}
  // A wrong archive location is a usage error before any run is opened.
  const source = request.mode === 'archive' ? await archiveSource(ctx, request.location) : undefined
  try {
    return await runCollection(ctx, caseId, request, parameters, caller, source, resumeFrom)
  } finally {
    source?.close()
  }
}

async function runCollection(
  ctx: AwsEnv,
  caseId: string,
  request: LookupRequest | ArchiveRequest,
  parameters: Record<string, unknown>,
  caller: Awaited<ReturnType<typeof callerRecord>>,
  source: ArchiveSource | undefined,
  resumeFrom: {runId: string; checkpoints: Map<string, LookupCheckpoint>} | undefined,
): Promise<CloudTrailRunResult> {
  const out: Partial<CloudTrailRunResult> = {}
  const {run, sealed} = await inEvidenceRun(ctx, {caseId, command: 'collect cloudtrail', parameters, caller}, async (run) => {
    if (request.mode === 'lookup') {
      if (resumeFrom) {
        await run.note('cloudtrail-lookup resumed', {from: resumeFrom.runId, checkpoints: [...resumeFrom.checkpoints.values()]})
        out.resumedFrom = resumeFrom.runId
      }
      out.lookup = await run.step('cloudtrail-lookup', parameters, () =>
        collectLookupEvents(ctx, run, {
          since: request.since!,
          until: request.until!,
          regions: request.regions,
          filters: request.filters,
          ...(request.ratePerSecond === undefined ? {} : {ratePerSecond: request.ratePerSecond}),
          ...(request.burst === undefined ? {} : {burst: request.burst}),
          ...(request.chunkEvents === undefined ? {} : {chunkEvents: request.chunkEvents}),
          ...(resumeFrom ? {resume: resumeFrom.checkpoints} : {}),
        }),
      )
    } else if (source) {
      const trail = await hasTrailLayout(source, ctx.signal)
      const hasDigests = trail && (await anyDigestFolder(source, await discoverPartitions(source, request.accounts, ctx.signal)))
      const validate = hasDigests && request.validate !== false
      const collected = await run.step('cloudtrail-archive', {location: source.location}, () =>
        trail
          ? collectArchive(ctx, run, source, {
              since: request.since,
              until: request.until,
              ...(request.accounts ? {accounts: request.accounts} : {}),
              ...(request.regions ? {regions: request.regions} : {}),
              ...(request.concurrency === undefined ? {} : {concurrency: request.concurrency}),
              keepLogHashes: validate,
            })
          : importRecordFiles(ctx, run, source),
      )
      const {logHashes, ...summary} = collected
      out.archive = summary
      if (request.validate === true && !hasDigests) await run.warn(`--validate: no CloudTrail-Digest folder under ${source.location}; nothing to validate.`)
      if (validate && !ctx.signal.aborted) {
        const report = await run.step('cloudtrail-digest', {location: source.location}, () =>
          validateDigests(
            ctx,
            source,
            {
              since: request.since,
              until: request.until,
              ...(request.accounts ? {accounts: request.accounts} : {}),
              ...(request.regions ? {regions: request.regions} : {}),
              ...(request.publicKeys ? {publicKeys: request.publicKeys} : {}),
              ...(request.signatures ? {signatures: request.signatures} : {}),
              logHashes,
              storeDigests: true,
            },
            run,
          ),
        )
        out.validation = {summary: report.summary, findings: report.findings}
      }
    }
  })
  return {
    ...sealedRunSummary(run, sealed),
    artifacts: sealed.manifest.artifacts.length,
    gaps: sealed.manifest.gaps,
    ...out,
  }
}

export interface ImportResult {
  caseId: string
  runId: string
  status: RunStatus
  manifestKey: string
  manifestSha256: string
  files: number
  converted: number
  malformed: number
  records: number
  problems: ArchiveCollectResult['problems']
}

/** `import cloudtrail`: converts CloudTrail files a responder was handed into a new run of the case. */
export async function importCloudTrail(ctx: AwsEnv, caseId: string, paths: readonly string[]): Promise<ImportResult> {
  const inputs: Array<{source: ArchiveSource; keys?: string[]}> = []
  for (const p of paths) {
    const s = await stat(p).catch(() => undefined)
    if (!s) throw usageError('file-not-found', `Cannot read ${p}: no such file or folder.`, 'Check the path; nothing was imported.')
    inputs.push(s.isDirectory() ? {source: new LocalArchiveSource(path.resolve(p))} : {source: new LocalArchiveSource(path.dirname(path.resolve(p))), keys: [path.basename(p)]})
  }
  const totals = {files: 0, converted: 0, malformed: 0, records: 0, problems: [] as ArchiveCollectResult['problems']}
  const opening = {caseId, command: 'import cloudtrail', parameters: {paths: paths.map((p) => path.resolve(p))}, caller: {}}
  const {run, sealed} = await inEvidenceRun(ctx, opening, async (run) => {
    for (const input of inputs) {
      if (ctx.signal.aborted) break
      const r = await run.step('cloudtrail-import', {path: input.source.location}, () => importRecordFiles(ctx, run, input.source, input.keys))
      totals.files += r.files
      totals.converted += r.stored
      totals.malformed += r.malformed
      totals.records += r.records
      totals.problems.push(...r.problems)
    }
  })
  return {...sealedRunSummary(run, sealed), ...totals}
}

export interface ValidateRequest extends Pick<DigestValidationOptions, 'since' | 'until' | 'accounts' | 'regions' | 'publicKeys' | 'signatures'> {
  location: string
}

/** `validate cloudtrail`: digest validation alone; stored as a run of the case when one is named. */
export async function validateCloudTrail(ctx: AwsEnv, request: ValidateRequest, caseId?: string): Promise<{report: ValidationReport; runId?: string; manifestKey?: string}> {
  const source = await archiveSource(ctx, request.location)
  if (!(await hasTrailLayout(source, ctx.signal))) {
    throw usageError('not-a-trail-archive', `${source.location} holds no AWSLogs/ folder.`, 'Point at the folder or s3://bucket/prefix that contains AWSLogs/<account>/CloudTrail-Digest/.')
  }
  if (request.since && request.until) checkWindow(request.since, request.until)
  const options = {
    ...(request.since ? {since: request.since} : {}),
    ...(request.until ? {until: request.until} : {}),
    ...(request.accounts ? {accounts: request.accounts} : {}),
    ...(request.regions ? {regions: request.regions} : {}),
    ...(request.publicKeys ? {publicKeys: request.publicKeys} : {}),
    ...(request.signatures ? {signatures: request.signatures} : {}),
  }
  try {
    return await validateIntoCase(ctx, source, request, options, caseId)
  } finally {
    source.close()
  }
}

async function validateIntoCase(
  ctx: AwsEnv,
  source: ArchiveSource,
  request: ValidateRequest,
  options: Parameters<typeof validateDigests>[2],
  caseId: string | undefined,
): Promise<{report: ValidationReport; runId?: string; manifestKey?: string}> {
  if (caseId === undefined) return {report: await validateDigests(ctx, source, options)}
  const caller = request.location.startsWith('s3://') || !request.publicKeys ? await callerRecord(ctx.aws, ctx.signal) : {}
  const parameters = {...request, location: source.location, publicKeys: request.publicKeys?.map((k) => k.source)}
  const {run, sealed, collected: report} = await inEvidenceRun(ctx, {caseId, command: 'validate cloudtrail', parameters, caller}, (run) =>
    run.step('cloudtrail-digest', {location: source.location}, () => validateDigests(ctx, source, {...options, storeDigests: true}, run)),
  )
  return {report, runId: run.runId, manifestKey: sealed.manifestKey}
}

/**
 * The checkpoints of the latest LookupEvents run of a case, read from its custody journal (which
 * exists even when the run was killed): the last sealed chunk of every stream, and which streams
 * finished.
 */
export async function findLookupCheckpoints(
  store: EvidenceStore,
  caseId: string,
): Promise<{runId: string; parameters: Record<string, unknown>; checkpoints: Map<string, LookupCheckpoint>} | undefined> {
  const runIds = new Set<string>()
  for await (const info of store.list(`${casePrefix(caseId)}runs/`)) {
    const m = /^cases\/[^/]+\/runs\/([^/]+)\/custody\.jsonl$/.exec(info.key)
    if (m && isRunId(m[1]!)) runIds.add(m[1]!)
  }
  for (const runId of [...runIds].sort().reverse()) {
    const checkpoints = new Map<string, LookupCheckpoint>()
    let parameters: Record<string, unknown> | undefined
    for await (const line of store.readJournal(`${runPrefix(caseId, runId)}${JOURNAL_NAME}`)) {
      let entry: Record<string, unknown>
      try {
        entry = JSON.parse(line) as Record<string, unknown>
      } catch {
        continue
      }
      if (entry.type === 'run-started') {
        const p = entry.parameters as Record<string, unknown> | undefined
        if (entry.command !== 'collect cloudtrail' || p?.mode !== 'lookup') break
        parameters = p
      }
      const found: unknown[] = []
      if (entry.type === 'artifact') found.push(((entry.artifact as {attributes?: {checkpoint?: unknown}}).attributes ?? {}).checkpoint)
      if (entry.type === 'note') found.push(entry.checkpoint, ...(Array.isArray(entry.checkpoints) ? entry.checkpoints : []))
      for (const c of found) if (isCheckpoint(c)) checkpoints.set(c.stream, c)
    }
    if (parameters) return {runId, parameters, checkpoints}
  }
  return undefined
}

function isCheckpoint(value: unknown): value is LookupCheckpoint {
  const c = value as LookupCheckpoint | undefined
  return typeof c === 'object' && c !== null && typeof c.stream === 'string' && typeof c.chunk === 'number'
}

async function archiveSource(ctx: AwsEnv, location: string): Promise<ArchiveSource> {
  if (!location.startsWith('s3://')) {
    const s = await stat(location).catch(() => undefined)
    if (!s?.isDirectory()) throw usageError('archive-not-found', `${location} is not a folder.`, 'Give s3://bucket/prefix or a local folder holding AWSLogs/ (or plain CloudTrail JSON files).')
    // Accept the AWSLogs folder itself as well as its parent.
    if (path.basename(path.resolve(location)) === 'AWSLogs') location = path.dirname(path.resolve(location))
  }
  return openArchive(location, ctx.aws)
}

async function anyDigestFolder(source: ArchiveSource, partitions: readonly ArchivePartition[]): Promise<boolean> {
  for (const p of partitions) if ((await source.folders(`${p.prefix}CloudTrail-Digest/`)).length > 0) return true
  return false
}

function checkWindow(since: Date, until: Date): void {
  if (Number.isNaN(since.getTime()) || Number.isNaN(until.getTime())) throw usageError('invalid-time', '--since and --until must be ISO 8601 times.', 'e.g. 2026-11-20T00:00:00Z')
  if (since.getTime() > until.getTime()) throw usageError('invalid-window', `--since ${since.toISOString()} is after --until ${until.toISOString()}.`, 'Swap them.')
}

/** `--since`/`--until` values; the same rules as every other command. */
export {parseTimeSpec as parseTimeFlag} from '../core/time.js'

export {cloudtrailArchiveCollector} from './cloudtrail-archive.js'
export {cloudtrailDigestCollector} from './cloudtrail-digest.js'
export {cloudtrailLookupCollector} from './cloudtrail-lookup.js'
