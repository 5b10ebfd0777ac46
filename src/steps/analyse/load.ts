import {z} from 'zod'
import {defaultDbPath, loadCase} from '../../analysis/load.js'
import {usageError} from '../../core/errors.js'
import {defineStep} from '../step.js'
import {OFFLINE} from './offline.js'

const params = z
  .object({
    db: z.string().min(1).optional().describe('Database file to write; default ./coroner-analysis/<case>/case.duckdb'),
    memoryLimit: z.string().min(1).optional().describe("DuckDB's memory limit, e.g. 2GB; beyond it DuckDB spills to disk"),
  })
  .strict()

/** `load`: the case database, built from verified evidence only. */
export const loadStep = defineStep({
  id: 'load',
  kind: 'analyse',
  title: 'Verify every artifact of the case and load it into the case database (DuckDB)',
  command: 'load',
  params,
  ...OFFLINE,
  run(ctx, p) {
    if (ctx.caseId === undefined) throw usageError('no-case', 'load needs a case: give --case.')
    return loadCase(ctx.store, ctx.caseId, {dbPath: p.db ?? defaultDbPath(ctx.caseId), progress: ctx.progress, ...(p.memoryLimit === undefined ? {} : {memoryLimit: p.memoryLimit})})
  },
  assess: (r) => ({findings: r.artifacts.refused.length, problems: r.artifacts.unreadable.map((u) => `artifact ${u.key} (${u.kind}) could not be read: ${u.detail ?? 'unreadable'}`)}),
})
