import {z} from 'zod'
import {defaultDbPath, loadCase} from '../../analysis/load.js'
import {usageError} from '../../core/errors.js'
import {defineStep} from '../step.js'
import {OFFLINE} from './offline.js'
import {readPublicKey, verifyParams} from '../evidence/verify-params.js'

const params = z
  .object({
    db: z.string().min(1).optional().describe('Database file to write; default ./coroner-analysis/<case>/case.duckdb'),
    memoryLimit: z.string().min(1).optional().describe("DuckDB's memory limit, e.g. 2GB; beyond it DuckDB spills to disk"),
    acceptDamaged: z.boolean().default(false).describe('Load a case that does not verify, every row of the damaged evidence marked in evidence_damage'),
    ...verifyParams,
  })
  .strict()

/** `load`: the case database, built from evidence that verifies (or, accepted, marked where it does not). */
export const loadStep = defineStep({
  id: 'load',
  kind: 'analyse',
  title: 'Verify the case and load it into the case database (DuckDB); refuse it when it does not verify, unless the damage is accepted',
  command: 'load',
  params,
  ...OFFLINE,
  run(ctx, p) {
    if (ctx.caseId === undefined) throw usageError('no-case', 'load needs a case: give --case.')
    const publicKey = readPublicKey(p.publicKey)
    return loadCase(ctx.store, ctx.caseId, {
      dbPath: p.db ?? defaultDbPath(ctx.caseId),
      progress: ctx.progress,
      signal: ctx.signal,
      acceptDamaged: p.acceptDamaged,
      ...(ctx.openRun === undefined ? {} : {openRun: ctx.openRun}),
      ...(p.memoryLimit === undefined ? {} : {memoryLimit: p.memoryLimit}),
      ...(p.expect === undefined ? {} : {expect: p.expect}),
      ...(publicKey === undefined ? {} : {publicKey}),
    })
  },
  assess: (r) => ({findings: r.artifacts.refused.length, problems: r.artifacts.unreadable.map((u) => `artifact ${u.key} (${u.kind}) could not be read: ${u.detail ?? 'unreadable'}`)}),
})
