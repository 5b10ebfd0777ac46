import {CloudWatchLogsClient, paginateDescribeLogGroups, paginateFilterLogEvents} from '@aws-sdk/client-cloudwatch-logs'
import type {AwsContext} from './context.js'
import {mapPool} from '../core/pool.js'
import {readManifest} from '../evidence/cases.js'
import {indexCase} from '../evidence/case-index.js'
import {ndjsonGzip} from '../evidence/ndjson.js'
import type {EvidenceStore} from '../evidence/store.js'
import type {CollectorDefinition} from './definition.js'
import {rethrowStoreWriteFailure} from '../evidence/gap-log.js'
import {rateLimitClient, type MiddlewareClient} from '../aws/rate-limit.js'

export const logsCollector: CollectorDefinition = {
  id: 'logs',
  title: 'CloudWatch Logs events of a log group over a time window (FilterLogEvents), in sealed time slices',
  operations: ['logs:DescribeLogGroups', 'logs:FilterLogEvents'],
  permissions: ['logs:DescribeLogGroups', 'logs:FilterLogEvents'],
  produces: ['logs.events'],
}

export {parseDuration, parseTimeSpec} from '../core/time.js'

const COLLECTOR = logsCollector.id
/** FilterLogEvents allows 5 requests per second per account and region; stay under it. */
export const MAX_LOGS_CONCURRENCY = 4
export const LOGS_REQUESTS_PER_SECOND = 4

/** Slice lengths tried in turn: the first that cuts the window into at most 24 slices is used. */
const SLICE_LADDER = [5 * 60_000, 15 * 60_000, 3_600_000, 6 * 3_600_000, 86_400_000, 7 * 86_400_000]

export function chooseSliceMs(windowMs: number): number {
  return SLICE_LADDER.find((s) => windowMs / s <= 24) ?? SLICE_LADDER.at(-1)!
}

export interface Slice {
  /** Inclusive start, exclusive end, epoch milliseconds. */
  start: number
  end: number
}

/**
 * Cuts `[start, end)` into slices on a fixed grid of `sliceMs` from the epoch, so that two runs
 * over overlapping windows share the slices in between (which is what `--resume` relies on).
 */
export function planSlices(start: number, end: number, sliceMs: number): Slice[] {
  const out: Slice[] = []
  for (let t = start; t < end; ) {
    const next = Math.min(end, (Math.floor(t / sliceMs) + 1) * sliceMs)
    out.push({start: t, end: next})
    t = next
  }
  return out
}

export interface LogsCollectOptions {
  logGroupName: string
  start: number
  end: number
  sliceMs?: number
  concurrency?: number
  filterPattern?: string
  /** Skip slices already sealed for this log group and pattern in an earlier run of the case. */
  resume?: boolean
}

export interface SliceOutcome {
  start: string
  end: string
  /** complete; skipped (sealed by an earlier run of the case, named by runId); failed (a gap is recorded). */
  status: 'complete' | 'skipped' | 'failed'
  events: number
  key?: string
  sha256?: string
  /** For skipped slices: the earlier run that holds them. */
  runId?: string
}

export interface LogsCollection {
  logGroupName: string
  region: string
  start: string
  end: string
  sliceMinutes: number
  events: number
  streams: Record<string, number>
  slices: SliceOutcome[]
  found: boolean
}

const stamp = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')
const sliceId = (s: Slice): string => `${s.start}-${s.end}`

/** A FilterLogEvents event, as written: one NDJSON line per event. */
interface LogEventLine {
  logGroupName: string
  logStreamName: string | undefined
  timestamp: number | undefined
  ingestionTime: number | undefined
  message: string | undefined
  eventId: string | undefined
}

/**
 * Collects a log group's events over a time window: the window is cut into slices fetched in
 * parallel (at most four at once, under FilterLogEvents' 5 requests per second), each streamed
 * through the SDK paginator into its own gzip NDJSON artifact with per-stream counts. A slice that
 * fails is a gap; the others still land. With `resume`, slices sealed by an earlier run are skipped.
 */
export async function collectLogEvents(ctx: AwsContext, options: LogsCollectOptions): Promise<LogsCollection> {
  const {run, gaps} = ctx
  const region = ctx.aws.defaultRegion
  const logs = ctx.aws.client(CloudWatchLogsClient, region)
  rateLimitClient(logs as unknown as MiddlewareClient, LOGS_REQUESTS_PER_SECOND)
  const group = options.logGroupName
  const sliceMs = options.sliceMs ?? chooseSliceMs(options.end - options.start)
  const result: LogsCollection = {
    logGroupName: group,
    region,
    start: new Date(options.start).toISOString(),
    end: new Date(options.end).toISOString(),
    sliceMinutes: sliceMs / 60_000,
    events: 0,
    streams: {},
    slices: [],
    found: true,
  }
  const base = {collector: COLLECTOR, resource: group, region}

  // Without DescribeLogGroups the events may still be readable: a failure is a gap and the slices are still read.
  const found = await gaps.attempt({...base, operation: 'logs:DescribeLogGroups'}, async () => {
    for await (const page of paginateDescribeLogGroups({client: logs}, {logGroupNamePrefix: group})) {
      if ((page.logGroups ?? []).some((g) => g.logGroupName === group)) return true
    }
    return false
  })
  if (found === false) {
    result.found = false
    await gaps.add({
      ...base,
      code: 'log-group-not-found',
      reason: `Log group ${JSON.stringify(group)} does not exist in ${region} (a function that never ran, or logs sent elsewhere). List groups with \`aws logs describe-log-groups --region ${region}\`.`,
    })
    return result
  }

  const slices = planSlices(options.start, options.end, sliceMs)
  const sealed = options.resume ? await sealedSlices(ctx.store, run.caseId, group, region, options.filterPattern) : new Map<string, SealedSlice>()
  const task = ctx.progress.task(`${group} slices`, slices.length)
  const outcomes = await mapPool(
    slices,
    Math.min(options.concurrency ?? MAX_LOGS_CONCURRENCY, MAX_LOGS_CONCURRENCY),
    async (slice): Promise<SliceOutcome> => {
      const window = {start: new Date(slice.start).toISOString(), end: new Date(slice.end).toISOString()}
      const earlier = sealed.get(sliceId(slice))
      try {
        if (earlier) {
          await run.skip('logs-slice', `${group} ${window.start}..${window.end} was sealed by run ${earlier.runId} (${earlier.key}, sha256 ${earlier.sha256})`)
          return {...window, status: 'skipped', events: earlier.records, key: earlier.key, sha256: earlier.sha256, runId: earlier.runId}
        }
        return await collectSlice(ctx, logs, group, region, slice, options.filterPattern, result)
      } finally {
        task.advance()
      }
    },
    ctx.signal,
  )
  task.done()
  rethrowStoreWriteFailure(outcomes)
  result.slices = outcomes.map((o, i) => {
    if (o.ok) return o.value
    const s = slices[i]!
    return {start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString(), status: 'failed', events: 0}
  })
  result.streams = Object.fromEntries(Object.entries(result.streams).sort(([a], [b]) => a.localeCompare(b)))
  return result
}

async function collectSlice(
  ctx: AwsContext,
  logs: CloudWatchLogsClient,
  group: string,
  region: string,
  slice: Slice,
  filterPattern: string | undefined,
  total: LogsCollection,
): Promise<SliceOutcome> {
  const {run, gaps} = ctx
  const window = {start: new Date(slice.start).toISOString(), end: new Date(slice.end).toISOString()}
  const streams: Record<string, number> = {}
  let events = 0
  let first: number | undefined
  let last: number | undefined
  async function* fetchEvents(): AsyncIterable<LogEventLine> {
    // FilterLogEvents' endTime is inclusive; slices are half-open, so the next slice owns `end`.
    const pages = paginateFilterLogEvents(
      {client: logs},
      {logGroupName: group, startTime: slice.start, endTime: slice.end - 1, ...(filterPattern === undefined ? {} : {filterPattern})},
    )
    for await (const page of pages) {
      if (ctx.signal.aborted) throw ctx.signal.reason
      for (const e of page.events ?? []) {
        yield {logGroupName: group, logStreamName: e.logStreamName, timestamp: e.timestamp, ingestionTime: e.ingestionTime, message: e.message, eventId: e.eventId}
      }
    }
  }
  const body = ndjsonGzip(fetchEvents(), (e) => {
    events++
    const stream = e.logStreamName ?? ''
    streams[stream] = (streams[stream] ?? 0) + 1
    if (e.timestamp !== undefined) {
      first = first === undefined ? e.timestamp : Math.min(first, e.timestamp)
      last = last === undefined ? e.timestamp : Math.max(last, e.timestamp)
    }
  })
  const call = {collector: COLLECTOR, resource: `${group} ${window.start}..${window.end}`, region, operation: 'logs:FilterLogEvents'}
  const record = await gaps.attempt(call, () =>
    run.putArtifact(['logs', region, group, `events_${stamp(slice.start)}_${stamp(slice.end)}.ndjson.gz`], body, {
      kind: 'logs.events',
      contentType: 'application/x-ndjson+gzip',
      source: `logs:${region}:${group}`,
      collector: COLLECTOR,
      region,
      // Counts are final by the time the store has the last byte, which is before this object is built.
      get records() {
        return events
      },
      get attributes() {
        return sliceAttributes()
      },
    }).catch((error: unknown) => {
      body.destroy()
      throw error
    }),
  )
  if (record === undefined) return {...window, status: 'failed', events: 0}
  total.events += events
  for (const [s, n] of Object.entries(streams)) total.streams[s] = (total.streams[s] ?? 0) + n
  return {...window, status: 'complete', events, key: record.key, sha256: record.sha256}

  function sliceAttributes(): Record<string, unknown> {
    return {
      logGroupName: group,
      sliceStart: window.start,
      sliceEnd: window.end,
      startTime: slice.start,
      endTime: slice.end,
      ...(filterPattern === undefined ? {} : {filterPattern}),
      ...(first === undefined ? {} : {firstEventTime: new Date(first).toISOString(), lastEventTime: new Date(last!).toISOString()}),
      streams,
    }
  }
}

interface SealedSlice {
  runId: string
  key: string
  sha256: string
  records: number
}

/**
 * Slices of this log group (same region and filter pattern) that sealed runs of the case already
 * hold, by `start-end`, from each manifest as first written (the case index): a manifest laid
 * over later is not trusted, as verify does not trust it. Only manifests count: a run that was
 * cut short sealed nothing.
 */
export async function sealedSlices(store: EvidenceStore, caseId: string, group: string, region: string, filterPattern?: string): Promise<Map<string, SealedSlice>> {
  const out = new Map<string, SealedSlice>()
  for (const run of (await indexCase(store, caseId)).runs) {
    if (!run.manifest) continue
    const m = await readManifest(store, run.manifestKey, run.manifest.versionId)
    for (const a of m.artifacts) {
      const at = a.attributes ?? {}
      if (a.kind !== 'logs.events' || at.logGroupName !== group || a.region !== region || at.filterPattern !== filterPattern) continue
      if (typeof at.startTime !== 'number' || typeof at.endTime !== 'number') continue
      out.set(`${at.startTime}-${at.endTime}`, {runId: m.runId, key: a.key, sha256: a.sha256, records: a.records ?? 0})
    }
  }
  return out
}

/** The log group Lambda writes a function's logs to. */
export const lambdaLogGroup = (functionName: string): string => `/aws/lambda/${functionName}`

/**
 * Collects several log groups side by side (each group's slices in parallel too): every request
 * takes its turn from the one pace of the region's client, so the groups together stay within the
 * account's FilterLogEvents budget however many run at once. Results are in the order given; a
 * group that fails ends the collection once the others have settled, as one failing alone did.
 */
export async function collectLogGroups(ctx: AwsContext, groups: readonly string[], options: Omit<LogsCollectOptions, 'logGroupName'>): Promise<LogsCollection[]> {
  const window = {start: new Date(options.start).toISOString(), end: new Date(options.end).toISOString()}
  // The groups share one request budget, so the slices are chosen for all of them: at most 24 in all, not 24 each.
  const sliceMs = options.sliceMs ?? chooseSliceMs((options.end - options.start) * Math.max(1, groups.length))
  const settled = await mapPool(groups, MAX_LOGS_CONCURRENCY, (logGroupName) => ctx.run.step('logs-group', {logGroupName, ...window}, () => collectLogEvents(ctx, {...options, sliceMs, logGroupName})), ctx.signal)
  const out: LogsCollection[] = []
  for (const s of settled) {
    if (s.ok) out.push(s.value)
    // A group not started before an interrupt is left out: the run ends incomplete.
    else if (!ctx.signal.aborted) throw s.error
  }
  return out
}
