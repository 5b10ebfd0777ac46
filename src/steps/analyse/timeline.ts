import {z} from 'zod'
import {TIMELINE_SOURCES, readTimeline, streamTimelineRows, type TimelineFilter, type TimelinePage} from '../../analysis/timeline.js'
import type {StoreContext} from '../../evidence/context.js'
import {caseDbParams, openCaseDb, openCaseRows, type CaseRows} from './case-db-params.js'
import {defineStep} from '../step.js'
import {OFFLINE} from './offline.js'

const params = z
  .object({
    since: z.string().min(1).optional().describe('From this time, inclusive: ISO 8601, a duration before now (24h, 7d) or now'),
    until: z.string().min(1).optional().describe('Up to this time, exclusive (the same syntax)'),
    actor: z.string().optional().describe('Only rows whose actor contains this text'),
    target: z.string().optional().describe('Only rows whose target contains this text'),
    sources: z.array(z.enum(TIMELINE_SOURCES)).optional().describe('Only these sources'),
    limit: z.number().int().min(1).optional().describe('At most this many rows, the oldest half and the newest half; default all'),
    ...caseDbParams,
  })
  .strict()

/** The filter the parameters give. */
const filterOf = (p: z.output<typeof params>): TimelineFilter => {
  const {db: _db, reload: _reload, ...given} = p
  return Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as TimelineFilter
}

/** Every row of the filtered timeline over the open case database, a chunk at a time (no limit), redacted unless shown. */
export async function openTimeline(ctx: StoreContext, p: z.output<typeof params>): Promise<CaseRows<{columns: string[]}>> {
  return openCaseRows(ctx, p, async (db) => {
    const {columns, chunks} = await streamTimelineRows(db, filterOf(p), ctx.clock.now())
    return {head: {columns}, chunks}
  })
}

/** `timeline`: CloudTrail, function logs, Lambda changes and custody of a case, in time order, each row citing its evidence. */
export const timelineStep = defineStep({
  id: 'timeline',
  kind: 'analyse',
  title: 'The timeline of a case, each row naming its evidence object and SHA-256',
  command: 'timeline',
  params,
  ...OFFLINE,
  async run(ctx, p): Promise<{timeline: TimelinePage}> {
    const {db, redact} = await openCaseDb(ctx, p)
    try {
      const result = await readTimeline(db, filterOf(p), ctx.clock.now())
      if (redact !== undefined) result.rows = result.rows.map(redact)
      return {timeline: result}
    } finally {
      db.close()
    }
  },
})
