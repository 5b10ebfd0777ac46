import {z} from 'zod'
import {SELECTOR_HELP, lambdaTargetsCollector, parseSelector, resolveTargets, selectorsNeedAws} from '../../collectors/lambda-targets.js'
import {CoronerError} from '../../core/errors.js'
import {defineStep} from '../step.js'
import {declaredBy} from './declared.js'

const params = z
  .object({
    selectors: z
      .array(z.string().refine((s) => parseSelector(s) !== undefined, {message: `not a function selector: give ${SELECTOR_HELP}`}))
      .min(1)
      .describe(`Functions to work on: ${SELECTOR_HELP}`),
    regions: z.array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'an AWS region such as eu-west-1')).optional().describe('Regions searched for tag selectors and *; the first is where bare names are looked up. Default: the configured region'),
    concurrency: z.number().int().min(1).max(16).default(4).describe('ListTags calls at once'),
  })
  .strict()

/** `lambda-targets`: the functions a playbook works on, resolved from names, ARNs, tags or `*` (read-only). */
export const lambdaTargetsStep = defineStep({
  ...declaredBy(lambdaTargetsCollector),
  kind: 'collect',
  params,
  records: true,
  // Without parameters (selectors known only at run time): everything it may need.
  permissions: (p) => {
    const kinds = new Set(p === undefined ? ['tag', 'all'] : p.selectors.map((s) => parseSelector(s)?.kind))
    return [...(kinds.has('tag') || kinds.has('all') ? ['lambda:ListFunctions'] : []), ...(kinds.has('tag') ? ['lambda:ListTags'] : [])]
  },
  usesAws: (p) => selectorsNeedAws(p.selectors),
  async run(ctx, p) {
    const result = await resolveTargets(ctx, p)
    if (result.functions.length === 0) {
      throw new CoronerError('no-function-matched', `No function matched ${p.selectors.join(', ')} in ${result.regions.join(', ')}.`, {
        hint: 'Check the tag (aws lambda list-tags), the regions (--param regions=…), or name the functions.',
      })
    }
    return result
  },
})
