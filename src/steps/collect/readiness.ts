import {z} from 'zod'
import {auditReadiness, preserveReadiness, type ReadinessReport} from '../../collectors/readiness/audit.js'
import {readinessCollector} from '../../collectors/readiness/definition.js'
import {defineStep} from '../step.js'

const params = z
  .object({
    regions: z.array(z.string().min(1)).min(1).optional().describe('Regions to audit; default: the configured region'),
    functions: z.array(z.string().min(1)).optional().describe('Function names or ARNs; default: every function of the regions'),
    retentionDays: z.number().int().min(1).max(3653).default(365).describe("Days a function's log group and the evidence bucket must keep what they hold"),
    runtimeWarningDays: z.number().int().min(0).max(3650).default(180).describe('A runtime deprecated within this many days fails coroner-lambda-runtime-deprecation-soon'),
    evidenceBucket: z.string().min(3).optional().describe("The evidence bucket to check; default: the S3 store's bucket"),
  })
  .strict()

/** The result of the step: the report, and the evidence key it was preserved under when it recorded. */
export type ReadinessStepResult = ReadinessReport & {artifact?: {key: string; sha256: string}}

/**
 * `readiness`: a read-only audit of whether the evidence of an intrusion will exist. It records
 * only when given a case (or run inside a playbook's run), as one `readiness.checks` artifact.
 */
export const readinessStep = defineStep({
  id: 'readiness',
  kind: 'collect',
  title: readinessCollector.title,
  command: 'readiness',
  params,
  records: 'with-case',
  operations: readinessCollector.operations,
  permissions: () => readinessCollector.permissions,
  usesAws: () => true,
  produces: readinessCollector.produces,
  async run(ctx, p): Promise<ReadinessStepResult> {
    const report = await auditReadiness(
      ctx,
      {regions: p.regions ?? [ctx.aws.defaultRegion], functions: p.functions, retentionDays: p.retentionDays, runtimeWarningDays: p.runtimeWarningDays, evidenceBucket: p.evidenceBucket},
      ctx.gaps,
    )
    if (ctx.run === undefined) return report
    const stored = await preserveReadiness(ctx.run, report)
    return {...report, artifact: {key: stored.key, sha256: stored.sha256}}
  },
})
