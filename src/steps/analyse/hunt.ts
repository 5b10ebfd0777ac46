import {z} from 'zod'
import {ensureCaseDb} from '../../analysis/case-db.js'
import {SIGMA_LEVELS} from '../../analysis/sigma/rule.js'
import {huntCaseDatabase, type HuntReport} from '../../analysis/sigma/run.js'
import {redactForCaseDb} from '../../analysis/secrets.js'
import {usageError} from '../../core/errors.js'
import {caseDbParams, dbPathOf} from './case-db-params.js'
import {defineStep} from '../step.js'
import {OFFLINE} from './offline.js'

const params = z
  .object({
    rules: z.array(z.string().min(1)).default([]).describe('Sigma rule files or directories of rules, beside the shipped ones'),
    builtin: z.boolean().default(true).describe('Include the shipped rules (queries/sigma)'),
    minLevel: z.enum(SIGMA_LEVELS.slice(1) as [string, ...string[]]).optional().describe('Run only rules of this level or above'),
    limit: z.number().int().min(1).default(1000).describe('Hits listed per rule (all are counted)'),
    ...caseDbParams,
  })
  .strict()

/** `hunt`: Sigma rules for CloudTrail compiled to SQL and run over the case's events, every hit citing its evidence; the case's secrets hidden by value in the result unless asked. */
export const huntStep = defineStep({
  id: 'hunt',
  kind: 'analyse',
  title: "Run Sigma rules for AWS CloudTrail over a case's events",
  command: 'hunt',
  params,
  ...OFFLINE,
  async run(ctx, p): Promise<HuntReport> {
    if (ctx.caseId === undefined) throw usageError('no-case', 'hunt needs a case: give --case.')
    const {dbPath} = await ensureCaseDb(ctx, ctx.caseId, dbPathOf(ctx, p), {reload: p.reload})
    const report = await huntCaseDatabase({
      caseId: ctx.caseId,
      db: dbPath,
      rules: p.rules,
      builtin: p.builtin,
      ...(p.minLevel === undefined ? {} : {minLevel: p.minLevel as (typeof SIGMA_LEVELS)[number]}),
      maxHitsPerRule: p.limit,
      progress: ctx.progress,
      signal: ctx.signal,
    })
    return ctx.showSecrets ? report : redactForCaseDb(dbPath, report)
  },
  assess: (r) => ({findings: r.rules.reduce((n, x) => n + x.hits, 0)}),
})
