import {z} from 'zod'
import {ensureCaseDb} from '../../analysis/case-db.js'
import type {AnalysisDb} from '../../analysis/db.js'
import {defaultDbPath} from '../../analysis/load.js'
import {openForQuery} from '../../analysis/run-query.js'
import {usageError} from '../../core/errors.js'
import type {StoreContext} from '../../evidence/context.js'

/** The parameters every code step shares: the function, and the case database to read. */
export const codeParams = {
  function: z.string().min(1).describe('Function name, or its ARN when the name was collected in several regions'),
  db: z.string().min(1).optional().describe('Case database; default ./coroner-analysis/<case>/case.duckdb (built first when missing)'),
}

/**
 * Opens the case database read-only for a code step, building it from the evidence first when it
 * does not exist yet (as query and timeline do), runs `work` and closes it.
 */
export async function withCodeDb<R>(ctx: StoreContext, dbParam: string | undefined, work: (db: AnalysisDb, warnings: string[]) => Promise<R>): Promise<R> {
  if (ctx.caseId === undefined && dbParam === undefined) throw usageError('no-case', 'Say which case: --case X (or --db PATH).')
  const {dbPath, loaded} = await ensureCaseDb(ctx, ctx.caseId, dbParam ?? defaultDbPath(ctx.caseId!))
  const db = await openForQuery(dbPath, ctx.signal)
  try {
    return await work(db, [...(loaded?.warnings ?? [])])
  } finally {
    db.close()
  }
}
