import {BIGINT} from '@duckdb/node-api'
import type {AnalysisDb, Row} from '../db.js'

const ISO = (col: string): string => `strftime(${col}, '%Y-%m-%dT%H:%M:%S.%gZ')`

/** Whether the case database holds a table or view of this name. */
export async function hasTable(db: AnalysisDb, name: string): Promise<boolean> {
  const r = await db.all(`SELECT count(*) AS n FROM information_schema.tables WHERE table_name = $name`, {name})
  return Number(r.rows[0]?.n ?? 0) > 0
}

/**
 * Rows per timeline source, the window the evidence covers (coroner's own custody rows aside),
 * accounts, regions, functions. CloudTrail's accounts and regions come from the case facts
 * (case-facts.ts), the few other tables' are read here.
 */
export async function caseScope(db: AnalysisDb, cloudtrail: {accounts: readonly string[]; regions: readonly string[]}): Promise<{events: Record<string, number>; from: string | null; to: string | null; accounts: string[]; regions: string[]; functions: string[]}> {
  const events: Record<string, number> = {}
  for (const r of (await db.all('SELECT source, count(*) AS n FROM timeline GROUP BY source ORDER BY source')).rows) events[String(r.source)] = Number(r.n)
  const w = (await db.all(`SELECT ${ISO('min(time)')} AS "from", ${ISO('max(time)')} AS "to" FROM timeline WHERE source <> 'custody'`)).rows[0] ?? {}
  const list = async (sql: string): Promise<string[]> => (await db.all(sql)).rows.map((r) => String(r.v)).filter((v) => v !== '')
  const merged = (a: readonly string[], b: readonly string[]): string[] => [...new Set([...a, ...b])].sort().slice(0, 100)
  return {
    events,
    from: (w.from as string | null) ?? null,
    to: (w.to as string | null) ?? null,
    accounts: merged(cloudtrail.accounts, await list(`SELECT DISTINCT v FROM (SELECT account_id AS v FROM guardduty_findings UNION ALL SELECT split_part(function_arn, ':', 5) FROM lambda_functions) WHERE v IS NOT NULL`)),
    regions: merged(cloudtrail.regions, await list(`SELECT DISTINCT v FROM (SELECT region AS v FROM artifacts UNION ALL SELECT split_part(function_arn, ':', 4) FROM lambda_functions) WHERE v IS NOT NULL`)),
    functions: await list(`SELECT DISTINCT function_name AS v FROM lambda_functions WHERE function_name IS NOT NULL ORDER BY v`),
  }
}

/** When evidence was collected: the first and last run of the case, from the custody journals. */
export async function collectionTimes(db: AnalysisDb): Promise<{first: string | null; last: string | null}> {
  const r = (await db.all(`SELECT ${ISO('min("at")')} AS first, ${ISO('max("at")')} AS last FROM custody WHERE type = 'run-started'`)).rows[0] ?? {}
  return {first: (r.first as string | null) ?? null, last: (r.last as string | null) ?? null}
}

/** Every collected version of every function, with its evidence object, in function and version order. */
export async function functionVersions(db: AnalysisDb): Promise<Row[]> {
  return (
    await db.all(`SELECT f.function_name AS name, f.version, f.function_arn AS arn, f.code_sha256 AS "codeSha256", f.code_size AS "codeSize", f.runtime, f.handler, f.role,
        ${ISO('f.last_modified')} AS "lastModified", CAST(f.layers AS VARCHAR) AS layers, CAST(f.environment_keys AS VARCHAR) AS "environmentKeys",
        f.timeout, f.memory_size AS "memorySize", f.artifact_key AS key, f.artifact_sha256 AS sha256, a.version_id AS "versionId"
      FROM lambda_functions f LEFT JOIN artifacts a ON a.key = f.artifact_key
      ORDER BY f.function_name, TRY_CAST(f.version AS BIGINT) NULLS LAST, f.version, f.artifact_key`)
  ).rows
}

/** The gaps every run recorded, from the custody journals. */
export async function gaps(db: AnalysisDb): Promise<Row[]> {
  return (
    await db.all(`SELECT run_id AS "runId", line->>'$.gap.collector' AS collector, line->>'$.gap.resource' AS resource, line->>'$.gap.code' AS code,
        line->>'$.gap.region' AS region, line->>'$.gap.reason' AS reason FROM custody WHERE type = 'gap' ORDER BY run_id, seq`)
  ).rows
}

/** The custody journal lines of every run, at most `limit`, with what each says in a few words. */
export async function custody(db: AnalysisDb, limit: number): Promise<{rows: Row[]; total: number}> {
  const rows = (
    await db.all(
      `SELECT run_id AS "runId", seq, ${ISO('"at"')} AS "at", type,
        coalesce(line->>'$.step' || coalesce(' ' || (line->>'$.outcome'), ''), line->>'$.artifact.key', line->>'$.gap.reason', line->>'$.message', line->>'$.command', line->>'$.status') AS summary,
        line_sha256 AS "lineSha256" FROM custody ORDER BY run_id, seq LIMIT $limit`,
      {limit: BigInt(limit)},
      {limit: BIGINT},
    )
  ).rows
  const total = Number((await db.all('SELECT count(*) AS n FROM custody')).rows[0]?.n ?? 0)
  return {rows, total}
}

/** A table another step adds, as it is (all columns as text), at most `limit` rows, with its count. */
export async function readTable(db: AnalysisDb, name: string, limit: number, where = 'true', params: Record<string, string> = {}, omit: readonly string[] = []): Promise<{columns: string[]; rows: Row[]; total: number}> {
  const info = (await db.all(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $name ORDER BY ordinal_position`, {name})).rows.filter((r) => !omit.includes(String(r.column_name)))
  const cols = info.map((r) => String(r.column_name))
  const quoted = (c: string): string => `"${c.replace(/"/g, '""')}"`
  const select = info.map((r) => (String(r.data_type).startsWith('TIMESTAMP') ? `${ISO(quoted(String(r.column_name)))} AS ${quoted(String(r.column_name))}` : `CAST(${quoted(String(r.column_name))} AS VARCHAR) AS ${quoted(String(r.column_name))}`)).join(', ')
  const rows = (await db.all(`SELECT ${select} FROM "${name}" WHERE ${where} ORDER BY ALL LIMIT ${Math.trunc(limit)}`, params)).rows
  const total = Number((await db.all(`SELECT count(*) AS n FROM "${name}" WHERE ${where}`, params)).rows[0]?.n ?? 0)
  return {columns: cols, rows, total}
}
