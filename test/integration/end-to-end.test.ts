import {readdirSync} from 'node:fs'
import path from 'node:path'
import {CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand} from '@aws-sdk/client-cloudwatch-logs'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {coroner, repoRoot, type Envelope} from '../support/cli.js'
import type {LambdaProxy} from '../support/lambda-proxy.js'
import {ENV_SECRET, seededLambdaBehindProxy} from '../support/lambda-seed.js'
import {motoAws, resetMoto, useAwsTestEnvironment, useLambdaLayerBackend} from '../support/moto.js'
import {tempDir} from '../support/temp.js'

/**
 * One case through every layer, as a responder runs it: snapshot a function and its logs from
 * (emulated) AWS, add the CloudTrail records they were handed, load the case into DuckDB, query,
 * hunt and verify. Each layer reads only what the previous one wrote into the evidence store.
 */
let proxy: LambdaProxy

// CloudWatch Logs refuses events older than 14 days: the function logged three hours ago.
const HOUR = 3_600_000
const LOGGED_AT = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR
const STREAM = `${new Date(LOGGED_AT).toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]abc`

type Rows = Envelope<{columns: string[]; rows: Array<Record<string, unknown>>}>

describe('a case from collection to hunt', () => {
  // The commands build their AWS clients from the environment, like the AWS CLI.
  useAwsTestEnvironment()
  useLambdaLayerBackend()
  beforeEach(async () => {
    await resetMoto()
    ;({proxy} = await seededLambdaBehindProxy())
    const aws = motoAws()
    const logs = aws.client(CloudWatchLogsClient)
    const group = '/aws/lambda/payments-api'
    await logs.send(new CreateLogGroupCommand({logGroupName: group}))
    await logs.send(new CreateLogStreamCommand({logGroupName: group, logStreamName: STREAM}))
    const t = LOGGED_AT
    const put = await logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: STREAM,
        logEvents: [
          {timestamp: t, message: 'START RequestId: 0f5c7a52-1111-4c3e-9c1b-6a1e2f3d4b5c Version: $LATEST'},
          {timestamp: t + 10, message: `${new Date(t + 10).toISOString()}\t0f5c7a52-1111-4c3e-9c1b-6a1e2f3d4b5c\tERROR\tInvoke Error {"errorType":"Error","errorMessage":"=cmd|' /C calc'!A0"}`},
          {timestamp: t + 15, message: '=HYPERLINK("http://attacker.example/x","Unhandled ERROR")'},
          {timestamp: t + 20, message: 'END RequestId: 0f5c7a52-1111-4c3e-9c1b-6a1e2f3d4b5c'},
        ],
      }),
    )
    expect(put.rejectedLogEventsInfo).toBeUndefined()
    aws.destroy()
  })
  afterEach(() => proxy.close())

  it('collects, loads, queries, hunts and verifies one case from the evidence store alone', async () => {
    const dir = await tempDir()
    const store = path.join(dir, 'store')
    const db = path.join(dir, 'analysis', 'case.duckdb')
    const aws = ['--store', store, '--endpoint-url', proxy.url, '--region', 'us-east-1']

    const lambda = await coroner(['collect', 'lambda', '--function', 'payments-api', '--case', 'INC-E2E', ...aws, '--json'])
    expect(lambda.error).toBeUndefined()
    const logs = await coroner(['collect', 'logs', '--function', 'payments-api', '--since', new Date(LOGGED_AT - HOUR).toISOString(), '--until', new Date(LOGGED_AT + HOUR).toISOString(), '--case', 'INC-E2E', ...aws, '--json'])
    expect(logs.error).toBeUndefined()
    const samples = path.join(repoRoot, 'samples', 'incident', 'cloudtrail')
    const trail = await coroner(['import', 'cloudtrail', ...readdirSync(samples).filter((n) => n.endsWith('.json')).map((n) => path.join(samples, n)), '--case', 'INC-E2E', '--store', store])
    expect(trail.error).toBeUndefined()

    const load = await coroner(['load', '--case', 'INC-E2E', '--store', store, '--db', db, '--json'])
    expect(load.error).toBeUndefined()

    // The function snapshot landed in lambda_functions, its role's policies in iam_policies.
    const inventory = JSON.parse((await coroner(['query', 'lambda-function-inventory', '--db', db, '--json'])).stdout) as Rows
    expect(inventory.result.rows.map((r) => `${String(r.function)}:${String(r.version)}`)).toEqual(expect.arrayContaining(['payments-api:$LATEST', 'payments-api:2', 'payments-api:3']))
    expect(JSON.stringify(inventory.result.rows)).not.toContain(ENV_SECRET)
    const policies = JSON.parse((await coroner(['query', '--sql', 'SELECT kind, policy_name FROM iam_policies ORDER BY kind, policy_name', '--db', db, '--json'])).stdout) as Rows
    expect(policies.result.rows).toEqual(expect.arrayContaining([{kind: 'inline', policy_name: 'write-logs'}, expect.objectContaining({kind: 'trust'})]))
    expect(policies.result.rows.some((r) => r.kind === 'managed' && r.policy_name === 'read-receipts')).toBe(true)

    // The log slice landed in log_events with its request id; CSV output defuses the formula in it.
    const errors = await coroner(['query', 'function-log-errors', '--db', db, '--csv'])
    expect(errors.error).toBeUndefined()
    expect(errors.stdout).toContain('0f5c7a52-1111-4c3e-9c1b-6a1e2f3d4b5c')
    expect(errors.stdout).toContain("'=HYPERLINK(")
    expect(errors.stdout).not.toMatch(/(^|,)"?=HYPERLINK/m)

    // Every finding cites an evidence object whose hash the manifest holds.
    const hunt = await coroner(['hunt', '--case', 'INC-E2E', '--store', store, '--db', db, '--json'])
    expect(hunt.error?.oclif?.exit).toBe(3)
    const hits = (JSON.parse(hunt.stdout) as Envelope<{hits: Array<{rule: {title: string}; evidenceKey: string; evidenceSha256: string}>}>).result.hits
    expect(hits.map((h) => h.rule.title)).toContain('AWS Lambda Function Made Invocable By Anyone')
    const listed = JSON.parse((await coroner(['evidence', 'list', '--case', 'INC-E2E', '--store', store, '--json'])).stdout) as Envelope<{artifacts: Array<{key: string; sha256: string}>}>
    const hashes = new Map(listed.result.artifacts.map((a) => [a.key, a.sha256]))
    for (const h of hits) expect(hashes.get(h.evidenceKey)).toBe(h.evidenceSha256)

    const timeline = JSON.parse((await coroner(['timeline', '--db', db, '--json'])).stdout) as Rows
    expect(new Set(timeline.result.rows.map((r) => r.source))).toEqual(new Set(['cloudtrail', 'logs', 'lambda', 'custody']))

    const verify = await coroner(['evidence', 'verify', '--case', 'INC-E2E', '--store', store])
    expect(verify.error).toBeUndefined()
    expect(verify.stdout).toContain('OK: every object matches')
  })
})
