import {z} from 'zod'
import {checkFiles, preserveFiles} from '../../evidence/preserve.js'
import {NO_AWS, defineStep} from '../step.js'

const params = z
  .object({
    files: z.array(z.string().min(1)).min(1).describe('Files to preserve'),
    note: z.string().optional().describe('A note recorded with every file, e.g. where it came from'),
  })
  .strict()

/** `evidence add`: files a responder was handed, preserved in a run of the case. */
export const evidenceAddStep = defineStep({
  id: 'evidence-add',
  kind: 'evidence',
  title: 'Preserve files handed over (a finding, an export, a screenshot), hashed while copied',
  command: 'evidence add',
  params,
  records: true,
  ...NO_AWS,
  produces: ['file.added'],
  prepare: async (_ctx, p) => ({...p, files: (await checkFiles(p.files)).map((f) => f.file)}),
  run: async (ctx, p) => ({artifacts: await preserveFiles(ctx, p.files, p.note)}),
})
