import {z} from 'zod'
import {collectLambdaFunctions, lambdaCollector} from '../../collectors/lambda.js'
import {iamRoleCollector} from '../../collectors/iam-role.js'
import {defineStep} from '../step.js'
import {declaredBy} from './declared.js'

const params = z
  .object({
    functions: z.array(z.string().min(1)).min(1).describe('Function names or ARNs'),
    region: z.string().min(1).optional().describe('Region of functions given by name (ARNs carry their own); default: the configured region'),
    allVersions: z.boolean().default(false).describe('Every published version, not only $LATEST and the versions aliases route to'),
    collectRoles: z.boolean().default(true).describe('Snapshot each execution role too'),
    concurrency: z.number().int().min(1).max(16).default(4).describe('Functions collected at once'),
  })
  .strict()

/** `collect lambda`: a read-only snapshot of functions, their code, configuration, triggers and roles. */
export const lambdaStep = defineStep({
  ...declaredBy(lambdaCollector),
  kind: 'collect',
  command: 'collect lambda',
  params,
  records: true,
  permissions: (p) => (p?.collectRoles ?? true ? lambdaCollector.permissions : lambdaCollector.permissions.filter((a) => !iamRoleCollector.permissions.includes(a))),
  usesAws: () => true,
  run: (ctx, p) => collectLambdaFunctions(ctx, p),
})
