import path from 'node:path'
import {CreateRoleCommand, IAMClient} from '@aws-sdk/client-iam'
import {CreateFunctionCommand, LambdaClient, PublishVersionCommand, UpdateFunctionCodeCommand} from '@aws-sdk/client-lambda'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {CodeDiffResult} from '../../src/steps/analyse/code-diff.js'
import type {CodeShowResult} from '../../src/steps/analyse/code-show.js'
import {coroner, type Envelope} from '../support/cli.js'
import {ORDERS_V1, ORDERS_V2, packageZip} from '../support/code-fixtures.js'
import {servePackage, startLambdaProxy, type LambdaProxy} from '../support/lambda-proxy.js'
import {motoAws, motoEndpoint, resetMoto, useAwsTestEnvironment} from '../support/moto.js'
import {lockedBucket, rawS3} from '../support/s3.js'
import {tempDir} from '../support/temp.js'

let proxy: LambdaProxy

/** orders-api in moto: version 1, then version 2 whose code adds the exfiltration. */
async function seedOrdersApi(): Promise<void> {
  const aws = motoAws()
  try {
    const role = await aws.client(IAMClient).send(
      new CreateRoleCommand({RoleName: 'orders-exec', AssumeRolePolicyDocument: JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'lambda.amazonaws.com'}, Action: 'sts:AssumeRole'}]})}),
    )
    const lambda = aws.client(LambdaClient)
    const [v1, v2] = [packageZip(ORDERS_V1), packageZip(ORDERS_V2)]
    await lambda.send(new CreateFunctionCommand({FunctionName: 'orders-api', Runtime: 'nodejs20.x', Role: role.Role!.Arn!, Handler: 'index.handler', Code: {ZipFile: v1}, Environment: {Variables: {DB_PASSWORD: 'hunter2-db-password-9f3a'}}}))
    await lambda.send(new PublishVersionCommand({FunctionName: 'orders-api'}))
    await lambda.send(new UpdateFunctionCodeCommand({FunctionName: 'orders-api', ZipFile: v2}))
    await lambda.send(new PublishVersionCommand({FunctionName: 'orders-api'}))
    proxy = await startLambdaProxy(motoEndpoint())
    for (const z of [v1, v2]) servePackage(proxy, z)
    proxy.canned.push({method: 'GET', path: /\/provisioned-concurrency$/, status: 200, body: {ProvisionedConcurrencyConfigs: []}})
  } finally {
    aws.destroy()
  }
}

describe('code forensics end to end: collect two versions from moto, load, code diff', () => {
  useAwsTestEnvironment()
  beforeEach(async () => {
    await resetMoto()
    await seedOrdersApi()
  })
  afterEach(() => proxy.close())

  it('names what version 2 changed and reaches for, from packages collected and verified against CodeSha256', async () => {
    const dir = await tempDir()
    const args = ['--case', 'INC-E2E', '--store', path.join(dir, 'store'), '--db', path.join(dir, 'case.duckdb')]
    const collect = await coroner(['collect', 'lambda', '--function', 'orders-api', '--all-versions', '--case', 'INC-E2E', '--store', path.join(dir, 'store'), '--endpoint-url', proxy.url, '--region', 'us-east-1', '--json'])
    expect(collect.error, collect.stdout + collect.stderr).toBeUndefined()
    expect(proxy.requests.filter((r) => r.startsWith('GET /__code/'))).toHaveLength(2)
    const load = await coroner(['load', ...args, '--json'])
    expect(load.error, load.stdout).toBeUndefined()
    expect(JSON.parse(load.stdout).result.code).toMatchObject({packages: 2, read: 2, files: 12, anomalies: {}})

    const out = await coroner(['code', 'diff', '--function', 'orders-api', '--from', '1', '--to', '2', ...args, '--json'])
    expect(out.error, out.stdout).toBeUndefined()
    const d = (JSON.parse(out.stdout) as Envelope<CodeDiffResult>).result
    expect(d.newIndicators.map((i) => [i.path, i.kind, i.value.slice(0, 40)])).toEqual([
      ['index.js', 'base64-blob', 'aW1wb3J0IG9zLHVybGxpYi5yZXF1ZXN0O3VybGxp'],
      ['index.js', 'url', 'https://telemetry.evil-cdn.ru/v1/collect'],
      ['index.js', 'credential-env', 'AWS_ACCESS_KEY_ID'],
      ['index.js', 'credential-env', 'AWS_SECRET_ACCESS_KEY'],
      ['index.js', 'credential-env', 'AWS_SESSION_TOKEN'],
    ])
    expect(d.files.changed.map((f) => f.path)).toEqual(['index.js', 'node_modules/left-pad/index.js', 'node_modules/left-pad/package.json', 'package.json'])
    expect([d.files.added, d.files.removed, d.unchanged]).toEqual([[], [], 2])
    expect(d.patches.find((p) => p.path === 'index.js')?.patch).toContain("+const dbPass = '[redacted:DB_PASSWORD]'")
    // $LATEST is version 2: collected once, and nothing new.
    const latest = await coroner(['code', 'diff', '--function', 'orders-api', '--from', '2', '--to', '$LATEST', ...args, '--json'])
    expect((JSON.parse(latest.stdout) as Envelope<CodeDiffResult>).result).toMatchObject({newIndicators: [], files: {changed: []}})
  })

  it('reads code straight from an S3 evidence store by byte ranges of the object version the manifest names', async () => {
    const s3 = rawS3()
    await lockedBucket(s3, 'code-evidence')
    s3.destroy()
    const dir = await tempDir()
    const bucket = ['--store', 's3://code-evidence/ir', '--endpoint-url', proxy.url, '--region', 'us-east-1']
    const collect = await coroner(['collect', 'lambda', '--function', 'orders-api', '--all-versions', '--case', 'INC-S3', ...bucket, '--json'])
    expect(collect.error, collect.stdout + collect.stderr).toBeUndefined()
    // The analysis database is built from a verified local copy; the bytes are then read from the bucket itself.
    expect((await coroner(['evidence', 'pull', '--case', 'INC-S3', '--to', path.join(dir, 'pulled'), ...bucket])).error).toBeUndefined()
    const db = ['--db', path.join(dir, 'case.duckdb')]
    expect((await coroner(['load', '--case', 'INC-S3', '--store', path.join(dir, 'pulled'), ...db])).error).toBeUndefined()
    proxy.ranges.length = 0
    const shown = await coroner(['code', 'show', '--function', 'orders-api', '--version', '2', 'lib/db.js', '--case', 'INC-S3', ...bucket, ...db, '--json'])
    expect(shown.error, shown.stdout).toBeUndefined()
    const r = (JSON.parse(shown.stdout) as Envelope<CodeShowResult>).result
    expect(r.text).toBe(ORDERS_V1['lib/db.js'])
    expect(r.evidenceKey).toMatch(/^cases\/INC-S3\/runs\/.*orders-api\/versions\/.*\/code\.zip$/)
    expect(proxy.ranges.length).toBeGreaterThan(0)
    for (const range of proxy.ranges) expect(range).toMatch(/^GET \/code-evidence\/ir\/cases\/INC-S3\/.*code\.zip\?.*versionId=[^&\s]+.* bytes=\d+-\d+$/)
  })
})
