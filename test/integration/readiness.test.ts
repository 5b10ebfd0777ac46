import {CreateFunctionCommand, LambdaClient} from '@aws-sdk/client-lambda'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {AwsClientFactory} from '../../src/aws/client-factory.js'
import {CHECKS, type CheckResult} from '../../src/collectors/readiness/checks.js'
import {fixedClock} from '../../src/core/clock.js'
import {memoryLogger} from '../../src/core/logger.js'
import {quietProgress} from '../../src/core/progress.js'
import {LocalDirectoryStore} from '../../src/evidence/stores/local.js'
import {readinessStep} from '../../src/steps/collect/readiness.js'
import {runStep, type RunnerEnv} from '../../src/steps/runner.js'
import {startLambdaProxy, type LambdaProxy} from '../support/lambda-proxy.js'
import {motoAws, motoEndpoint, resetMoto} from '../support/moto.js'
import {ACCOUNT, EVIDENCE_BUCKET, FUNCTIONS, fixReadiness, seedUnready} from '../support/readiness-seed.js'
import {tempDir} from '../support/temp.js'
import {makeZip} from '../support/zip.js'

/** The checks moto can hold in both states; the rest are covered below against moto behind a local Lambda endpoint. */
const NOT_IN_MOTO = {
  // moto has no GetCodeSigningConfig (404): with no configuration the check fails, and it can never pass.
  'coroner-lambda-code-signing-enforced': 'fail',
  // moto refuses a layer of another account (its CreateFunction looks the layer up in the function's account).
  awslambda_function_using_cross_account_layers: 'pass',
} as Record<string, string>

async function runnerEnv(aws: AwsClientFactory, caseId?: string): Promise<RunnerEnv> {
  return {clock: fixedClock('2026-11-20T10:00:00Z', 1), logger: memoryLogger(), progress: quietProgress, signal: new AbortController().signal, aws, store: new LocalDirectoryStore(await tempDir()), showSecrets: false, caseId}
}

/** Every status each check had, over all its resources. */
function statuses(checks: CheckResult[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  for (const c of checks) out.set(c.id, new Set([...(out.get(c.id) ?? []), c.status]))
  return out
}

const audit = async (aws: AwsClientFactory, params: Record<string, unknown> = {}) =>
  (await runStep(await runnerEnv(aws), readinessStep, {regions: ['us-east-1'], evidenceBucket: EVIDENCE_BUCKET, ...params})).result

describe('readiness against moto: an account set up to fail, then fixed', () => {
  let aws: AwsClientFactory
  beforeEach(async () => {
    await resetMoto()
    aws = motoAws()
  })
  afterEach(() => aws.destroy())

  it('every check moto can represent fails, then passes once its fix is applied', async () => {
    await seedUnready(aws)
    const before = await audit(aws)
    expect(before.accountId).toBe(ACCOUNT)
    expect(before.functions.map((f) => f.name).sort()).toEqual([...FUNCTIONS])
    const was = statuses(before.checks)
    const expectedFail = CHECKS.map((c) => c.id).filter((id) => id !== 'coroner-evidence-bucket-configured' && NOT_IN_MOTO[id] !== 'pass')
    for (const id of expectedFail) expect([...(was.get(id) ?? [])], id).toContain('fail')
    // Per-function checks fail for the function set up to fail them; both functions share the admin role.
    const failing = (id: string) => before.checks.filter((c) => c.id === id && c.status === 'fail').map((c) => c.resource.split(':').at(-1)).sort()
    expect(failing('coroner-lambda-role-shared')).toEqual([...FUNCTIONS])
    expect(failing('awslambda_function_no_secrets_in_variables')).toEqual(['unready-api'])
    expect(failing('cloudwatch_log_group_retention_policy_specific_days_enabled')).toEqual(['unready-worker'])
    expect(failing('coroner-lambda-runtime-deprecation-soon')).toEqual([...FUNCTIONS])
    expect(before.summary.severeFailures).toBeGreaterThan(0)
    expect(before.summary.failedReads).toBe(0)

    // Without the evidence bucket, with a local store, the bucket check itself fails.
    const local = await audit(aws, {evidenceBucket: undefined, functions: ['unready-worker']})
    expect(local.checks.find((c) => c.id === 'coroner-evidence-bucket-configured')?.status).toBe('fail')

    await fixReadiness(aws)
    const after = await audit(aws)
    const now = statuses(after.checks)
    for (const c of CHECKS) expect([...(now.get(c.id) ?? [])], c.id).toEqual([NOT_IN_MOTO[c.id] ?? 'pass'])
    expect(after.summary.severeFailures).toBe(0)
  })

  it('what moto cannot answer is unknown with the reason, and counted as a failed read', async () => {
    const lambda = aws.client(LambdaClient)
    const {CreateRoleCommand, IAMClient} = await import('@aws-sdk/client-iam')
    const role = await aws.client(IAMClient).send(new CreateRoleCommand({RoleName: 'signed-exec', AssumeRolePolicyDocument: '{}'}))
    await lambda.send(new CreateFunctionCommand({FunctionName: 'signed', Runtime: 'python3.13', Role: role.Role!.Arn!, Handler: 'i.h', Code: {ZipFile: makeZip({'i.py': ''})}, CodeSigningConfigArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:code-signing-config:csc-0123456789abcdef0`}))
    const report = await audit(aws, {functions: ['signed']})
    const signing = report.checks.find((c) => c.id === 'coroner-lambda-code-signing-enforced')!
    expect(signing).toMatchObject({status: 'unknown', gap: 'unsupported'})
    expect(signing.reason).toMatch(/lambda:GetCodeSigningConfig is not supported by the endpoint \(HTTP 404\)/)
    expect(report.checks.filter((c) => c.gap !== undefined).map((c) => c.id), JSON.stringify(report.checks.filter((c) => c.gap))).toEqual(['coroner-lambda-code-signing-enforced'])
    expect(report.summary.failedReads).toBe(1)
  })
})

describe('readiness against moto behind a local Lambda endpoint (what moto cannot hold)', () => {
  let aws: AwsClientFactory
  let proxy: LambdaProxy
  beforeEach(async () => {
    await resetMoto()
    proxy = await startLambdaProxy(motoEndpoint())
    aws = new AwsClientFactory({endpointUrl: proxy.url, region: 'us-east-1', maxAttempts: 1, credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}})
    const {CreateRoleCommand, IAMClient} = await import('@aws-sdk/client-iam')
    const role = await aws.client(IAMClient).send(new CreateRoleCommand({RoleName: 'layered-exec', AssumeRolePolicyDocument: '{}'}))
    await aws.client(LambdaClient).send(new CreateFunctionCommand({FunctionName: 'layered', Runtime: 'python3.13', Role: role.Role!.Arn!, Handler: 'i.h', Code: {ZipFile: makeZip({'i.py': ''})}, CodeSigningConfigArn: CSC}))
  })
  afterEach(async () => {
    aws.destroy()
    await proxy.close()
  })

  const CSC = `arn:aws:lambda:us-east-1:${ACCOUNT}:code-signing-config:csc-0123456789abcdef0`
  // GetCodeSigningConfig as Lambda answers it (REST-JSON, GET /2020-04-22/code-signing-configs/{arn}).
  const signingAnswer = (policy: 'Enforce' | 'Warn') => ({
    method: 'GET',
    path: /^\/2020-04-22\/code-signing-configs\//,
    status: 200,
    body: {CodeSigningConfig: {CodeSigningConfigId: 'csc-0123456789abcdef0', CodeSigningConfigArn: CSC, AllowedPublishers: {SigningProfileVersionArns: [`arn:aws:signer:us-east-1:${ACCOUNT}:/signing-profiles/app/abc`]}, CodeSigningPolicies: {UntrustedArtifactOnDeployment: policy}, LastModified: '2026-11-01T00:00:00.000+0000'}},
  })
  const withLayers = (layers: string[]) => ({
    method: 'GET',
    path: /^\/2015-03-31\/functions\/?$/,
    edit: (doc: Record<string, unknown>) => ({...doc, Functions: (doc.Functions as Array<Record<string, unknown>>).map((f) => ({...f, Layers: layers.map((Arn) => ({Arn, CodeSize: 10}))}))}),
  })
  const check = (checks: CheckResult[], id: string) => checks.find((c) => c.id === id)!

  it('code signing: Warn fails, Enforce passes (GetCodeSigningConfig answered as Lambda does)', async () => {
    proxy.canned.push(signingAnswer('Warn'))
    const warn = await audit(aws, {functions: ['layered']})
    expect(check(warn.checks, 'coroner-lambda-code-signing-enforced')).toMatchObject({status: 'fail', details: {untrustedArtifactOnDeployment: 'Warn'}})
    proxy.canned.length = 0
    proxy.canned.push(signingAnswer('Enforce'))
    const enforce = await audit(aws, {functions: ['layered']})
    expect(check(enforce.checks, 'coroner-lambda-code-signing-enforced').status).toBe('pass')
    expect(proxy.requests.some((r) => r.startsWith(`GET /2020-04-22/code-signing-configs/${encodeURIComponent(CSC)}`))).toBe(true)
  })

  it('layers: one of another account fails, the account\'s own pass', async () => {
    proxy.transforms.push(withLayers([`arn:aws:lambda:us-east-1:${ACCOUNT}:layer:own:1`, 'arn:aws:lambda:us-east-1:999999999999:layer:vendor:7']))
    const foreign = await audit(aws, {functions: ['layered']})
    const failed = check(foreign.checks, 'awslambda_function_using_cross_account_layers')
    expect(failed).toMatchObject({status: 'fail', details: {foreign: ['arn:aws:lambda:us-east-1:999999999999:layer:vendor:7']}})
    proxy.transforms.length = 0
    proxy.transforms.push(withLayers([`arn:aws:lambda:us-east-1:${ACCOUNT}:layer:own:1`]))
    const own = await audit(aws, {functions: ['layered']})
    expect(check(own.checks, 'awslambda_function_using_cross_account_layers').status).toBe('pass')
  })

  it('reads only: every call the audit makes is a GET or HEAD, or a Describe, Get or List', async () => {
    proxy.calls.length = 0
    await seedUnready(aws)
    const seeded = proxy.calls.length
    await audit(aws)
    const made = proxy.calls.slice(seeded)
    expect(made.length).toBeGreaterThan(40)
    for (const c of made) {
      const name = c.target?.split('.').at(-1) ?? c.action
      if (name !== undefined) expect(name, c.url).toMatch(/^(Describe|Get|List)/)
      else expect(c.method, c.url).toMatch(/^(GET|HEAD)$/)
    }
  })
})
