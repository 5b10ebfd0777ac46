import {z} from 'zod'
import {parseS3Uri} from '../../aws/s3-uri.js'
import {importLogsExport, logsExportCollector} from '../../collectors/logs-export.js'
import {assertInputPath} from '../../core/input-path.js'
import {defineStep} from '../step.js'
import {declaredBy} from './declared.js'

const params = z
  .object({
    paths: z.array(z.string().min(1)).min(1).describe('s3://bucket/prefix, export folders (the prefix or one task folder) or .gz files'),
    logGroupName: z.string().min(1).optional().describe('The log group that was exported (the export files do not name it)'),
  })
  .strict()

const fromS3 = (paths: readonly string[]): boolean => paths.some((p) => parseS3Uri(p) !== undefined)

/** `import logs`: CloudWatch Logs export task output, preserved byte for byte. */
export const logsExportStep = defineStep({
  ...declaredBy(logsExportCollector),
  kind: 'collect',
  command: 'import logs',
  params,
  records: true,
  permissions: (p) => (p === undefined || fromS3(p.paths) ? logsExportCollector.permissions : []),
  usesAws: (p) => fromS3(p.paths),
  async prepare(_ctx, p) {
    // Local paths only: a FIFO or device is refused before anything opens it.
    for (const file of p.paths) if (parseS3Uri(file) === undefined) await assertInputPath(file, 'file or folder')
    return p
  },
  run: (ctx, p) => importLogsExport(ctx, p.paths, p.logGroupName),
})
