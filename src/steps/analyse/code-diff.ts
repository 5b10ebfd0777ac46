import {z} from 'zod'
import {codeVersionDiff, type CodeVersionDiff} from '../../analysis/code/diff.js'
import {codeSecrets} from '../../analysis/code/packages.js'
import {DEFAULT_PATCH_OPTIONS, filePatches, type FilePatch} from '../../analysis/code/patches.js'
import {defineStep} from '../step.js'
import {OFFLINE} from './offline.js'
import {codeParams, withCodeDb} from './code-db.js'

const params = z
  .object({
    ...codeParams,
    from: z.string().min(1).describe('The older version ($LATEST, 1, 2, …)'),
    to: z.string().min(1).describe('The newer version'),
    context: z.number().int().min(0).max(100).default(3).describe('Lines of context in the unified diffs'),
    patches: z.boolean().default(true).describe('Read both packages from the evidence for unified diffs of changed text files'),
  })
  .strict()

export interface CodeDiffResult extends CodeVersionDiff {
  patches: FilePatch[]
  /** Changed text files past the limit of files diffed, counted. */
  notDiffed: number
}

/** `code diff`: what changed between two versions of a function, the indicators only the newer one has first. */
export const codeDiffStep = defineStep({
  id: 'code-diff',
  kind: 'analyse',
  title: 'Compare two versions of a function: new indicators, files added, removed and changed, unified diffs',
  command: 'code diff',
  params,
  ...OFFLINE,
  run(ctx, p): Promise<CodeDiffResult> {
    return withCodeDb(ctx, p.db, async (db, warnings) => {
      const diff = await codeVersionDiff(db, p.function, p.from, p.to)
      const secrets = ctx.showSecrets ? [] : await codeSecrets(db, diff.functionName)
      const {patches, notDiffed} = p.patches ? await filePatches(ctx.store, diff, {...DEFAULT_PATCH_OPTIONS, context: p.context, secrets}) : {patches: [], notDiffed: 0}
      if (notDiffed > 0) warnings.push(`${notDiffed} more changed text file(s) were not diffed (limit ${DEFAULT_PATCH_OPTIONS.maxFiles}); \`coroner code show\` prints any of them`)
      return {...diff, warnings: [...warnings, ...diff.warnings], patches, notDiffed}
    })
  },
})
