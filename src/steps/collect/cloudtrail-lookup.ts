import {z} from 'zod'
import {cloudtrailLookupCollector, collectLookupEvents, LOOKUP_DEFAULT_RATE} from '../../collectors/cloudtrail-lookup.js'
import {findLookupCheckpoints} from '../../collectors/cloudtrail-resume.js'
import {usageError} from '../../core/errors.js'
import type {StoreContext} from '../../evidence/context.js'
import {defineStep} from '../step.js'
import {declaredBy} from './declared.js'

const LOOKUP_KEYS = ['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId'] as const
const time = z.iso.datetime({offset: true})

const params = z
  .object({
    since: time.optional().describe('Start of the window (ISO 8601); required unless resuming'),
    until: time.optional().describe('End of the window (ISO 8601); required unless resuming'),
    regions: z.array(z.string().min(1)).default([]).describe('Regions to look up, each in parallel; default the configured region'),
    filters: z
      .array(z.object({key: z.enum(LOOKUP_KEYS), value: z.string()}).strict())
      .default([])
      .describe('Lookup attributes, one stream each (the API takes one per call); none means every management event'),
    ratePerSecond: z.number().positive().default(LOOKUP_DEFAULT_RATE).describe("Requests per second per region (AWS's limit is 2)"),
    burst: z.number().int().min(1).default(1).describe('Requests allowed back to back'),
    chunkEvents: z.number().int().min(1).default(1000).describe('Events per chunk artifact'),
    resume: z.boolean().default(false).describe('Continue the latest LookupEvents run of the case from its last sealed chunk'),
    resumeOf: z.string().min(1).optional().describe('The run continued (filled in by resume)'),
  })
  .strict()
type Params = z.output<typeof params>

/** `collect cloudtrail` without --archive: management events through LookupEvents, paced, chunked and resumable. */
export const cloudtrailLookupStep = defineStep({
  ...declaredBy(cloudtrailLookupCollector),
  kind: 'collect',
  command: 'collect cloudtrail',
  params,
  records: true,
  permissions: () => cloudtrailLookupCollector.permissions,
  usesAws: () => true,
  prepare: resolveWindow,
  async run(ctx, p) {
    const resumed = p.resumeOf === undefined ? undefined : await findLookupCheckpoints(ctx.store, ctx.caseId, {runId: p.resumeOf})
    if (resumed) await ctx.run.note('cloudtrail-lookup resumed', {from: resumed.runId, checkpoints: [...resumed.checkpoints.values()]})
    const streams = await collectLookupEvents(ctx, {
      since: new Date(p.since!),
      until: new Date(p.until!),
      regions: p.regions.length > 0 ? p.regions : [ctx.aws.defaultRegion],
      filters: p.filters,
      ratePerSecond: p.ratePerSecond,
      burst: p.burst,
      chunkEvents: p.chunkEvents,
      ...(resumed ? {resume: resumed.checkpoints} : {}),
    })
    return {lookup: streams, ...(resumed ? {resumedFrom: resumed.runId} : {})}
  },
})

/**
 * The window to look up: as given, or with `resume` the earlier run's (a different window or
 * filters is refused: the checkpoints would not fit it). Checked before any run opens.
 */
async function resolveWindow(ctx: StoreContext, p: Params): Promise<Params> {
  let resolved = p
  if (p.resume) {
    const earlier = ctx.caseId === undefined ? undefined : await findLookupCheckpoints(ctx.store, ctx.caseId)
    if (!earlier) throw usageError('nothing-to-resume', `Case ${ctx.caseId ?? ''} has no earlier LookupEvents run to resume.`, 'Run without --resume first.')
    const e = earlier.parameters
    const since = p.since ?? (typeof e.since === 'string' ? e.since : undefined)
    const until = p.until ?? (typeof e.until === 'string' ? e.until : undefined)
    const filters = p.filters.length > 0 ? p.filters : ((e.filters as Params['filters'] | undefined) ?? [])
    const regions = p.regions.length > 0 ? p.regions : ((e.regions as string[] | undefined) ?? [])
    const same = (a: string | undefined, b: unknown): boolean => a !== undefined && typeof b === 'string' && Date.parse(a) === Date.parse(b)
    if (!same(since, e.since) || !same(until, e.until) || JSON.stringify(e.filters) !== JSON.stringify(filters)) {
      throw usageError('resume-mismatch', `--resume continues run ${earlier.runId}, which looked up ${String(e.since)} to ${String(e.until)} with ${JSON.stringify(e.filters)}.`, 'Give the same window and filters, or omit them to reuse the earlier ones.')
    }
    resolved = {...p, ...(since === undefined ? {} : {since}), ...(until === undefined ? {} : {until}), filters, regions, resumeOf: earlier.runId}
  }
  if (resolved.since === undefined || resolved.until === undefined) throw usageError('missing-window', 'Give --since and --until.', 'e.g. --since 2026-11-01T00:00:00Z --until 2026-11-02T00:00:00Z')
  if (Date.parse(resolved.since) > Date.parse(resolved.until)) throw usageError('invalid-window', `--since ${resolved.since} is after --until ${resolved.until}.`, 'Swap them.')
  return resolved
}
