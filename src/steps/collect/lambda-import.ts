import {z} from 'zod'
import {importLambdaOutputs, lambdaImportCollector} from '../../collectors/lambda-import.js'
import {defineStep} from '../step.js'

const params = z.object({paths: z.array(z.string().min(1)).min(1).describe('API output files (JSON), or folders of them')}).strict()

/**
 * `lambda-import`: Lambda and IAM API outputs a responder was handed (the AWS CLI's or the SDK's
 * JSON), kept byte for byte under the kinds a live snapshot gives them. No AWS call.
 */
export const lambdaImportStep = defineStep({
  id: lambdaImportCollector.id,
  kind: 'collect',
  title: lambdaImportCollector.title,
  params,
  records: true,
  operations: [],
  permissions: () => [],
  usesAws: () => false,
  produces: lambdaImportCollector.produces,
  run: (ctx, p) => importLambdaOutputs(ctx, p.paths),
})
