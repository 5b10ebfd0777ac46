import path from 'node:path'
import {z} from 'zod'
import {importLambdaOutputs, lambdaImportCollector} from '../../collectors/lambda-import.js'
import {assertInputPath} from '../../core/input-path.js'
import {NO_AWS, defineStep} from '../step.js'

const params = z.object({paths: z.array(z.string().min(1)).min(1).describe('API output files (JSON), or folders of them')}).strict()

/**
 * `lambda-import`: Lambda and IAM API outputs a responder was handed (the AWS CLI's or the SDK's
 * JSON), kept byte for byte under the kinds a live snapshot gives them, every file accounted for
 * as CloudTrail imports are (a run that left any out ends partial). No AWS call.
 */
export const lambdaImportStep = defineStep({
  ...lambdaImportCollector,
  command: 'import lambda',
  kind: 'collect',
  params,
  records: true,
  ...NO_AWS,
  async prepare(_ctx, p) {
    // A FIFO or device is refused before anything opens it (a FIFO would wait for a writer for ever).
    for (const file of p.paths) await assertInputPath(file, 'file or folder')
    return {paths: p.paths.map((f) => path.resolve(f))}
  },
  run: (ctx, p) => importLambdaOutputs(ctx, p.paths),
})
