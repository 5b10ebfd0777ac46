import {z} from 'zod'
import {resolveDbPath} from '../../analysis/case-db.js'
import type {StoreContext} from '../../evidence/context.js'

/** The database an analysis step reads: `db`, else the case's own (built from its evidence when missing). */
export const caseDbParams = {
  db: z.string().min(1).optional().describe('Case database file; default ./coroner-analysis/<case>/case.duckdb'),
  reload: z.boolean().default(false).describe('Rebuild the case database from the store first (a database of another store, or of older evidence, is refused otherwise)'),
}

export const dbPathOf = (ctx: StoreContext, p: {db?: string | undefined}): string => resolveDbPath({db: p.db, case: ctx.caseId})
