import {z} from 'zod'
import {ensureCaseDb, resolveDbPath} from '../../analysis/case-db.js'
import type {AnalysisDb, Row, RowChunk} from '../../analysis/db.js'
import {openForQuery} from '../../analysis/run-query.js'
import {caseSecrets, secretRedactor} from '../../analysis/secrets.js'
import type {StoreContext} from '../../evidence/context.js'

/** The database an analysis step reads: `db`, else the case's own (built from its evidence when missing). */
export const caseDbParams = {
  db: z.string().min(1).optional().describe('Case database file; default ./coroner-analysis/<case>/case.duckdb'),
  reload: z.boolean().default(false).describe('Rebuild the case database from the store first (a database of another store, or of older evidence, is refused otherwise)'),
}

export const dbPathOf = (ctx: StoreContext, p: {db?: string | undefined}): string => resolveDbPath({db: p.db, case: ctx.caseId})

/** Rows read from the open case database a chunk at a time, secrets redacted unless shown; `close` when done. */
export interface CaseRows<H> {
  head: H
  /** Redacted as every output of the case is (none with --show-secrets): as they are to be shown. */
  chunks: AsyncGenerator<RowChunk>
  close(): void
}

/**
 * The case database the parameters name (built first when missing), open, with the redaction every
 * output of it gets (none with --show-secrets). The caller closes it.
 */
export async function openCaseDb(ctx: StoreContext, p: {db?: string | undefined; reload: boolean}): Promise<{db: AnalysisDb; redact: ((row: Row) => Row) | undefined}> {
  const {dbPath} = await ensureCaseDb(ctx, ctx.caseId, dbPathOf(ctx, p), {reload: p.reload})
  const db = await openForQuery(dbPath, ctx.signal)
  try {
    return {db, redact: ctx.showSecrets ? undefined : secretRedactor(await caseSecrets(db))}
  } catch (error) {
    db.close()
    throw error
  }
}

/**
 * The case database open (openCaseDb) while `start` begins reading it; the rows it starts come back
 * redacted, for a caller that streams them and closes the database once done.
 */
export async function openCaseRows<H>(ctx: StoreContext, p: {db?: string | undefined; reload: boolean}, start: (db: AnalysisDb) => Promise<{head: H; chunks: AsyncGenerator<RowChunk>}>): Promise<CaseRows<H>> {
  const {db, redact} = await openCaseDb(ctx, p)
  try {
    const started = await start(db)
    async function* chunks(): AsyncGenerator<RowChunk> {
      for await (const c of started.chunks) yield redact === undefined ? c : {count: c.count, rows: () => c.rows().map(redact)}
    }
    return {head: started.head, chunks: chunks(), close: () => db.close()}
  } catch (error) {
    db.close()
    throw error
  }
}
