import {CloudTrailClient, paginateLookupEvents, type Event as LookupEvent, type LookupAttributeKey, type LookupEventsCommandOutput} from '@aws-sdk/client-cloudtrail'
import {rateLimitClient, type MiddlewareClient} from '../aws/rate-limit.js'
import type {AwsContext} from './context.js'
import type {ProgressTask} from '../core/progress.js'
import {isAwsAccessError, isThrottlingError} from '../core/errors.js'
import {mapPool} from '../core/pool.js'
import {ndjsonGzip} from '../evidence/ndjson.js'
import type {CollectorDefinition} from './definition.js'
import type {GapCode} from '../evidence/gap.js'
import {gapFor, isStoreWriteFailure} from '../evidence/gap-log.js'

export const cloudtrailLookupCollector: CollectorDefinition = {
  id: 'cloudtrail-lookup',
  title: 'CloudTrail management events through LookupEvents (last 90 days), paced under 2 requests/s per region',
  operations: ['cloudtrail:LookupEvents'],
  permissions: ['cloudtrail:LookupEvents'],
  produces: ['cloudtrail.lookup-events'],
}

/** LookupEvents keeps management events for this many days; older ones live only in a trail's S3 archive. */
export const LOOKUP_RETENTION_DAYS = 90
/** AWS's documented limit for LookupEvents, per account and region. */
export const LOOKUP_DEFAULT_RATE = 2
const PAGE_SIZE = 50
/**
 * Attempts per LookupEvents call for the SDK's standard retry mode. Others in the account share the
 * 2/s limit, so throttling happens even when coroner paces itself; a few more attempts than the
 * SDK's default 3 ride that out. An explicit maxAttempts on the client factory still wins.
 */
export const LOOKUP_MAX_ATTEMPTS = 6

/** One lookup attribute; the API takes at most one per call. */
export interface LookupFilter {
  key: LookupAttributeKey
  value: string
}

/** Where a lookup stream stands after a sealed chunk: enough to continue without duplicates. */
export interface LookupCheckpoint {
  stream: string
  chunk: number
  events: number
  /** NextToken after the chunk's last page; null when the stream had no more pages. */
  nextToken: string | null
  /** Oldest EventTime written so far (events arrive newest first), and the ids seen at that instant. */
  oldestEventTime?: string
  boundaryEventIds?: string[]
  complete: boolean
}

export interface LookupOptions {
  since: Date
  until: Date
  regions: readonly string[]
  /** One stream per filter (the API allows one attribute per call); none means every management event. */
  filters: readonly LookupFilter[]
  ratePerSecond?: number
  burst?: number
  /** Events per chunk artifact; a chunk is sealed at the first page boundary at or past this. */
  chunkEvents?: number
  /** Extra spacing between requests, absorbing network jitter so the server never sees 3 in one second. */
  guardMs?: number
  /** Checkpoints of an earlier run of the same lookup, by stream id. */
  resume?: ReadonlyMap<string, LookupCheckpoint>
}

export interface LookupStreamResult {
  stream: string
  region: string
  filter: LookupFilter | null
  /** complete; incomplete (interrupted: resumable); failed (an error stopped it: a gap is recorded); skipped (complete in the run resumed). */
  status: 'complete' | 'incomplete' | 'failed' | 'skipped'
  events: number
  chunks: number
  requests: number
  error?: {code: string; message: string}
}

/** The id of one stream: region plus the lookup attribute, e.g. `eu-west-1/ResourceName=payments`. */
export function streamId(region: string, filter: LookupFilter | null): string {
  return `${region}/${filter ? `${filter.key}=${filter.value}` : 'all'}`
}

/**
 * Collects CloudTrail management events with LookupEvents for every region × filter, writing
 * chunked gzip NDJSON artifacts (`cloudtrail.lookup-events`) as it goes: a chunk is sealed at a page
 * boundary, its attributes carry the NextToken to continue from, so an interruption loses at most
 * the chunk being filled and `resume` continues without duplicates. Each region's client is paced
 * on its own (the limit is per account and region), every attempt of it, the SDK's retries too;
 * regions run in parallel. Throttling is left to the SDK's standard retries; when those give up, a
 * gap is recorded and that region stops.
 */
export async function collectLookupEvents(ctx: AwsContext, options: LookupOptions): Promise<LookupStreamResult[]> {
  const {run} = ctx
  const filters: Array<LookupFilter | null> = options.filters.length === 0 ? [null] : [...options.filters]
  const ageDays = (ctx.clock.now().getTime() - options.since.getTime()) / 86_400_000
  if (ageDays > LOOKUP_RETENTION_DAYS) {
    await run.warn(
      `--since ${options.since.toISOString()} is more than ${LOOKUP_RETENTION_DAYS} days ago: LookupEvents returns only the last ${LOOKUP_RETENTION_DAYS} days. ` +
        'For older events collect the trail\'s S3 archive: coroner collect cloudtrail --archive s3://<trail-bucket>/<prefix>',
    )
  }
  const settled = await mapPool(options.regions, options.regions.length, async (region) => {
    const client = new CloudTrailClient(ctx.aws.config(region, {maxAttempts: LOOKUP_MAX_ATTEMPTS}))
    // Every attempt is paced, the SDK's retries of a throttled call too: they count against the same limit.
    rateLimitClient(client as unknown as MiddlewareClient, options.ratePerSecond ?? LOOKUP_DEFAULT_RATE, {burst: options.burst ?? 1, guardMs: options.guardMs ?? 25})
    const results: LookupStreamResult[] = []
    let stopped: {code: string; message: string; gap: GapCode} | undefined
    try {
      for (const filter of filters) {
        const id = streamId(region, filter)
        if (stopped) {
          await run.gap({collector: cloudtrailLookupCollector.id, resource: id, region, code: stopped.gap, reason: `not collected: the region stopped after ${stopped.code}`})
          results.push({stream: id, region, filter, status: 'failed', events: 0, chunks: 0, requests: 0, error: stopped})
          continue
        }
        const result = await collectStream(ctx, client, region, filter, options)
        results.push(result)
        // Throttling that outlasted the retries, or a refusal, would hit every stream of the region alike.
        const e = {name: result.error?.code}
        if (result.status === 'failed' && result.error && (isThrottlingError(e) || isAwsAccessError(e))) stopped = {...result.error, gap: isThrottlingError(e) ? 'throttled' : 'access-denied'}
        if (result.status === 'incomplete') break
      }
    } finally {
      client.destroy()
    }
    return results
  })
  const failed = settled.find((s) => !s.ok)
  if (failed && !failed.ok) throw failed.error
  return settled.flatMap((s) => (s.ok ? s.value : []))
}

/** One lookup stream (a region and a filter) being collected: where it stands, and the events not yet sealed. */
interface Stream {
  ctx: AwsContext
  client: CloudTrailClient
  region: string
  filter: LookupFilter | null
  options: LookupOptions
  id: string
  result: LookupStreamResult
  task: ProgressTask
  chunk: number
  total: number
  /** Oldest EventTime written so far (events arrive newest first), and the ids seen at that instant. */
  oldest: string | undefined
  boundaryIds: Set<string>
  pending: LookupEvent[]
  pendingToken: string | null
}

/** Where the next request starts: a stored NextToken, or a time (and the events already written at that instant). */
interface Start {
  endTime: Date
  token: string | undefined
  skip?: {at: string; ids: Set<string>}
}

async function collectStream(ctx: AwsContext, client: CloudTrailClient, region: string, filter: LookupFilter | null, options: LookupOptions): Promise<LookupStreamResult> {
  const id = streamId(region, filter)
  const previous = options.resume?.get(id)
  const result: LookupStreamResult = {stream: id, region, filter, status: 'complete', events: 0, chunks: 0, requests: 0}
  if (previous?.complete) {
    await ctx.run.note('cloudtrail-lookup stream already complete', {checkpoint: previous})
    return {...result, status: 'skipped', events: previous.events, chunks: previous.chunk}
  }
  const s: Stream = {
    ctx,
    client,
    region,
    filter,
    options,
    id,
    result,
    task: ctx.progress.task(`LookupEvents ${id}`),
    chunk: previous?.chunk ?? 0,
    total: previous?.events ?? 0,
    oldest: previous?.oldestEventTime,
    boundaryIds: new Set(previous?.boundaryEventIds ?? []),
    pending: [],
    pendingToken: previous?.nextToken ?? null,
  }
  let start: Start = {endTime: options.until, token: previous?.nextToken ?? undefined}
  for (let attempt = 0; ; attempt++) {
    try {
      await readPages(s, start)
      await flush(s, true)
      result.events = s.total
      s.task.done(`${s.total} events in ${result.chunks} chunk(s)`)
      return result
    } catch (error) {
      if (ctx.signal.aborted) return interrupted(s)
      // The store's disk is full: nothing more can be written, so it is not a LookupEvents gap.
      if (isStoreWriteFailure(error)) throw error
      const name = (error as {name?: string}).name ?? 'Error'
      if (attempt === 0 && start.token !== undefined && /InvalidNextToken/.test(name)) {
        start = await resumeByTime(s)
        continue
      }
      return stopped(s, error)
    }
  }
}

/** Pages of one LookupEvents walk, newest first, into the pending chunk; a chunk is sealed at a page boundary once full. */
async function readPages(s: Stream, start: Start): Promise<void> {
  const {options, filter, ctx} = s
  const input = {
    StartTime: options.since,
    EndTime: start.endTime,
    MaxResults: PAGE_SIZE,
    ...(filter ? {LookupAttributes: [{AttributeKey: filter.key, AttributeValue: filter.value}]} : {}),
  }
  const pages = paginateLookupEvents({client: s.client, pageSize: PAGE_SIZE, ...(start.token === undefined ? {} : {startingToken: start.token})}, input, {abortSignal: ctx.signal})[Symbol.asyncIterator]()
  const chunkEvents = options.chunkEvents ?? 1000
  for (let more = true; more; ) {
    s.result.requests++
    const next = await pages.next()
    if (next.done) break
    const page: LookupEventsCommandOutput = next.value
    for (const event of page.Events ?? []) {
      const t = isoTime(event.EventTime)
      if (start.skip && t === start.skip.at && event.EventId !== undefined && start.skip.ids.has(event.EventId)) continue
      if (t !== undefined) {
        if (t !== s.oldest) s.boundaryIds = new Set()
        s.oldest = t
        if (event.EventId !== undefined) s.boundaryIds.add(event.EventId)
      }
      s.pending.push(event)
    }
    s.task.advance(page.Events?.length ?? 0)
    estimateTotal(s.task, s.total + s.pending.length, s.oldest, options)
    s.pendingToken = page.NextToken ?? null
    more = page.NextToken !== undefined && page.NextToken !== ''
    if (more && s.pending.length >= chunkEvents) await flush(s, false)
  }
}

/** Seals the pending events as one chunk, its checkpoint saying where to continue; a stream that ends empty is noted complete. */
async function flush(s: Stream, complete: boolean): Promise<void> {
  if (s.pending.length === 0 && !complete) return
  const {run} = s.ctx
  if (s.pending.length === 0) {
    await run.note('cloudtrail-lookup stream complete', {checkpoint: {stream: s.id, chunk: s.chunk, events: s.total, nextToken: null, complete: true}})
    return
  }
  s.chunk++
  s.total += s.pending.length
  const events = s.pending
  s.pending = []
  const checkpoint: LookupCheckpoint = {
    stream: s.id,
    chunk: s.chunk,
    events: s.total,
    nextToken: complete ? null : s.pendingToken,
    ...(s.oldest === undefined ? {} : {oldestEventTime: s.oldest, boundaryEventIds: [...s.boundaryIds]}),
    complete,
  }
  const {filter, region, options} = s
  await run.putArtifact(['cloudtrail', region, filter ? `${filter.key}=${filter.value}` : 'all-management-events', `lookup-events-${String(s.chunk).padStart(6, '0')}.ndjson.gz`], ndjsonGzip(events), {
    kind: 'cloudtrail.lookup-events',
    contentType: 'application/gzip',
    source: `aws:cloudtrail:${region}:LookupEvents`,
    collector: cloudtrailLookupCollector.id,
    region,
    records: events.length,
    attributes: {
      startTime: options.since.toISOString(),
      endTime: options.until.toISOString(),
      lookupAttribute: filter ? {AttributeKey: filter.key, AttributeValue: filter.value} : null,
      newestEventTime: isoTime(events[0]?.EventTime),
      oldestEventTime: isoTime(events.at(-1)?.EventTime),
      checkpoint,
    },
  })
  s.result.chunks++
}

/**
 * A stored NextToken was refused: continue by time. Events come newest first, so restart at the
 * oldest instant written and skip the events already seen at it (several pages may share it);
 * with nothing written yet, start over.
 */
async function resumeByTime(s: Stream): Promise<Start> {
  await s.ctx.run.note('cloudtrail-lookup stored NextToken refused; resuming by time', {stream: s.id, endTime: s.oldest ?? s.options.until.toISOString()})
  if (s.oldest === undefined) return {endTime: s.options.until, token: undefined}
  return {endTime: new Date(s.oldest), token: undefined, skip: {at: s.oldest, ids: new Set(s.boundaryIds)}}
}

/** Interrupted: every complete page read so far is kept, and the checkpoint says where to continue. */
async function interrupted(s: Stream): Promise<LookupStreamResult> {
  await flush(s, false)
  const checkpoint = {stream: s.id, chunk: s.chunk, events: s.total, nextToken: s.pendingToken, oldestEventTime: s.oldest, boundaryEventIds: [...s.boundaryIds], complete: false}
  await s.ctx.run.note('cloudtrail-lookup stream interrupted', {checkpoint})
  s.result.events = s.total
  s.task.done(`interrupted after ${s.total} events`)
  return {...s.result, status: 'incomplete'}
}

/** LookupEvents gave up (throttled past the SDK's retries, refused, failed): a gap, and what was read is kept. */
async function stopped(s: Stream, error: unknown): Promise<LookupStreamResult> {
  await flush(s, false)
  const name = (error as {name?: string}).name ?? 'Error'
  const e = {code: name, message: (error as Error).message ?? String(error)}
  const reason = isThrottlingError(error)
    ? `LookupEvents still throttled after the SDK's retries; stopped this region after ${s.total} events (resume with --resume)`
    : isAwsAccessError(error)
      ? `LookupEvents refused: ${e.message}`
      : `LookupEvents failed: ${e.message}`
  const call = {collector: cloudtrailLookupCollector.id, resource: s.id, region: s.region, operation: 'cloudtrail:LookupEvents'}
  await s.ctx.run.gap({collector: call.collector, resource: s.id, region: s.region, code: gapFor(error, call).code, reason: `${reason} (${name})`})
  s.result.events = s.total
  s.task.done(`stopped: ${name}`)
  return {...s.result, status: 'failed', error: e}
}

/**
 * LookupEvents never says how many events a window holds. Events arrive newest first, so the share
 * of the window already walked (from --until back to the oldest event seen) gives an estimate, and
 * with it an ETA, assuming events are spread evenly; it is refined on every page.
 */
function estimateTotal(task: ProgressTask, seen: number, oldest: string | undefined, options: LookupOptions): void {
  if (oldest === undefined || seen === 0) return
  const span = options.until.getTime() - options.since.getTime()
  const walked = options.until.getTime() - Date.parse(oldest)
  if (span <= 0 || walked <= 0) return
  const share = Math.min(1, walked / span)
  if (share >= 0.02) task.setTotal(Math.max(seen, Math.round(seen / share)))
}

function isoTime(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined
  const d = value instanceof Date ? value : new Date(value)
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString()
}
