import {z} from 'zod'
import {importLambdaOutputs, lambdaImportCollector} from '../../collectors/lambda-import.js'
import {NO_AWS, defineStep} from '../step.js'

const params = z.object({paths: z.array(z.string().min(1)).min(1).describe('API output files (JSON), or folders of them')}).strict()

/**
 * `lambda-import`: Lambda and IAM API outputs a responder was handed (the AWS CLI's or the SDK's
 * JSON), kept byte for byte under the kinds a live snapshot gives them. No AWS call.
 */
export const lambdaImportStep = defineStep({
  ...lambdaImportCollector,
  kind: 'collect',
  params,
  records: true,
  ...NO_AWS,
  run: (ctx, p) => importLambdaOutputs(ctx, p.paths),
})
