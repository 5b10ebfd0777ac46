import path from 'node:path'
import {forEachBounded} from '../core/pool.js'
import type {AwsContext} from './context.js'
import type {EvidenceRun} from '../evidence/run.js'
import {MalformedInputError, checkDeliveryFile, inflate, isGzip, sha256Hex} from './cloudtrail-records.js'
import type {FileAccount, ImportInput} from './cloudtrail-import.js'
import {LocalArchiveSource, type ArchiveEntry, type ArchiveSource} from './cloudtrail-source.js'
import {listInputs, type WalkEntry} from './import-walk.js'
import {importEntry, importInputs, type ImportAccount} from './import-run.js'
import type {CollectorDefinition} from './definition.js'

export const cloudtrailArchiveCollector: CollectorDefinition = {
  id: 'cloudtrail-archive',
  title: 'CloudTrail log files from a trail\'s S3 archive or a local copy of it, pruned by account, region and day',
  operations: ['s3:ListObjectsV2', 's3:GetObject'],
  permissions: ['s3:ListBucket', 's3:GetObject'],
  produces: ['cloudtrail.delivery-file', 'cloudtrail.records', 'file.added'],
}

/** CloudTrail delivers a log file minutes after its events; files up to this long after --until may hold them. */
export const DELIVERY_LAG_MS = 60 * 60 * 1000

/** One account's folder in the archive: `AWSLogs/<account>/` or, for organisation trails, `AWSLogs/<o-id>/<account>/`. */
export interface ArchivePartition {
  prefix: string
  account: string
  orgId?: string
}

export interface ArchiveOptions {
  since: Date
  until: Date
  accounts?: readonly string[]
  regions?: readonly string[]
  /** Files downloaded and stored at once. */
  concurrency?: number
}

export interface ArchiveCollectResult {
  mode: 'archive' | 'plain'
  /** Every folder listed for files: only the days, regions and accounts asked for. */
  listedPrefixes: string[]
  files: number
  stored: number
  malformed: number
  records: number
  bytes: number
  partitions: ArchivePartition[]
  /** The first malformed files, named, for the summary (every one is a gap in the journal). */
  problems: Array<{file: string; code: string; reason: string}>
  /** Items of plain files (imported record by record) that were skipped, by reason. */
  skipped: number
  /** A folder without the trail layout, imported file by file: the whole account. */
  plain?: ImportAccount
}

const MAX_PROBLEMS_LISTED = 50

const ORG_ID = /^o-[a-z0-9]{10,32}$/

/** Whether the source holds the trail layout (`AWSLogs/…`) rather than a plain folder of files. */
export async function hasTrailLayout(source: ArchiveSource, signal?: AbortSignal): Promise<boolean> {
  return (await source.folders('', signal)).includes('AWSLogs/')
}

/** The account folders of the archive, narrowed to `accounts` when given. */
export async function discoverPartitions(source: ArchiveSource, accounts?: readonly string[], signal?: AbortSignal): Promise<ArchivePartition[]> {
  const out: ArchivePartition[] = []
  const wanted = accounts && accounts.length > 0 ? new Set(accounts) : undefined
  for (const folder of await source.folders('AWSLogs/', signal)) {
    const name = folder.slice('AWSLogs/'.length, -1)
    if (ORG_ID.test(name)) {
      for (const inner of await source.folders(folder, signal)) {
        const account = inner.slice(folder.length, -1)
        if (!wanted || wanted.has(account)) out.push({prefix: inner, account, orgId: name})
      }
    } else if (!wanted || wanted.has(name)) out.push({prefix: folder, account: name})
  }
  return out
}

/** `YYYY/MM/DD/` for every UTC day from `since` to `until` inclusive. */
export function dayPrefixes(since: Date, until: Date): string[] {
  const out: string[] = []
  const d = new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), since.getUTCDate()))
  for (; d.getTime() <= until.getTime(); d.setUTCDate(d.getUTCDate() + 1)) {
    out.push(`${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/`)
  }
  return out
}

/** The delivery time in a CloudTrail file name (`…_20260301T1205Z_…`), if it has one. */
export function deliveryTime(key: string): Date | undefined {
  const m = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?Z/.exec(path.posix.basename(key))
  if (!m) return undefined
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, m[6] === undefined ? 0 : +m[6]))
}

/**
 * Collects the log files of a trail archive for a time window. Accounts, regions and days are
 * pruned from the folder names before anything is listed, so only the per-day folders of the
 * window are listed, and files whose delivery time lies outside it are never read. Each file is
 * stored byte for byte (`cloudtrail.delivery-file`) after checking that it inflates and parses;
 * a malformed one is recorded as a gap naming it, kept as a plain file, and the rest still lands.
 */
export async function collectArchive(ctx: AwsContext, source: ArchiveSource, options: ArchiveOptions): Promise<ArchiveCollectResult> {
  const {run} = ctx
  const result: ArchiveCollectResult = {mode: 'archive', listedPrefixes: [], files: 0, stored: 0, malformed: 0, records: 0, bytes: 0, partitions: [], problems: [], skipped: 0}
  result.partitions = await discoverPartitions(source, options.accounts, ctx.signal)
  const from = options.since.getTime()
  const to = options.until.getTime() + DELIVERY_LAG_MS
  const days = dayPrefixes(options.since, new Date(to))
  const wantedRegions = options.regions && options.regions.length > 0 ? new Set(options.regions) : undefined
  const task = ctx.progress.task(`CloudTrail archive ${source.location}`)

  async function* candidates(): AsyncIterable<{entry: ArchiveEntry; partition: ArchivePartition; region: string}> {
    for (const partition of result.partitions) {
      for (const regionFolder of await source.folders(`${partition.prefix}CloudTrail/`, ctx.signal)) {
        const region = regionFolder.slice(`${partition.prefix}CloudTrail/`.length, -1)
        if (wantedRegions && !wantedRegions.has(region)) continue
        for (const day of days) {
          const prefix = `${regionFolder}${day}`
          result.listedPrefixes.push(prefix)
          for await (const entry of source.files(prefix, ctx.signal)) {
            const t = deliveryTime(entry.key)?.getTime()
            if (t !== undefined && (t < from || t > to)) continue
            yield {entry, partition, region}
          }
        }
      }
    }
  }

  await forEachBounded(candidates(), options.concurrency ?? 16, ctx.signal, async ({entry, partition, region}) => {
    result.files++
    const bytes = await readOrGap(ctx, source, entry.key, 'listed but gone when read', region)
    if (!bytes) return
    result.bytes += bytes.length
    const name = path.posix.basename(entry.key)
    if (!isGzip(bytes) && !name.endsWith('.gz')) {
      // A plain JSON file dropped into the layout: imported record by record like any other input.
      fold(result, await importEntry(ctx, bytesInput(source.uri(entry.key), name, bytes), cloudtrailArchiveCollector.id))
      task.advance()
      return
    }
    try {
      const inflated = await inflate(bytes)
      const parsed = checkDeliveryFile(inflated.toString('utf8'))
      const uncompressedSha256 = sha256Hex(inflated)
      await run.putArtifact(['cloudtrail', region, partition.account, name], bytes, {
        kind: 'cloudtrail.delivery-file',
        contentType: 'application/gzip',
        source: source.uri(entry.key),
        collector: cloudtrailArchiveCollector.id,
        region,
        records: parsed.records,
        attributes: {
          account: partition.account,
          ...(partition.orgId === undefined ? {} : {orgId: partition.orgId}),
          archiveKey: entry.key,
          deliveredAt: deliveryTime(entry.key)?.toISOString() ?? null,
          uncompressedSha256,
          newestEventTime: parsed.newestEventTime ?? null,
          oldestEventTime: parsed.oldestEventTime ?? null,
        },
      })
      result.stored++
      result.records += parsed.records
    } catch (error) {
      await recordMalformed(run, source, entry.key, bytes, error, result, region)
    }
    task.advance()
  })
  task.done(`${result.stored} file(s), ${result.records} records, ${result.malformed} malformed`)
  await run.note('cloudtrail-archive listed', {source: source.location, prefixes: result.listedPrefixes.length, files: result.files})
  return result
}

/**
 * A folder or prefix without the trail layout: every file imported record by record, in whatever
 * shape (collectors/cloudtrail-import.ts). A local folder is walked as `import cloudtrail` walks
 * it (links followed only inside it, special files never opened); an S3 prefix lists its objects.
 */
export async function importRecordFiles(ctx: AwsContext, source: ArchiveSource): Promise<ArchiveCollectResult> {
  const entries: WalkEntry[] = []
  if (source instanceof LocalArchiveSource) entries.push(...(await listInputs([source.root])))
  else for await (const e of source.files('', ctx.signal)) entries.push(sourceInput(ctx, source, e.key))
  const account = await importInputs(ctx, entries, cloudtrailArchiveCollector.id)
  const result: ArchiveCollectResult = {mode: 'plain', listedPrefixes: [''], files: account.files, stored: 0, malformed: 0, records: 0, bytes: 0, partitions: [], problems: [], skipped: 0, plain: account}
  for (const f of account.perFile) fold(result, f)
  return result
}

/** Adds one imported file to the archive's counts. */
function fold(result: ArchiveCollectResult, f: FileAccount): void {
  if (f.loaded > 0) result.stored++
  result.records += f.loaded
  result.skipped += f.skipped
  if (f.status === 'malformed' || f.status === 'not-cloudtrail' || (f.status === 'refused' && f.code !== 'same-file')) {
    result.malformed++
    if (result.problems.length < MAX_PROBLEMS_LISTED) result.problems.push({file: f.file, code: f.code ?? f.status, reason: f.reason ?? ''})
  }
}

/** A file already read into memory, as an import input. */
function bytesInput(uri: string, name: string, bytes: Buffer): ImportInput {
  return {uri, name, open: async () => chunks(bytes)}
}

async function* chunks(bytes: Buffer): AsyncGenerator<Uint8Array> {
  yield bytes
}

/** An object of an S3 source as an import input, read whole when imported. */
function sourceInput(ctx: AwsContext, source: ArchiveSource, key: string): ImportInput {
  return {
    uri: source.uri(key),
    name: path.posix.basename(key),
    async open() {
      const bytes = await source.read(key, ctx.signal)
      if (!bytes) throw Object.assign(new Error('listed but gone when read'), {code: 'ENOENT'})
      return chunks(bytes)
    },
  }
}

/**
 * Reads one file of the source whole. A file that is gone, or that the source refuses to give
 * (S3 AccessDenied, a KMS key the responder may not use, throttling past the SDK's retries), is a
 * gap naming it and the other files are still read; an interruption or a full store stops the run.
 */
async function readOrGap(ctx: AwsContext, source: ArchiveSource, key: string, missingReason: string, region?: string): Promise<Buffer | undefined> {
  const where = {collector: cloudtrailArchiveCollector.id, resource: source.uri(key), ...(region === undefined ? {} : {region})}
  let read = false
  const bytes = await ctx.gaps.attempt({...where, operation: source.kind === 's3' ? 's3:GetObject' : 'read of the file'}, async () => {
    const got = await source.read(key, ctx.signal)
    read = true
    return got
  })
  if (read && !bytes) await ctx.gaps.add({...where, code: 'missing', reason: missingReason})
  return bytes
}

/**
 * Counts a file that failed with a MalformedInputError, records the gap and keeps its bytes; any
 * other error is rethrown.
 */
async function recordMalformed(
  run: EvidenceRun,
  source: ArchiveSource,
  key: string,
  bytes: Buffer,
  error: unknown,
  result: ArchiveCollectResult,
  region?: string,
): Promise<void> {
  if (!(error instanceof MalformedInputError)) throw error
  result.malformed++
  if (result.problems.length < MAX_PROBLEMS_LISTED) result.problems.push({file: source.uri(key), code: error.code, reason: error.message})
  await run.gap({
    collector: cloudtrailArchiveCollector.id,
    resource: source.uri(key),
    code: error.code,
    reason: `malformed CloudTrail file, skipped: ${error.message}`,
    ...(region === undefined ? {} : {region}),
  })
  // The bytes are still what the responder found; keep them, marked, for a human to look at.
  await preserveOriginal(run, source, key, bytes, {malformed: error.code, reason: error.message})
}

function preserveOriginal(run: EvidenceRun, source: ArchiveSource, key: string, bytes: Buffer, extra: Record<string, unknown>) {
  const name = path.posix.basename(key)
  return run.putArtifact(['cloudtrail', 'import', 'original', name], bytes, {
    kind: 'file.added',
    contentType: isGzip(bytes) ? 'application/gzip' : 'application/json',
    source: source.uri(key),
    collector: cloudtrailArchiveCollector.id,
    attributes: {originalName: name, originalPath: source.uri(key), originalSize: bytes.length, ...extra},
  })
}
