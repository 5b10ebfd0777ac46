import {z} from 'zod'
import {findQuery, loadQueries} from '../../analysis/queries.js'
import {collectRows, streamNamedQuery, streamSql, type QueryResult, type QueryStream} from '../../analysis/run-query.js'
import type {StoreContext} from '../../evidence/context.js'
import {usageError} from '../../core/errors.js'
import {caseDbParams, openCaseRows, type CaseRows} from './case-db-params.js'
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

/** The query's rows over the open case database, a chunk at a time, secrets redacted unless shown; `close` when done. */
export type OpenQuery = CaseRows<QueryStream['head']>

/** Opens the case database and starts the query the parameters name: `query`'s work, for a caller that streams the rows. */
export async function openQuery(ctx: StoreContext, p: z.output<typeof params>): Promise<OpenQuery> {
  if ((p.name === undefined) === (p.sql === undefined)) throw usageError('query-name', 'Name one query, or pass --sql, not both.', 'Run `coroner query list` for the names.')
  const query = p.name === undefined ? undefined : findQuery(loadQueries(), p.name)
  return openCaseRows(ctx, p, (db) => (query ? streamNamedQuery(db, query, p.params) : streamSql(db, p.sql!, p.params)))
}

/** `query`: a named hunting query or read-only SQL over the case database, secrets redacted unless asked. */
export const queryStep = defineStep({
  id: 'query',
  kind: 'analyse',
  title: 'Run a named hunting query, or read-only SQL, over the case database',
  command: 'query',
  params,
  ...OFFLINE,
  async run(ctx, p): Promise<{query: QueryResult}> {
    const open = await openQuery(ctx, p)
    try {
      return {query: await collectRows(open)}
    } finally {
      open.close()
    }
  },
  // A named detection (a severity above info) that returns rows has found something; plain SQL has not.
  assess: (r) => ({findings: r.query.severity !== undefined && r.query.severity !== 'info' ? r.query.rows.length : 0}),
})
