import {chmod, readFile, readdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {runCommand} from '@oclif/test'
import {coroner, repoRoot} from '../../support/cli.js'
import {describe, expect, it} from 'vitest'
import {AnalysisDb} from '../../../src/analysis/db.js'
import {tempDir} from '../../support/temp.js'
import {deliveryFile, gz, lambdaSpecs, stratusRecords, writeCase} from '../../support/evidence-case.js'

const run = coroner

interface Envelope<T> {
  status: string
  result: T
  warnings: string[]
  error?: {code: string; message: string; hint?: string}
}
const parse = <T>(stdout: string): Envelope<T> => JSON.parse(stdout) as Envelope<T>

async function stratusCase(): Promise<{dir: string; store: string; db: string; keys: string[]}> {
  const dir = await tempDir()
  const store = path.join(dir, 'store')
  const {records} = await writeCase(store, 'INC-CMD', [
    deliveryFile(stratusRecords('aws.persistence.lambda-backdoor-function'), 'backdoor.json.gz'),
    deliveryFile(stratusRecords('aws.defense-evasion.cloudtrail-stop'), 'stop.json.gz'),
    ...lambdaSpecs(),
  ])
  return {dir, store, db: path.join(dir, 'case.duckdb'), keys: records.map((r) => r.key)}
}

describe('coroner load / query / timeline / export parquet', () => {
  it('loads a case and reports the tables in the JSON envelope', async () => {
    const c = await stratusCase()
    const out = await run(['load', '--case', 'INC-CMD', '--store', c.store, '--db', c.db, '--json'])
    expect(out.error).toBeUndefined()
    const env = parse<{tables: Array<{table: string; rows: number}>; artifacts: {loaded: number; refused: unknown[]}}>(out.stdout)
    expect(env.status).toBe('ok')
    expect(env.result.tables).toEqual(expect.arrayContaining([{table: 'cloudtrail_events', rows: 2}, {table: 'lambda_functions', rows: 1}, {table: 'log_events', rows: 7}]))
    expect(env.result.artifacts.refused).toEqual([])
    const human = await run(['load', '--case', 'INC-CMD', '--store', c.store, '--db', c.db])
    expect(human.stdout).toMatch(/cloudtrail_events\s+2/)
    expect(human.stdout).toContain(`Database: ${c.db}`)
  })

  it('refuses a case that does not verify, naming the damage (exit 3); with --accept-damaged loads it, marked', async () => {
    const c = await stratusCase()
    const altered = path.join(c.store, ...c.keys[1]!.split('/'))
    await chmod(altered, 0o644)
    await writeFile(altered, gz(JSON.stringify({Records: [{eventID: 'forged-1', eventName: 'StopLogging', eventTime: '2026-11-20T10:00:00Z'}]})))
    const out = await run(['load', '--case', 'INC-CMD', '--store', c.store, '--db', c.db])
    expect(out.error?.oclif?.exit).toBe(3)
    expect(out.stderr).toContain('Error [evidence-unverified]')
    expect(out.stderr).toContain(`[artifact-altered] artifact ${c.keys[1]} was altered`)
    expect(out.stderr).toMatch(/--accept-damaged/)
    await expect(readdir(path.dirname(c.db))).resolves.not.toContain('case.duckdb')
    const accepted = await run(['load', '--case', 'INC-CMD', '--store', c.store, '--db', c.db, '--accept-damaged'])
    expect(accepted.error?.oclif?.exit).toBe(3)
    expect(accepted.stdout).toContain(`DAMAGED [artifact-altered] artifact ${c.keys[1]} was altered`)
    expect(accepted.stdout).toMatch(/NOT VERIFIED: loaded with --accept-damaged/)
    const db = await AnalysisDb.open(c.db, {readOnly: true})
    try {
      const marked = await db.all('SELECT artifact_key, count(*)::INTEGER AS n FROM cloudtrail_events WHERE evidence_damage IS NOT NULL GROUP BY 1')
      expect(marked.rows).toEqual([{artifact_key: c.keys[1], n: 1}])
      const artifact = await db.all('SELECT status FROM artifacts WHERE key = $k', {k: c.keys[1]!})
      expect(artifact.rows).toEqual([{status: 'damaged'}])
    } finally {
      db.close()
    }
  })

  it('points to evidence pull for an S3 store', async () => {
    const out = await run(['load', '--case', 'INC-CMD', '--store', 's3://evidence-bucket/prefix', '--json'])
    expect(out.error?.oclif?.exit).toBe(2)
    expect(parse<never>(out.stdout).error?.code).toMatch(/s3-store-unavailable|store-not-local/)
  })

  it('runs a named query, building the database first, in every output format', async () => {
    const c = await stratusCase()
    const json = await run(['query', 'lambda-resource-policy-opened', '--case', 'INC-CMD', '--store', c.store, '--db', c.db, '--json'])
    expect(json.error).toBeUndefined()
    const env = parse<{query: string; rows: Array<Record<string, unknown>>; columns: string[]}>(json.stdout)
    expect(env.result.query).toBe('lambda-resource-policy-opened')
    expect(env.result.rows).toHaveLength(1)
    expect(env.result.rows[0]).toMatchObject({granted_to: '*', evidence_key: c.keys[0]})
    const table = await run(['query', 'lambda-resource-policy-opened', '--db', c.db])
    expect(table.stdout).toMatch(/1 row\(s\) — lambda-resource-policy-opened/)
    const csv = await run(['query', 'cloudtrail-tampering', '--db', c.db, '--csv'])
    expect(csv.stdout.split('\r\n')[0]).toMatch(/^time,actor,source_ip,action,trail/)
    expect(csv.stdout).toContain('StopLogging')
    const nd = await run(['query', 'cloudtrail-tampering', '--db', c.db, '--ndjson'])
    expect(JSON.parse(nd.stdout.trim())).toMatchObject({action: 'StopLogging'})
  })

  it('streams rows past the limit: counts them all, says what it cut in every format, and reads no more than it writes', async () => {
    const c = await stratusCase()
    await run(['load', '--case', 'INC-CMD', '--store', c.store, '--db', c.db])
    const sql = '--sql=SELECT i, i * 2 AS twice FROM range(5000) r(i) ORDER BY i'
    const table = await run(['query', '--db', c.db, sql])
    expect(table.stdout).toContain('(showing 100 of 5000 row(s); --limit 0 for all)')
    expect(table.stdout).toMatch(/\n5000 row\(s\)/)
    const csv = await run(['query', '--db', c.db, sql, '--csv', '--limit', '3'])
    expect(csv.stdout).toBe('i,twice\r\n0,0\r\n1,2\r\n2,4\r\n')
    expect(csv.stderr).toContain('truncated: true, 3 of 5000 row(s) (--limit 3); --limit 0 for all')
    const json = parse<{rows: Array<{i: number}>; total: number; truncated: boolean}>((await run(['query', '--db', c.db, sql, '--json', '--limit', '2500'])).stdout)
    expect(json.result.rows.map((r) => r.i)).toEqual(Array.from({length: 2500}, (_, i) => i))
    expect([json.result.total, json.result.truncated]).toEqual([5000, true])
    const all = await run(['query', '--db', c.db, sql, '--ndjson', '--limit', '0'])
    expect(all.stdout.trim().split('\n').map((l) => (JSON.parse(l) as {twice: number}).twice)).toEqual(Array.from({length: 5000}, (_, i) => 2 * i))
    // An error DuckDB meets while the rows are read is the command's error, as one before them is.
    const late = parse<unknown>((await run(['query', '--db', c.db, "--sql=SELECT CASE WHEN i < 4000 THEN i ELSE error('boom at ' || i) END AS i FROM range(5000) r(i)", '--json'])).stdout)
    expect(late.error).toMatchObject({code: 'sql-error', message: expect.stringContaining('boom at')})
    // Past the first 8 MiB of rows, written before the error came: what was written stands, unfinished, and the error is on stderr.
    // (runCommand itself: the suite's wrapper refuses --json output that does not parse, which this must not.)
    const past = await runCommand(['query', '--db', c.db, `"--sql=SELECT i, repeat('x', 400) AS pad, CASE WHEN i < 59999 THEN i ELSE error('boom') END AS v FROM range(60000) r(i)"`, '--json'], {root: repoRoot})
    expect(past.stdout.length).toBeGreaterThan(8 * 2 ** 20)
    expect(() => JSON.parse(past.stdout)).toThrow()
    expect(past.stderr).toContain('The output on stdout is incomplete: it stopped at the error below.')
    expect(past.stderr).toMatch(/Error \[sql-error\]: DuckDB rejected the SQL: DuckDB stopped the result after \d+ row\(s\)/)
    expect(past.error?.oclif?.exit).toBe(2)
  })

  it('neutralises formulas in CSV and redacts environment values unless --show-secrets', async () => {
    const c = await stratusCase()
    await run(['load', '--case', 'INC-CMD', '--store', c.store, '--db', c.db])
    const csv = await run(['query', '--db', c.db, '--sql="SELECT message, artifact_key AS evidence_key FROM log_events WHERE starts_with(message, chr(61))"', '--csv'])
    expect(csv.stdout).toContain(`"'=cmd|' /C calc'!A0, ""quoted"""`)
    const hidden = await run(['query', '--db', c.db, '--sql="SELECT environment FROM lambda_functions"', '--json'])
    expect(hidden.stdout).not.toContain('hunter2')
    expect(hidden.stdout).toContain('[redacted:DB_PASSWORD]')
    const shown = await run(['query', '--db', c.db, '--sql="SELECT environment FROM lambda_functions"', '--json', '--show-secrets'])
    expect(shown.stdout).toContain('hunter2')
  })

  it('gives usage errors for unknown queries and parameters, naming the parameters', async () => {
    const c = await stratusCase()
    await run(['load', '--case', 'INC-CMD', '--store', c.store, '--db', c.db])
    const unknown = await run(['query', 'no-such-query', '--db', c.db, '--json'])
    expect(unknown.error?.oclif?.exit).toBe(2)
    expect(parse<never>(unknown.stdout).error?.code).toBe('unknown-query')
    const badParam = await run(['query', 'access-denied-burst', '--db', c.db, '--param', 'treshold=3', '--json'])
    expect(badParam.error?.oclif?.exit).toBe(2)
    expect(parse<never>(badParam.stdout).error?.message).toMatch(/no parameter "treshold".*threshold:integer=5/)
    const badType = await run(['query', 'access-denied-burst', '--db', c.db, '--param', 'threshold=many'])
    expect(badType.error?.oclif?.exit).toBe(2)
    expect(badType.stderr).toMatch(/threshold.*is a integer/)
    const both = await run(['query', 'access-denied-burst', '--db', c.db, '--sql="SELECT 1"'])
    expect(both.error?.oclif?.exit).toBe(2)
    const noDb = await run(['query', 'access-denied-burst', '--db', path.join(c.dir, 'missing.duckdb')])
    expect(noDb.error?.oclif?.exit).toBe(2)
    expect(noDb.stderr).toMatch(/coroner load/)
  })

  it('lists the named queries', async () => {
    const out = await run(['query', 'list', '--json'])
    const list = parse<{queries: Array<{id: string; severity: string; parameters: unknown[]}>}>(out.stdout).result.queries
    expect(list.length).toBeGreaterThanOrEqual(25)
    expect(list.map((q) => q.id)).toContain('lambda-role-credentials-outside-lambda')
  })

  it('prints a filtered timeline', async () => {
    const c = await stratusCase()
    const out = await run(['timeline', '--case', 'INC-CMD', '--store', c.store, '--db', c.db, '--source', 'cloudtrail', '--json'])
    const rows = parse<{rows: Array<Record<string, unknown>>}>(out.stdout).result.rows
    expect(rows.map((r) => r.action)).toEqual(['cloudtrail:StopLogging', 'lambda:AddPermission'])
    expect(rows.every((r) => typeof r.evidenceSha256 === 'string')).toBe(true)
    const since = await run(['timeline', '--db', c.db, '--since', '2024-08-01T00:00:00Z', '--source', 'cloudtrail', '--json'])
    expect(parse<{rows: unknown[]}>(since.stdout).result.rows).toHaveLength(1)
    const actor = await run(['timeline', '--db', c.db, '--actor', 'CHRISTOPHE', '--limit', '1', '--json'])
    expect(parse<{rows: Array<{actor: string}>}>(actor.stdout).result.rows.map((r) => r.actor)).toEqual(['arn:aws:iam::143434273843:user/christophe'])
    const bad = await run(['timeline', '--db', c.db, '--since', 'last tuesday'])
    expect(bad.error?.oclif?.exit).toBe(2)
  })

  it('exports Parquet partitioned by date with matching DDL', async () => {
    const c = await stratusCase()
    const to = path.join(c.dir, 'parquet')
    const out = await run(['export', 'parquet', '--case', 'INC-CMD', '--store', c.store, '--db', c.db, '--to', to, '--json'])
    expect(out.error).toBeUndefined()
    // No findings computed yet: the export says so rather than leaving them out unsaid.
    const first = parse<{notExported: Array<{table: string; reason: string}>; tables: Array<{table: string}>}>(out.stdout)
    expect(first.result.notExported).toEqual([
      {table: 'findings', reason: 'no findings computed yet: run `coroner findings` first'},
      {table: 'finding_checks', reason: 'no findings computed yet: run `coroner findings` first'},
    ])
    expect(first.warnings).toEqual(['findings not exported: no findings computed yet: run `coroner findings` first', 'finding_checks not exported: no findings computed yet: run `coroner findings` first'])
    expect(first.result.tables.map((t) => t.table)).toEqual(expect.arrayContaining(['case_load', 'containment_actions', 'readiness_checks', 'lambda_code_files', 'lambda_code_packages']))
    const dirs = (await readdir(path.join(to, 'cloudtrail_events'), {recursive: true})).filter((p) => p.endsWith('.parquet')).sort()
    expect(dirs).toEqual(['year=2024/month=7/day=31/part-0.parquet', 'year=2024/month=8/day=1/part-0.parquet'])
    const ddl = await readFile(path.join(to, 'ddl.sql'), 'utf8')
    expect(ddl).toContain('CREATE EXTERNAL TABLE IF NOT EXISTS `cloudtrail_events`')
    expect(ddl).toMatch(/`raw` string/)
    expect(ddl).toContain('PARTITIONED BY (`year` int, `month` int, `day` int)')
    const db = await AnalysisDb.open(':memory:', {allowedDirectories: [to]})
    const back = await db.all(`SELECT event_name, typeof(raw) AS t, json_extract_string(raw, '$.eventID') AS id, year FROM read_parquet('${to}/cloudtrail_events/**/*.parquet', hive_partitioning=true) ORDER BY event_time`)
    db.close()
    expect(back.rows).toEqual([
      {event_name: 'StopLogging', t: 'VARCHAR', id: '10163ed2-2253-469d-a5ee-cbc6651f8934', year: 2024},
      {event_name: 'AddPermission', t: 'VARCHAR', id: 'b67a9bba-d9da-4980-bf74-baed881b117d', year: 2024},
    ])
    const again = await run(['export', 'parquet', '--db', c.db, '--to', to])
    expect(again.error?.oclif?.exit).toBe(2)

    // With findings: every finding and check, lists as arrays in Parquet and in the DDL.
    expect((await run(['findings', '--case', 'INC-CMD', '--store', c.store, '--db', c.db, '--no-fail', '--json'])).error).toBeUndefined()
    const withFindings = path.join(c.dir, 'parquet-findings')
    const second = parse<{notExported: unknown[]; tables: Array<{table: string; rows: number}>}>((await run(['export', 'parquet', '--db', c.db, '--to', withFindings, '--json'])).stdout)
    expect(second.result.notExported).toEqual([])
    const reader = await AnalysisDb.open(c.db, {readOnly: true, allowedDirectories: [withFindings]})
    try {
      const stored = (await reader.all('SELECT finding_id, attack, event_ids FROM findings ORDER BY finding_id')).rows
      expect(stored.length).toBeGreaterThan(0)
      expect(second.result.tables.find((t) => t.table === 'findings')?.rows).toBe(stored.length)
      const exported = await reader.all(`SELECT finding_id, attack, event_ids, typeof(event_ids) AS t FROM read_parquet('${withFindings}/findings/**/*.parquet', hive_partitioning=true) ORDER BY finding_id`)
      expect(exported.rows.map(({t: _t, ...r}) => r)).toEqual(stored)
      expect(exported.rows[0]!.t).toBe('VARCHAR[]')
      const checks = await reader.all(`SELECT count(*) AS n FROM read_parquet('${withFindings}/finding_checks/**/*.parquet', hive_partitioning=true)`)
      expect(checks.rows[0]!.n).toBe((await reader.all('SELECT count(*) AS n FROM finding_checks')).rows[0]!.n)
    } finally {
      reader.close()
    }
    const findingsDdl = await readFile(path.join(withFindings, 'ddl.sql'), 'utf8')
    expect(findingsDdl).toMatch(/CREATE EXTERNAL TABLE IF NOT EXISTS `findings` \([^;]*`event_ids` array<string>/)
    expect(findingsDdl).toMatch(/CREATE EXTERNAL TABLE IF NOT EXISTS `finding_checks` \([^;]*`attack` array<string>/)
    const file = path.join(c.dir, 'a-file')
    await writeFile(file, 'x')
    const onFile = await run(['export', 'parquet', '--db', c.db, '--to', file, '--json'])
    expect(onFile.error?.oclif?.exit).toBe(2)
    expect(parse(onFile.stdout).error?.code).toBe('export-not-a-directory')
    const help = await run(['export', 'parquet', '--help'])
    expect(help.stdout).toMatch(/environment\s+variables/)
  })
})
