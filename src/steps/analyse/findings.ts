import {z} from 'zod'
import {ensureCaseDb} from '../../analysis/case-db.js'
import {buildFindings, type FindingsSummary} from '../../analysis/findings/build.js'
import {defaultDbPath} from '../../analysis/load.js'
import {redactForCaseDb} from '../../analysis/secrets.js'
import {usageError} from '../../core/errors.js'
import {defineStep} from '../step.js'

const params = z
  .object({
    db: z.string().min(1).optional().describe('The case database; default ./coroner-analysis/<case>/case.duckdb, built from the evidence when missing'),
    reload: z.boolean().default(false).describe('Rebuild the case database from the store first (a database of another store, or of older evidence, is refused otherwise)'),
    rules: z.array(z.string().min(1)).optional().describe('Extra Sigma rule files or directories'),
    builtin: z.boolean().default(true).describe('Include the shipped Sigma rules'),
    limit: z.number().int().min(1).default(10_000).describe('Hits or rows of one rule or query kept as findings (all are counted)'),
  })
  .strict()

export interface FindingsResult extends FindingsSummary {
  caseId: string
}

/** `findings`: every Sigma rule and every detection query, folded into the case's one `findings` table; secrets redacted by value in the result unless asked (the table, like the evidence, keeps what was found). */
export const findingsStep = defineStep({
  id: 'findings',
  kind: 'analyse',
  title: 'Run every Sigma rule and detection query over the case and fill its findings table',
  command: 'findings',
  params,
  records: false,
  operations: [],
  permissions: () => [],
  usesAws: () => false,
  produces: [],
  async run(ctx, p): Promise<FindingsResult> {
    if (ctx.caseId === undefined) throw usageError('no-case', 'findings needs a case: give --case.')
    const {dbPath} = await ensureCaseDb(ctx, ctx.caseId, p.db ?? defaultDbPath(ctx.caseId), {reload: p.reload})
    const summary = await buildFindings({dbPath, builtin: p.builtin, limit: p.limit, progress: ctx.progress, signal: ctx.signal, ...(p.rules === undefined ? {} : {rules: p.rules})})
    return {caseId: ctx.caseId, ...(ctx.showSecrets ? summary : await redactForCaseDb(dbPath, summary))}
  },
  assess: (r) => ({findings: r.findings}),
})
