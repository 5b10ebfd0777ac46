import path from 'node:path'
import {DeleteFunctionUrlConfigCommand, LambdaClient, RemovePermissionCommand, UpdateFunctionConfigurationCommand} from '@aws-sdk/client-lambda'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {AnalysisDb} from '../../../src/analysis/db.js'
import {readFindings} from '../../../src/analysis/findings/store.js'
import {coroner, type Envelope} from '../../support/cli.js'
import type {LambdaProxy} from '../../support/lambda-proxy.js'
import {ENV_SECRET, seededLambdaBehindProxy} from '../../support/lambda-seed.js'
import {motoAws, resetMoto, useAwsTestEnvironment, useLambdaLayerBackend} from '../../support/moto.js'
import {tempDir} from '../../support/temp.js'

/**
 * A function collected twice into one case: every snapshot stays (with its run and time), the
 * tables and queries answer from the latest, and what changed between the two is one timeline row.
 */
type Rows = Envelope<{columns: string[]; rows: Array<Record<string, unknown>>; total?: number}>

let proxy: LambdaProxy

async function sql<T = Record<string, unknown>>(db: string, text: string): Promise<T[]> {
  const conn = await AnalysisDb.open(db, {readOnly: true})
  try {
    return (await conn.all(text)).rows as T[]
  } finally {
    conn.close()
  }
}

async function collectTwice(between: (lambda: LambdaClient) => Promise<void>): Promise<{db: string; store: string; runs: string[]}> {
  const dir = await tempDir()
  const store = path.join(dir, 'store')
  const db = path.join(dir, 'case.duckdb')
  const aws = ['--store', store, '--endpoint-url', proxy.url, '--region', 'us-east-1']
  const runs: string[] = []
  const collect = async (): Promise<void> => {
    const out = await coroner(['collect', 'lambda', '--function', 'payments-api', '--case', 'INC-SNAP', ...aws, '--json'])
    expect(out.error?.message).toBeUndefined()
    runs.push((JSON.parse(out.stdout) as Envelope<{run: {runId: string}}>).result.run.runId)
  }
  await collect()
  const client = motoAws().client(LambdaClient)
  await between(client)
  client.destroy()
  await collect()
  const load = await coroner(['load', '--case', 'INC-SNAP', '--store', store, '--db', db, '--json'])
  expect(load.error?.message, load.stdout + load.stderr).toBeUndefined()
  return {db, store, runs}
}

const query = async (db: string, ...args: string[]): Promise<Rows> => JSON.parse((await coroner(['query', ...args, '--db', db, '--json'])).stdout) as Rows

describe('a function collected twice into one case', () => {
  useAwsTestEnvironment()
  useLambdaLayerBackend()
  beforeEach(async () => {
    await resetMoto()
    ;({proxy} = await seededLambdaBehindProxy())
  })
  afterEach(() => proxy.close())

  it('keeps both snapshots, answers from the latest, and shows the change once', async () => {
    const {db, store, runs} = await collectTwice(async (lambda) => {
      await lambda.send(new UpdateFunctionConfigurationCommand({FunctionName: 'payments-api', Environment: {Variables: {DB_PASSWORD: ENV_SECRET, STAGE: 'debug'}}}))
    })
    expect(runs).toHaveLength(2)

    // History keeps every snapshot with its run and time; the tables of the same names hold the latest.
    const history = await sql<{run_id: string; n: bigint; collected: boolean}>(db,
      "SELECT run_id, count(*) AS n, bool_and(collected_at IS NOT NULL) AS collected FROM lambda_functions_history WHERE version = '$LATEST' GROUP BY run_id ORDER BY min(collected_at)")
    expect(history.map((h) => [h.run_id, Number(h.n), h.collected])).toEqual([[runs[0], 1, true], [runs[1], 1, true]])
    const latest = await sql<{run_id: string; stage: string}>(db, "SELECT run_id, environment->>'$.Variables.STAGE' AS stage FROM lambda_functions WHERE version = '$LATEST'")
    expect(latest).toEqual([{run_id: runs[1], stage: 'debug'}])
    expect(Number((await sql<{n: bigint}>(db, "SELECT count(*) AS n FROM lambda_url_configs_history WHERE artifact_key NOT LIKE '%/aliases/%'"))[0]!.n)).toBe(2)

    // Named queries are not doubled.
    const inventory = await query(db, 'lambda-function-inventory')
    const versions = inventory.result.rows.map((r) => `${String(r.function)}:${String(r.version)}`)
    expect(versions).toEqual([...new Set(versions)])
    expect(versions).toContain('payments-api:$LATEST')
    // moto answers GetFunctionUrlConfig of the alias with the function's URL: two resources, each once, from the second run.
    for (const id of ['lambda-url-configs-public', 'lambda-policy-open-statements']) {
      const keys = (await query(db, id)).result.rows.map((r) => String(r.evidence_key))
      expect(keys.length).toBeGreaterThan(0)
      expect(keys.every((k) => k.includes(`/runs/${runs[1]}/`))).toBe(true)
      expect(new Set(keys.map((k) => k.replace(/^cases\/[^/]+\/runs\/[^/]+\//, ''))).size).toBe(keys.length)
    }
    expect((await query(db, 'lambda-url-configs-public')).result.rows.filter((r) => !String(r.evidence_key).includes('/aliases/'))).toHaveLength(1)
    const roles = (await query(db, 'lambda-role-broad-permissions')).result.rows
    expect(roles).toEqual([...new Map(roles.map((r) => [JSON.stringify(r), r])).values()])

    // One finding for the one public URL.
    const findings = await coroner(['findings', '--case', 'INC-SNAP', '--store', store, '--db', db, '--no-fail', '--json'])
    expect(findings.error?.message, findings.stdout).toBeUndefined()
    const conn = await AnalysisDb.open(db, {readOnly: true})
    const stored = await readFindings(conn).finally(() => conn.close())
    const urlFindings = stored!.findings.filter((f) => f.reasons.some((r) => r.id === 'lambda-url-configs-public'))
    expect(urlFindings.filter((f) => f.evidence.some((e) => e.key.endsWith('/payments-api/url-config.json')))).toHaveLength(1)
    expect(urlFindings.flatMap((f) => f.evidence).every((e) => e.key.includes(`/runs/${runs[1]}/`))).toBe(true)

    // The timeline: one change row naming what changed and between which runs; no repeated configuration rows.
    const timeline = JSON.parse((await coroner(['timeline', '--db', db, '--source', 'lambda', '--json'])).stdout) as Rows
    const changes = timeline.result.rows.filter((r) => r.action === 'snapshot-changed')
    expect(changes).toHaveLength(1)
    expect(changes[0]!.detail).toContain('Environment.Variables.STAGE')
    expect(changes[0]!.detail).toContain(runs[0])
    expect(changes[0]!.detail).toContain(runs[1])
    expect(JSON.stringify(timeline.result.rows)).not.toContain(ENV_SECRET)
    const urlCreated = timeline.result.rows.filter((r) => r.action === 'function-url-created')
    expect(urlCreated).toHaveLength(1)
    const modified = timeline.result.rows.filter((r) => r.action === 'function-modified').map((r) => `${String(r.target)} ${String(r.time)}`)
    expect(modified).toEqual([...new Set(modified)])
  })

  it('retires a URL the later snapshot no longer has, and says so once in the timeline', async () => {
    const {db, runs} = await collectTwice(async (lambda) => {
      await lambda.send(new RemovePermissionCommand({FunctionName: 'payments-api', StatementId: 'public-url'}))
      await lambda.send(new DeleteFunctionUrlConfigCommand({FunctionName: 'payments-api'}))
    })
    expect((await query(db, 'lambda-url-configs-public')).result.rows).toEqual([])
    expect((await query(db, 'lambda-policy-open-statements')).result.rows).toEqual([])
    const history = await sql<{run_id: string; latest: boolean}>(db, "SELECT run_id, latest FROM lambda_url_configs_history WHERE artifact_key NOT LIKE '%/aliases/%'")
    expect(history).toEqual([{run_id: runs[0], latest: false}])
    const timeline = JSON.parse((await coroner(['timeline', '--db', db, '--source', 'lambda', '--json'])).stdout) as Rows
    const snapshotRows = timeline.result.rows.filter((r) => String(r.action).startsWith('snapshot-'))
    // moto answers for the alias as for the function: its URL and policy go too.
    const url = snapshotRows.filter((r) => String(r.detail).startsWith('payments-api function URL'))
    expect(url.map((r) => r.action)).toEqual(['snapshot-removed'])
    expect(String(url[0]!.detail)).toContain(runs[1])
    // The policy lost its only statement: removed whole, or changed, but once.
    expect(snapshotRows.filter((r) => String(r.detail).startsWith('payments-api resource policy'))).toHaveLength(1)
    expect(snapshotRows.every((r) => /^payments-api(:live)? (function URL|resource policy) /.test(String(r.detail)))).toBe(true)
  })
})
