import {stat} from 'node:fs/promises'
import path from 'node:path'
import {z} from 'zod'
import {importRecordFiles, type ArchiveCollectResult} from '../../collectors/cloudtrail-archive.js'
import {LocalArchiveSource} from '../../collectors/cloudtrail-source.js'
import {usageError} from '../../core/errors.js'
import {NO_AWS, defineStep} from '../step.js'

const params = z.object({paths: z.array(z.string().min(1)).min(1).describe('CloudTrail files, or folders of them (.json, .json.gz, .ndjson)')}).strict()

export interface CloudTrailImport {
  files: number
  converted: number
  malformed: number
  records: number
  problems: ArchiveCollectResult['problems']
}

/** `import cloudtrail`: CloudTrail files a responder was handed, kept as they are and converted to records. */
export const cloudtrailImportStep = defineStep({
  id: 'cloudtrail-import',
  kind: 'collect',
  title: 'CloudTrail files handed over (delivery files, JSON arrays, saved LookupEvents output), kept and converted to records',
  command: 'import cloudtrail',
  params,
  records: true,
  ...NO_AWS,
  produces: ['cloudtrail.records', 'file.added'],
  async prepare(_ctx, p) {
    for (const file of p.paths) {
      if (!(await stat(file).catch(() => undefined))) throw usageError('file-not-found', `Cannot read ${file}: no such file or folder.`, 'Check the path; nothing was imported.')
    }
    return {paths: p.paths.map((f) => path.resolve(f))}
  },
  async run(ctx, p): Promise<CloudTrailImport> {
    const totals: CloudTrailImport = {files: 0, converted: 0, malformed: 0, records: 0, problems: []}
    for (const file of p.paths) {
      if (ctx.signal.aborted) break
      const folder = (await stat(file)).isDirectory()
      const source = new LocalArchiveSource(folder ? file : path.dirname(file))
      const r = await ctx.run.step('cloudtrail-import-path', {path: file}, () => importRecordFiles(ctx, source, folder ? undefined : [path.basename(file)]))
      totals.files += r.files
      totals.converted += r.stored
      totals.malformed += r.malformed
      totals.records += r.records
      totals.problems.push(...r.problems)
    }
    return totals
  },
})
