import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import type {ReadinessResult} from '../../src/commands/readiness.js'
import {coroner, type Envelope} from '../support/cli.js'
import {motoAws, motoEndpoint, resetMoto, useAwsTestEnvironment} from '../support/moto.js'
import {EVIDENCE_BUCKET, SECRET_ENV, seedUnready} from '../support/readiness-seed.js'
import {tempDir} from '../support/temp.js'

/** No output may hold any planted secret value, nor a telling piece of one. */
function expectNoSecret(text: string, where: string): void {
  for (const [name, value] of Object.entries(SECRET_ENV)) {
    expect(text, `${where} holds the value of ${name}`).not.toContain(value)
    expect(text, `${where} holds a piece of the value of ${name}`).not.toContain(value.slice(0, 10))
    expect(text, `${where} holds the end of the value of ${name}`).not.toContain(value.slice(-10))
  }
}

describe('coroner readiness', () => {
  useAwsTestEnvironment()
  beforeAll(async () => {
    await resetMoto()
    const aws = motoAws()
    await seedUnready(aws).finally(() => aws.destroy())
  })
  const base = () => ['--region', 'us-east-1', '--endpoint-url', motoEndpoint(), '--evidence-bucket', EVIDENCE_BUCKET]

  it('prints a table of every check and what to do, exits 3 on a high-severity failure, and shows no secret value', async () => {
    const store = await tempDir()
    const res = await coroner(['readiness', ...base(), '--store', store])
    expect(res.error?.oclif?.exit).toBe(3)
    expect(res.stdout).toMatch(/FAIL\s+critical\s+awslambda_function_not_publicly_accessible/)
    expect(res.stdout).toContain('fix: aws lambda remove-permission --function-name unready-api --statement-id anyone --region us-east-1')
    // The secret variables are named, with their length and why, never their value.
    expect(res.stdout).toContain(`AWS_SECRET_ACCESS_KEY (${SECRET_ENV.AWS_SECRET_ACCESS_KEY.length} characters: the value has the shape of an AWS secret access key)`)
    expect(res.stdout).toContain('SESSION_JWT')
    expect(res.stdout).toContain('DB_PASS')
    expect(res.stdout).not.toContain('DB_PASSWORD_PARAM (')
    expectNoSecret(res.stdout + res.stderr, 'the table')
    // Without --case nothing is written.
    expect(readdirSync(store)).toEqual([])
  })

  it('--json and --csv carry the same checks, and no secret value', async () => {
    const json = await coroner(['readiness', ...base(), '--json'])
    expect(json.error?.oclif?.exit).toBe(3)
    const env = JSON.parse(json.stdout) as Envelope<ReadinessResult>
    const secrets = env.result.checks.find((c) => c.id === 'awslambda_function_no_secrets_in_variables' && c.status === 'fail')!
    expect((secrets.details as {variables: Array<{name: string}>}).variables.map((v) => v.name)).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'DB_PASS', 'SESSION_JWT'])
    expectNoSecret(json.stdout, '--json')
    const csv = await coroner(['readiness', ...base(), '--csv'])
    expect(csv.error?.oclif?.exit).toBe(3)
    const lines = csv.stdout.trimEnd().split('\r\n')
    expect(lines[0]).toBe('id,status,severity,service,title,resource,region,reason,fix,gapCode,details')
    expect(lines.length - 1).toBe(env.result.checks.length)
    expectNoSecret(csv.stdout, '--csv')
  })

  it('with --case preserves the result as readiness.checks, which loads into readiness_checks; neither holds a secret value', async () => {
    const store = await tempDir()
    const res = await coroner(['readiness', ...base(), '--store', store, '--case', 'INC-READY', '--json'])
    expect(res.error?.oclif?.exit).toBe(3)
    const out = (JSON.parse(res.stdout) as Envelope<ReadinessResult>).result
    expect(out.run?.status).toBe('complete')
    expect(out.artifact?.key).toMatch(/^cases\/INC-READY\/runs\/[^/]+\/readiness\/123456789012\/checks\.json$/)
    const stored = readFileSync(path.join(store, out.artifact!.key), 'utf8')
    expect((JSON.parse(stored) as {schema: string; checks: unknown[]}).checks).toHaveLength(out.checks.length)
    expectNoSecret(stored, 'the stored artifact')
    const manifest = readFileSync(path.join(store, out.run!.manifestKey), 'utf8')
    expect(manifest).toContain('"kind": "readiness.checks"')
    expectNoSecret(manifest, 'the manifest')

    const db = path.join(await tempDir(), 'case.duckdb')
    const load = await coroner(['load', '--case', 'INC-READY', '--store', store, '--db', db, '--json'])
    expect(load.error).toBeUndefined()
    expect((JSON.parse(load.stdout) as Envelope<{tables: Array<{table: string; rows: number}>}>).result.tables.find((t) => t.table === 'readiness_checks')?.rows).toBe(out.checks.length)
    const rows = await coroner(['query', '--sql', "SELECT check_id, status, severity, resource, reason, details, artifact_sha256 FROM readiness_checks WHERE check_id = 'awslambda_function_no_secrets_in_variables' AND status = 'fail'", '--db', db, '--json'])
    const got = (JSON.parse(rows.stdout) as Envelope<{rows: Array<Record<string, unknown>>}>).result.rows
    expect(got).toHaveLength(1)
    expect(got[0]!.artifact_sha256).toBe(out.artifact!.sha256)
    expectNoSecret(rows.stdout, 'the loaded table')
    const table = await coroner(['query', '--sql', 'SELECT * FROM readiness_checks', '--db', db])
    expectNoSecret(table.stdout, 'the loaded table shown')
  })

  it('permissions --readiness prints a read-only policy with every action the audit calls', async () => {
    const res = await coroner(['permissions', '--readiness', '--json'])
    expect(res.error).toBeUndefined()
    const policy = (JSON.parse(res.stdout) as Envelope<{policy: {Statement: Array<{Sid: string; Action: string[]}>}}>).result.policy
    const actions = policy.Statement.flatMap((s) => s.Action)
    expect(actions).toEqual(expect.arrayContaining(['cloudtrail:GetEventSelectors', 'guardduty:GetDetector', 'config:DescribeConfigurationRecorderStatus', 'lambda:GetCodeSigningConfig', 's3:GetBucketLogging', 'iam:GetPolicyVersion']))
    for (const a of actions) expect(a).toMatch(/^[a-z0-9-]+:(Get|List|Describe)[A-Za-z]*$/)
  })
})
