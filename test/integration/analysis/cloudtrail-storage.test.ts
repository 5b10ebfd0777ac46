import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {AnalysisDb} from '../../../src/analysis/db.js'
import {loadCase} from '../../../src/analysis/load.js'
import {loadQueries} from '../../../src/analysis/queries.js'
import {runNamedQuery} from '../../../src/analysis/run-query.js'
import {VIEWS} from '../../../src/analysis/sql/tables.js'
import {generateRecords} from '../../../bench/lib/generate-cloudtrail.js'
import {tempDir} from '../../support/temp.js'
import {deliveryFile, writeCase} from '../../support/evidence-case.js'

/** cloudtrail_events as it read the evidence SHA-256 before: a scalar subquery per row. */
const PER_ROW_VIEW = VIEWS.cloudtrail_events!.replace('CREATE VIEW', 'CREATE OR REPLACE VIEW')
  .replace(/a\.sha256 AS artifact_sha256, copies, conflict, a\.digest_validated,/, `(SELECT a.sha256 FROM artifacts a WHERE a.key = r.artifact_key) AS artifact_sha256, copies, conflict,
    (SELECT a.digest_validated FROM artifacts a WHERE a.key = r.artifact_key) AS digest_validated,`)
  .replace(/\n\s*--[^\n]*\n\s*--[^\n]*\n\s*LEFT JOIN[^\n]*/, '')

describe('coroner load: how CloudTrail records are stored', () => {
  it('stores the records ZSTD-compressed, and every detection query gives the same rows as with a lookup of the evidence per row', async () => {
    const dir = await tempDir()
    const {records} = generateRecords({events: 6000, seed: 11})
    const {store} = await writeCase(path.join(dir, 'store'), 'INC-S', [deliveryFile(records.slice(0, 3000), 'a.json.gz'), deliveryFile(records.slice(3000), 'b.json.gz')])
    const dbPath = path.join(dir, 'case.duckdb')
    await loadCase(store, 'INC-S', {dbPath})
    expect(PER_ROW_VIEW).toContain('(SELECT a.sha256 FROM artifacts a WHERE a.key = r.artifact_key)')
    expect(PER_ROW_VIEW).not.toContain('LEFT JOIN')
    const db = await AnalysisDb.open(dbPath)
    try {
      const storage = await db.all(`SELECT DISTINCT compression FROM pragma_storage_info('cloudtrail_records') WHERE column_name = 'raw' AND segment_type = 'JSON'`)
      expect(storage.rows).toEqual([{compression: 'ZSTD'}])
      const cited = await db.all(`SELECT count(*)::INTEGER AS n, count(artifact_sha256)::INTEGER AS cited FROM cloudtrail_events`)
      expect(cited.rows).toEqual([{n: 6000, cited: 6000}])
      const queries = loadQueries().filter((q) => q.evidence.includes('cloudtrail'))
      const run = async (): Promise<Record<string, unknown>> => {
        const out: Record<string, unknown> = {}
        for (const q of queries) out[q.id] = (await runNamedQuery(db, q)).rows
        return out
      }
      const joined = await run()
      await db.run(PER_ROW_VIEW)
      const perRow = await run()
      expect(joined).toEqual(perRow)
      // The comparison means something: the generated attack is found, with its evidence cited.
      const hits = Object.values(joined).flatMap((rows) => rows as Array<Record<string, unknown>>)
      expect(hits.length).toBeGreaterThan(20)
      expect(hits.filter((r) => 'evidence_sha256' in r).every((r) => typeof r.evidence_sha256 === 'string')).toBe(true)
    } finally {
      db.close()
    }
  })
})
