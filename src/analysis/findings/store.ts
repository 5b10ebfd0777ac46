import {AnalysisDb, sqlString} from '../db.js'
import type {Finding, FindingCheck} from './model.js'

/** The tables `coroner findings` fills; dropped and rebuilt whole each time. */
export const FINDINGS_TABLES = {
  findings: `CREATE TABLE findings (
    finding_id VARCHAR, severity VARCHAR, severity_rank INTEGER, title VARCHAR, "time" TIMESTAMPTZ, last_time TIMESTAMPTZ,
    actor VARCHAR, target VARCHAR, source_ip VARCHAR, attack VARCHAR[], reasons JSON, event_ids VARCHAR[], evidence JSON,
    evidence_key VARCHAR, evidence_sha256 VARCHAR, evidence_version_id VARCHAR, details JSON, seq INTEGER)`,
  finding_checks: `CREATE TABLE finding_checks (
    kind VARCHAR, check_id VARCHAR, title VARCHAR, author VARCHAR, severity VARCHAR, attack VARCHAR[], file VARCHAR,
    status VARCHAR, hits BIGINT, kept BIGINT, reason VARCHAR, seq INTEGER)`,
} as const

/**
 * Replaces the findings and checks tables, rows in the order given. Call it within
 * `db.transaction`, so the tables are replaced together or not at all.
 */
export async function writeFindings(db: AnalysisDb, findings: readonly Finding[], checks: readonly FindingCheck[]): Promise<void> {
  for (const [name, ddl] of Object.entries(FINDINGS_TABLES)) {
    await db.run(`DROP TABLE IF EXISTS ${name}`)
    await db.run(ddl)
  }
  await stage(db, '_findings_in', findings.map((f) => JSON.stringify(f)))
  // Each finding's JSON parsed once into its fields (an extraction per field parsed it again each time).
  const shape = {id: 'VARCHAR', severity: 'VARCHAR', title: 'VARCHAR', time: 'VARCHAR', lastTime: 'VARCHAR', actor: 'VARCHAR', target: 'VARCHAR', sourceIp: 'VARCHAR',
    attack: ['VARCHAR'], reasons: 'JSON', eventIds: ['VARCHAR'], evidence: 'JSON', details: 'JSON'}
  await db.run(`INSERT INTO findings SELECT f.id, f.severity, CASE f.severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END,
      f.title, TRY_CAST(f.time AS TIMESTAMPTZ), TRY_CAST(f.lastTime AS TIMESTAMPTZ), f.actor, f.target, f.sourceIp,
      f.attack, f.reasons, f.eventIds, f.evidence, f.evidence->>'$[0].key', f.evidence->>'$[0].sha256', f.evidence->>'$[0].versionId', f.details, seq
    FROM (SELECT json_transform(line, ${sqlString(JSON.stringify(shape))}) AS f, seq FROM _findings_in) ORDER BY seq`)
  await stage(db, '_checks_in', checks.map((c) => JSON.stringify(c)))
  await db.run(`INSERT INTO finding_checks SELECT j->>'$.kind', j->>'$.id', j->>'$.title', j->>'$.author', j->>'$.severity', CAST(j->'$.attack' AS VARCHAR[]),
      j->>'$.file', j->>'$.status', CAST(j->>'$.hits' AS BIGINT), CAST(j->>'$.kept' AS BIGINT), j->>'$.reason', seq
    FROM (SELECT CAST(line AS JSON) AS j, seq FROM _checks_in) ORDER BY seq`)
  await db.run('DROP TABLE _findings_in')
  await db.run('DROP TABLE _checks_in')
}

async function stage(db: AnalysisDb, table: string, lines: readonly string[]): Promise<void> {
  await db.run(`CREATE TEMP TABLE ${table} (line VARCHAR, seq INTEGER)`)
  const appender = await db.connection.createAppender(table, 'main', 'temp')
  lines.forEach((line, i) => {
    appender.appendVarchar(line)
    appender.appendInteger(i)
    appender.endRow()
  })
  appender.closeSync()
}

/** The findings as stored, most severe first; undefined when `coroner findings` has not run on this database. */
export async function readFindings(db: AnalysisDb): Promise<{findings: Finding[]; checks: FindingCheck[]} | undefined> {
  const exists = await db.all(`SELECT count(*) AS n FROM information_schema.tables WHERE table_name IN ('findings', 'finding_checks') AND table_schema = 'main'`)
  if (Number(exists.rows[0]?.n ?? 0) < 2) return undefined
  const f = await db.all(`SELECT finding_id AS id, title, severity, attack, "time", last_time AS "lastTime", actor, target, source_ip AS "sourceIp",
      reasons, event_ids AS "eventIds", evidence, details FROM findings ORDER BY seq`)
  const c = await db.all(`SELECT kind, check_id AS id, title, author, severity, attack, file, status, hits, kept, reason FROM finding_checks ORDER BY seq`)
  const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v)
  const findings = f.rows.map((r) => ({...r, attack: r.attack ?? [], eventIds: r.eventIds ?? [], reasons: json(r.reasons), evidence: json(r.evidence), details: json(r.details)}) as unknown as Finding)
  return {findings, checks: c.rows.map((r) => ({...r, attack: r.attack ?? []}) as unknown as FindingCheck)}
}

/** Whether `coroner findings` has filled this case database. */
export async function findingsPresent(dbPath: string): Promise<boolean> {
  const db = await AnalysisDb.open(dbPath, {readOnly: true})
  try {
    const r = await db.all(`SELECT count(*) AS n FROM information_schema.tables WHERE table_name IN ('findings', 'finding_checks') AND table_schema = 'main'`)
    return Number(r.rows[0]?.n ?? 0) === 2
  } finally {
    db.close()
  }
}
