import {z} from 'zod'
import {caseVersions, holdCase, legalHoldOf} from '../../evidence/hold.js'
import {usageError} from '../../core/errors.js'
import {NO_AWS, defineStep} from '../step.js'

const params = z.object({on: z.boolean().describe('Place the legal hold (true) or lift it (false)')}).strict()

/** `evidence hold`: a legal hold placed on (or lifted from) every object version of a case, recorded as a run. */
export const evidenceHoldStep = defineStep({
  id: 'evidence-hold',
  kind: 'evidence',
  title: 'Place or lift an S3 Object Lock legal hold on every object version of a case',
  command: 'evidence hold',
  params,
  records: true,
  // The store's own client does the work; its permissions come with the store's (`coroner permissions --hold`).
  ...NO_AWS,
  produces: ['evidence.legal-hold'],
  async prepare(ctx, p) {
    legalHoldOf(ctx.store)
    if (ctx.caseId === undefined) throw usageError('no-case', 'evidence hold needs a case: give --case.')
    await caseVersions(ctx, ctx.caseId)
    return p
  },
  run: (ctx, p) => holdCase(ctx, p.on),
})
