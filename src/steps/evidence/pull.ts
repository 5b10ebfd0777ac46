import {z} from 'zod'
import {usageError} from '../../core/errors.js'
import {pullCase} from '../../evidence/pull.js'
import {defineStep} from '../step.js'
import {OFFLINE} from '../analyse/offline.js'

const params = z.object({to: z.string().min(1).describe('Directory to pull into; it becomes a local evidence store')}).strict()

/** `evidence pull`: a case copied into a local store, every hash checked on the way, the copy verified. */
export const evidencePullStep = defineStep({
  id: 'evidence-pull',
  kind: 'evidence',
  title: 'Copy a case into a local directory store, checking every hash against the manifest',
  command: 'evidence pull',
  params,
  ...OFFLINE,
  run(ctx, p) {
    if (ctx.caseId === undefined) throw usageError('no-case', 'evidence pull needs a case: give --case.')
    return pullCase(ctx.store, ctx.caseId, p.to, ctx.progress, ctx.signal)
  },
})
