import path from 'node:path'
import {z} from 'zod'
import {cloudtrailArchiveCollector} from '../../collectors/cloudtrail-archive.js'
import {listInputs} from '../../collectors/import-walk.js'
import {importInputs, type ImportAccount} from '../../collectors/import-run.js'
import {assertInputPath} from '../../core/input-path.js'
import {NO_AWS, defineStep} from '../step.js'

const params = z.object({paths: z.array(z.string().min(1)).min(1).describe('CloudTrail files, or folders of them, in any shape coroner reads (docs/cloudtrail.md)')}).strict()

/** What an import did: every file and every record accounted for, and the files records came from. */
export interface CloudTrailImport extends ImportAccount {
  /** Files from which records were loaded (wholly or in part). */
  converted: number
}

/**
 * `import cloudtrail`: CloudTrail files a responder was handed, in any of the shapes they come in
 * (docs/cloudtrail.md), each kept as it is and its records written out one per line. Folders are
 * listed whole first, so the count of files is known even if the import is interrupted.
 */
export const cloudtrailImportStep = defineStep({
  id: 'cloudtrail-import',
  kind: 'collect',
  title: 'CloudTrail files handed over (delivery files, NDJSON, LookupEvents output, Lake results, EventBridge, CloudWatch Logs, SIEM exports), kept and converted to records',
  command: 'import cloudtrail',
  params,
  records: true,
  ...NO_AWS,
  produces: ['cloudtrail.records', 'file.added'],
  async prepare(_ctx, p) {
    for (const file of p.paths) await assertInputPath(file, 'file or folder')
    return {paths: p.paths.map((f) => path.resolve(f))}
  },
  async run(ctx, p): Promise<CloudTrailImport> {
    const entries = await listInputs(p.paths)
    await ctx.run.note('cloudtrail-import listed', {paths: p.paths, entries: entries.length})
    const account = await importInputs(ctx, entries, cloudtrailArchiveCollector.id)
    if (account.interrupted) await ctx.run.note('cloudtrail-import interrupted', {read: account.read, files: account.files, notRead: account.notRead})
    return {...account, converted: account.imported + account.partial}
  },
})
