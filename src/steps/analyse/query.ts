import {z} from 'zod'
import {ensureCaseDb} from '../../analysis/case-db.js'
import {caseSecrets, secretRedactor} from '../../analysis/secrets.js'
import {findQuery, loadQueries} from '../../analysis/queries.js'
import {openForQuery, runNamedQuery, runSql, type QueryResult} from '../../analysis/run-query.js'
import {usageError} from '../../core/errors.js'
import {caseDbParams, dbPathOf} from './case-db-params.js'
import {defineStep} from '../step.js'
import {OFFLINE} from './offline.js'

const params = z
  .object({
    name: z.string().min(1).optional().describe('A named query (queries/*.sql); `coroner query list` shows them'),
    sql: z.string().min(1).optional().describe('Your own SQL instead of a named query (read-only)'),
    params: z.record(z.string(), z.string()).default({}).describe('Query parameters, bound, never spliced'),
    ...caseDbParams,
  })
  .strict()

/** `query`: a named hunting query or read-only SQL over the case database, secrets redacted unless asked. */
export const queryStep = defineStep({
  id: 'query',
  kind: 'analyse',
  title: 'Run a named hunting query, or read-only SQL, over the case database',
  command: 'query',
  params,
  ...OFFLINE,
  async run(ctx, p): Promise<{query: QueryResult}> {
    if ((p.name === undefined) === (p.sql === undefined)) throw usageError('query-name', 'Name one query, or pass --sql, not both.', 'Run `coroner query list` for the names.')
    const query = p.name === undefined ? undefined : findQuery(loadQueries(), p.name)
    const {dbPath} = await ensureCaseDb(ctx, ctx.caseId, dbPathOf(ctx, p), {reload: p.reload})
    const db = await openForQuery(dbPath)
    try {
      const result = query ? await runNamedQuery(db, query, p.params) : await runSql(db, p.sql!, p.params)
      if (!ctx.showSecrets) result.rows = result.rows.map(secretRedactor(await caseSecrets(db)))
      return {query: result}
    } finally {
      db.close()
    }
  },
  // A named detection (a severity above info) that returns rows has found something; plain SQL has not.
  assess: (r) => ({findings: r.query.severity !== undefined && r.query.severity !== 'info' ? r.query.rows.length : 0}),
})
