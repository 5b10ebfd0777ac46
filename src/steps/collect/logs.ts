import {z} from 'zod'
import {collectLogGroups, logsCollector} from '../../collectors/logs.js'
import {usageError} from '../../core/errors.js'
import {defineStep} from '../step.js'
import {declaredBy} from './declared.js'

const params = z
  .object({
    groups: z.array(z.string().min(1)).min(1).describe('Log group names, e.g. /aws/lambda/payments-api'),
    start: z.iso.datetime({offset: true}).describe('Start of the window (ISO 8601), inclusive'),
    end: z.iso.datetime({offset: true}).describe('End of the window (ISO 8601), exclusive'),
    filterPattern: z.string().optional().describe('CloudWatch Logs filter pattern; default every event'),
    sliceMs: z.number().int().min(60_000).optional().describe('Slice length in milliseconds; default chosen so the window has at most 24 slices across all the log groups'),
    resume: z.boolean().default(false).describe('Skip slices already sealed for the same log group by an earlier run of the case'),
  })
  .strict()

/** `collect logs`: CloudWatch Logs events of log groups over a window, in sealed time slices. */
export const logsStep = defineStep({
  ...declaredBy(logsCollector),
  kind: 'collect',
  command: 'collect logs',
  params,
  records: true,
  permissions: () => logsCollector.permissions,
  usesAws: () => true,
  async prepare(_ctx, p) {
    if (Date.parse(p.end) <= Date.parse(p.start)) throw usageError('empty-window', `start ${p.start} is not before end ${p.end}.`, 'Give a start earlier than the end.')
    return p
  },
  async run(ctx, p) {
    const options = {
      start: Date.parse(p.start),
      end: Date.parse(p.end),
      resume: p.resume,
      ...(p.sliceMs === undefined ? {} : {sliceMs: p.sliceMs}),
      ...(p.filterPattern === undefined ? {} : {filterPattern: p.filterPattern}),
    }
    return {groups: await collectLogGroups(ctx, p.groups, options)}
  },
})
