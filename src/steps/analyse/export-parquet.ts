import {z} from 'zod'
import {ensureCaseDb} from '../../analysis/case-db.js'
import {exportParquet, type ExportResult} from '../../analysis/export-parquet.js'
import {caseDbParams, dbPathOf} from './case-db-params.js'
import {defineStep} from '../step.js'
import {OFFLINE} from './offline.js'

const params = z.object({to: z.string().min(1).describe('A new or empty directory'), ...caseDbParams}).strict()

/** `export parquet`: every table of the case database as Parquet partitioned by date, with Athena/Trino DDL. */
export const exportParquetStep = defineStep({
  id: 'export-parquet',
  kind: 'analyse',
  title: 'Export every table of the case database to Parquet, partitioned by date, with Athena/Trino DDL',
  command: 'export parquet',
  params,
  ...OFFLINE,
  async run(ctx, p): Promise<{export: ExportResult}> {
    const {dbPath} = await ensureCaseDb(ctx, ctx.caseId, dbPathOf(ctx, p), {reload: p.reload})
    return {export: await exportParquet(dbPath, p.to, {showSecrets: ctx.showSecrets, progress: ctx.progress, signal: ctx.signal})}
  },
})
