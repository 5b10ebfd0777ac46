import {createHash} from 'node:crypto'
import {canonicalJson} from '../evidence/manifest.js'
import type {AnalysisDb} from './db.js'

/** Rows whose key (the eventID, or for a record without one its own hash) repeats, each with the hash of its text as stored. */
const CANDIDATES = [
  `CREATE TEMP TABLE _ct_dup AS
   WITH k AS (
     SELECT rowid AS rid, event_id AS k FROM cloudtrail_records WHERE event_id IS NOT NULL
     UNION ALL
     SELECT rowid, 'sha256:' || sha256(CAST(raw AS VARCHAR)) FROM cloudtrail_records WHERE event_id IS NULL
   )
   SELECT k.rid, k.k FROM k WHERE k.k IN (SELECT k FROM k GROUP BY k HAVING count(*) > 1)`,
  // A filter on the few repeated rows, not a join: the records (and their JSON) stream past once, never held in memory.
  `CREATE TEMP TABLE _ct_content AS
   SELECT rowid AS rid, coalesce(event_id, 'sha256:' || sha256(CAST(raw AS VARCHAR))) AS k, sha256(CAST(raw AS VARCHAR)) AS h
   FROM cloudtrail_records WHERE rowid IN (SELECT rid FROM _ct_dup)`,
]

/** Keys whose copies differ in their text: their content is compared again, canonically (keys sorted, whitespace gone). */
const MIXED = `SELECT c.rid, CAST(e.raw AS VARCHAR) AS raw FROM _ct_content c JOIN cloudtrail_records e ON e.rowid = c.rid
  WHERE c.k IN (SELECT k FROM _ct_content GROUP BY k HAVING count(DISTINCT h) > 1) ORDER BY c.rid`

const FOLD = [
  'CREATE TEMP TABLE _ct_conflict AS SELECT k FROM _ct_content GROUP BY k HAVING count(DISTINCT h) > 1',
  `CREATE TEMP TABLE _ct_rank AS
   SELECT c.rid, c.k, c.h, e.event_id, e.artifact_key,
     row_number() OVER (PARTITION BY c.k, c.h ORDER BY e.artifact_key, c.rid) AS rn,
     count(*) OVER (PARTITION BY c.k, c.h) AS n
   FROM _ct_content c JOIN cloudtrail_records e ON e.rowid = c.rid`,
  `INSERT INTO cloudtrail_event_copies
   SELECT r.event_id, r.artifact_key, a.sha256, r.h FROM _ct_rank r LEFT JOIN artifacts a ON a.key = r.artifact_key
   WHERE r.event_id IS NOT NULL ORDER BY r.event_id, r.artifact_key, r.rid`,
  // In place, so the stored order stays the order the load gave (sql/cloudtrail.ts) and only the repeated
  // rows are touched: a large case is never rewritten (nor sorted) whole.
  `UPDATE cloudtrail_records SET copies = CAST(r.n AS INTEGER), conflict = r.k IN (SELECT k FROM _ct_conflict)
   FROM _ct_rank r WHERE r.rn = 1 AND cloudtrail_records.rowid = r.rid`,
  'DELETE FROM cloudtrail_records WHERE rowid IN (SELECT rid FROM _ct_rank WHERE rn > 1)',
]

/**
 * Folds CloudTrail records that are the same event delivered more than once (the archive and
 * LookupEvents, overlapping imports): only copies whose content is identical fold, the first
 * artifact's (by key) kept with `copies` set and every copy listed in cloudtrail_event_copies.
 * Records that share an eventID but differ in content are all kept and marked `conflict`: one of
 * them was planted or altered, and the `cloudtrail-conflicting-records` query makes it a finding.
 * Content is compared by its text as stored, and where that differs, by its canonical JSON (keys
 * sorted), so key order alone never makes a conflict.
 */
export async function deduplicateCloudtrail(db: AnalysisDb): Promise<void> {
  for (const sql of CANDIDATES) await db.run(sql)
  await db.run('CREATE TEMP TABLE _ct_canon (rid BIGINT, h VARCHAR)')
  const appender = await db.connection.createAppender('_ct_canon', 'main', 'temp')
  let mixed = 0
  for await (const row of db.stream(MIXED)) {
    appender.appendBigInt(BigInt(row.rid as number))
    appender.appendVarchar(canonicalHash(String(row.raw)))
    appender.endRow()
    mixed++
  }
  appender.closeSync()
  if (mixed > 0) await db.run('UPDATE _ct_content SET h = c.h FROM _ct_canon c WHERE _ct_content.rid = c.rid')
  for (const sql of FOLD) await db.run(sql)
}

/** SHA-256 of a record's canonical JSON; a value that does not parse keeps its own text. */
function canonicalHash(raw: string): string {
  let text = raw
  try {
    text = canonicalJson(JSON.parse(raw)) ?? raw
  } catch {
    // Not JSON (DuckDB read it as such, so this does not happen): compared as it is.
  }
  return `canonical:${createHash('sha256').update(text).digest('hex')}`
}
