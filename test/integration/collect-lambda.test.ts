import {createHash} from 'node:crypto'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {CreateFunctionCommand, LambdaClient} from '@aws-sdk/client-lambda'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {AwsClientFactory} from '../../src/aws/client-factory.js'
import {lambdaStep} from '../../src/steps/collect/lambda.js'
import {readManifest} from '../../src/evidence/cases.js'
import {LocalDirectoryStore} from '../../src/evidence/stores/local.js'
import type {ArtifactRecord} from '../../src/evidence/manifest.js'
import {collectIn, testContext} from '../support/context.js'
import {servePackage, type LambdaProxy} from '../support/lambda-proxy.js'
import {ENV_SECRET, seededLambdaBehindProxy, type SeededLambda} from '../support/lambda-seed.js'
import {motoAws, resetMoto, useLambdaLayerBackend} from '../support/moto.js'
import {tempDir} from '../support/temp.js'
import {makeZip} from '../support/zip.js'

const fixture = async (dir: string, name: string): Promise<any> =>
  JSON.parse(await readFile(path.join(import.meta.dirname, '..', 'fixtures', dir, name), 'utf8'))

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

let proxy: LambdaProxy
let seeded: SeededLambda

async function setUp(): Promise<void> {
  await resetMoto()
  ;({proxy, seeded} = await seededLambdaBehindProxy())
}

function proxiedAws(): AwsClientFactory {
  return new AwsClientFactory({endpointUrl: proxy.url, region: 'us-east-1', caseId: 'INC-L', maxAttempts: 1, credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}})
}

async function collect(functions: string[], allVersions = false) {
  const root = await tempDir()
  const store = new LocalDirectoryStore(root)
  const aws = proxiedAws()
  const ctx = testContext(store, {aws})
  const out = await collectIn(ctx, 'INC-L', lambdaStep, {functions, allVersions})
  aws.destroy()
  const manifest = await readManifest(store, out.manifestKey)
  const byName = (suffix: string): ArtifactRecord => {
    const found = manifest.artifacts.filter((a) => a.key.endsWith(suffix))
    expect(found, suffix).toHaveLength(1)
    return found[0]!
  }
  const file = (a: ArtifactRecord): Promise<Buffer> => readFile(path.join(root, ...a.key.split('/')))
  const json = async (suffix: string): Promise<any> => JSON.parse((await file(byName(suffix))).toString('utf8'))
  return {out, manifest, byName, file, json, root}
}

describe('collect lambda (moto behind a Location-serving proxy)', () => {
  useLambdaLayerBackend()
  beforeEach(setUp)
  afterEach(() => proxy.close())

  it('snapshots a function: versions, verified code, aliases, layer, policy, URL, trigger, concurrency, role', async () => {
    const {out, manifest, byName, file, json} = await collect(['payments-api'])
    expect(out.gaps).toEqual([])
    expect(out.status).toBe('complete')
    const fn = out.collected.functions[0]!
    expect(fn).toMatchObject({functionName: 'payments-api', status: 'complete', versions: ['$LATEST', '2', '3'], aliases: ['live'], codePackages: 2})
    // Three function.json, two packages, aliases, policy and URL for the function and its alias, triggers, concurrency, code signing.
    expect(fn.artifacts).toBe(13)
    expect(fn.environment).toEqual({DB_PASSWORD: '[redacted:DB_PASSWORD]', STAGE: '[redacted:STAGE]'})

    // Every artifact's bytes match the manifest's hash and size.
    for (const a of manifest.artifacts) {
      const bytes = await file(a)
      expect(sha256(bytes), a.key).toBe(a.sha256)
      expect(bytes.length).toBe(a.size)
    }
    const kinds = manifest.artifacts.map((a) => a.kind).sort()
    expect(new Set(kinds)).toEqual(
      new Set(['lambda.function', 'lambda.code', 'lambda.aliases', 'lambda.policy', 'lambda.url-config', 'lambda.event-source-mappings', 'lambda.concurrency', 'lambda.code-signing', 'lambda.layer', 'lambda.layer-code', 'iam.role', 'iam.role-policies']),
    )
    expect(kinds.filter((k) => k === 'lambda.function')).toHaveLength(3)

    // The environment is in the evidence as AWS returned it.
    const latest = await json('lambda/us-east-1/payments-api/versions/%24LATEST/function.json')
    expect(latest.Configuration.Environment.Variables.DB_PASSWORD).toBe(ENV_SECRET)
    expect(latest.Tags).toEqual({team: 'payments'})
    expect(latest.$metadata).toBeUndefined()

    // Code packages verified against CodeSha256 and stored byte for byte.
    const codes = manifest.artifacts.filter((a) => a.kind === 'lambda.code')
    for (const c of codes) expect(c.attributes).toMatchObject({verified: true})
    const v2 = byName('versions/2/code.zip')
    expect(await file(v2)).toEqual(seeded.zips[1])
    expect(v2.sha256).toBe(sha256(seeded.zips[1]!))

    const aliases = await json('payments-api/aliases.json')
    expect(aliases.Aliases[0]).toMatchObject({Name: 'live', FunctionVersion: '2', RoutingConfig: {AdditionalVersionWeights: {'3': 0.1}}})
    const policy = await json('payments-api/policy.json')
    expect(policy.Policy.Statement).toEqual([expect.objectContaining({Sid: 'public-url', Principal: '*', Action: 'lambda:InvokeFunctionUrl'})])
    expect((await json('payments-api/url-config.json')).AuthType).toBe('NONE')
    const esm = await json('payments-api/event-source-mappings.json')
    expect(esm.EventSourceMappings).toEqual([expect.objectContaining({EventSourceArn: seeded.queueArn, BatchSize: 5})])
    expect(await json('payments-api/concurrency.json')).toEqual({reserved: 5, provisioned: []})

    const layer = await json('layers/shared-utils/1/layer.json')
    expect(layer.LayerVersionArn).toBe(seeded.layerArn)
    expect(await file(byName('layers/shared-utils/1/content.zip'))).toEqual(seeded.layerZip)

    const role = await json('iam/global/roles/payments-exec/role.json')
    expect(role.Role.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({Service: 'lambda.amazonaws.com'})
    const policies = await json('iam/global/roles/payments-exec/role-policies.json')
    expect(policies.InlinePolicies).toEqual([{PolicyName: 'write-logs', PolicyDocument: expect.objectContaining({Statement: [expect.objectContaining({Action: 'logs:PutLogEvents'})]})}])
    expect(policies.AttachedPolicies[0]).toMatchObject({PolicyName: 'read-receipts', DefaultVersion: {Document: {Statement: [{Action: 's3:GetObject'}]}}})
    expect(policies.PermissionsBoundary).toMatchObject({PolicyArn: 'arn:aws:iam::123456789012:policy/payments-boundary', DefaultVersion: {Document: {Statement: [{Action: ['logs:*', 's3:GetObject']}]}}})

    // The calls really went to the service.
    const called = (pattern: RegExp) => proxy.requests.some((r) => pattern.test(r))
    expect(called(/^GET \/2015-03-31\/functions\/payments-api\/versions/)).toBe(true)
    expect(called(/^GET \/2015-03-31\/functions\/payments-api\/aliases/)).toBe(true)
    expect(called(/^GET \/2015-03-31\/functions\/payments-api\?Qualifier=2$/)).toBe(true)
    expect(called(/^GET \/2015-03-31\/functions\/payments-api\/policy\?Qualifier=live$/)).toBe(true)
    expect(called(/^GET \/2021-10-31\/functions\/payments-api\/url\?Qualifier=live$/)).toBe(true)
    expect(called(/^GET \/2015-03-31\/event-source-mappings\/?\?FunctionName=payments-api/)).toBe(true)
    expect(called(/^GET \/2019-09-30\/functions\/payments-api\/provisioned-concurrency\?List=ALL/)).toBe(true)
    // GetLayerVersion by layer ARN, which also reaches layers shared from other accounts.
    expect(called(/^GET \/2018-10-31\/layers\/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Alayer%3Ashared-utils\/versions\/1$/)).toBe(true)
    // Version 3 is $LATEST's package: downloaded once. Two function packages and the layer.
    expect(proxy.requests.filter((r) => r.startsWith('GET /__code/'))).toHaveLength(3)
    expect(codes.map((c) => c.key.split('/').slice(-2).join('/')).sort()).toEqual(['%24LATEST/code.zip', '2/code.zip'])
    expect(await file(byName('versions/%24LATEST/code.zip'))).toEqual(seeded.zips[2])
  })

  it('with --all-versions collects version 1 too; shared packages are stored once', async () => {
    const {out, manifest} = await collect(['payments-api'], true)
    expect(out.collected.functions[0]!.versions).toEqual(['$LATEST', '1', '2', '3'])
    expect(manifest.artifacts.filter((a) => a.kind === 'lambda.function')).toHaveLength(4)
    const codeShas = manifest.artifacts.filter((a) => a.kind === 'lambda.code').map((a) => a.sha256)
    expect(codeShas.sort()).toEqual(seeded.zips.map((z) => sha256(z)).sort())
  })

  it('records an unknown function and a denied call as gaps, and the run ends partial', async () => {
    proxy.canned.push({
      method: 'GET',
      path: /\/functions\/payments-api\/code-signing-config$/,
      status: 403,
      errorType: 'AccessDeniedException',
      body: {Message: 'User: arn:aws:sts::123456789012:assumed-role/ir/x is not authorized to perform: lambda:GetFunctionCodeSigningConfig'},
    })
    const {out, manifest} = await collect(['ghost-fn', 'payments-api'])
    expect(out.status).toBe('partial')
    expect(manifest.status).toBe('partial')
    expect(manifest.gaps).toBe(2)
    const ghost = out.gaps.find((g) => g.resource === 'ghost-fn')!
    expect(ghost.code).toBe('function-not-found')
    expect(ghost.reason).toMatch(/aws lambda list-functions --region us-east-1/)
    expect(out.gaps.find((g) => g.code === 'access-denied')!.reason).toMatch(/lambda:GetFunctionCodeSigningConfig/)
    expect(out.collected.functions.map((f) => [f.status, f.gaps])).toEqual([['failed', 1], ['partial', 1]])
    expect(manifest.artifacts.some((a) => a.key.includes('/ghost-fn/'))).toBe(false)
    expect(manifest.artifacts.filter((a) => a.kind === 'lambda.function')).toHaveLength(3)
    expect(manifest.artifacts.some((a) => a.kind === 'lambda.code-signing')).toBe(false)
  })

  it('keeps code whose bytes do not match CodeSha256, marked unverified, with a loud gap', async () => {
    const sha = createHash('sha256').update(seeded.zips[1]!).digest('base64')
    proxy.tamper.add(sha)
    const {out, manifest, byName, file} = await collect(['payments-api'])
    expect(out.status).toBe('partial')
    const gap = out.gaps.find((g) => g.code === 'code-sha256-mismatch')!
    expect(gap.reason).toMatch(/CODE SHA-256 MISMATCH/)
    expect(manifest.warnings.some((w) => w.includes('MISMATCH'))).toBe(true)
    const kept = byName('versions/2/code.sha256-mismatch.zip')
    expect(kept.attributes).toMatchObject({verified: false, sha256Mismatch: true, expectedSha256: sha256(seeded.zips[1]!)})
    expect((await file(kept)).toString('latin1')).toMatch(/tampered$/)
    expect(manifest.artifacts.some((a) => a.key.endsWith('versions/2/code.zip'))).toBe(false)
    expect(byName('versions/%24LATEST/code.zip').attributes).toMatchObject({verified: true})
  })

  it('stores real-format GetFunction and GetPolicy answers as AWS gave them; a package not matching CodeSha256 is kept, flagged', async () => {
    const getFunction = await fixture('aws_aws-cli_examples', 'lambda_get-function_output.json')
    const getPolicy = await fixture('duo-labs_cloudmapper_lambda-config', 'lambda-get-policy_invpclambda.json')
    const seeder = motoAws()
    await seeder.client(LambdaClient).send(
      new CreateFunctionCommand({FunctionName: 'my-function', Runtime: 'nodejs22.x', Role: seeded.roleArn, Handler: 'index.handler', Code: {ZipFile: makeZip({'index.js': ''})}}),
    )
    seeder.destroy()
    const sha = getFunction.Configuration.CodeSha256 as string
    proxy.packages.set(sha, Buffer.from('not the package AWS hashed'))
    const answer = {...getFunction, Code: {...getFunction.Code, Location: `${proxy.url}/__code/${encodeURIComponent(sha)}`}}
    proxy.canned.push({method: 'GET', path: /^\/2015-03-31\/functions\/my-function$/, status: 200, body: answer})
    proxy.canned.push({method: 'GET', path: /^\/2015-03-31\/functions\/my-function\/policy$/, status: 200, body: getPolicy})

    const {out, json, byName} = await collect(['my-function'])
    expect(await json('my-function/versions/%24LATEST/function.json')).toEqual(answer)
    const policy = await json('my-function/policy.json')
    expect(policy.RevisionId).toBe(getPolicy.RevisionId)
    expect(policy.Policy.Statement[0]).toMatchObject({
      Principal: {Service: 'apigateway.amazonaws.com'},
      Condition: {ArnLike: {'AWS:SourceArn': 'arn:aws:execute-api:us-east-1:653711331788:2rfismmoo8/*/*/invpclambda'}},
    })
    // The record's execution role does not exist here: a gap naming the call, like a deleted role.
    expect(out.gaps.map((g) => [g.code, g.collector])).toEqual([['code-sha256-mismatch', 'lambda'], ['not-found', 'iam-role']])
    expect(out.gaps[1]!.reason).toMatch(/^iam:GetRole: NoSuchEntity/)
    // The role is not part of the function's own snapshot.
    expect(out.collected.functions[0]!.gaps).toBe(1)
    expect(byName('my-function/versions/%24LATEST/code.sha256-mismatch.zip').attributes).toMatchObject({
      verified: false,
      expectedSha256: Buffer.from(sha, 'base64').toString('hex'),
    })
    expect(out.collected.functions[0]).toMatchObject({runtime: 'nodejs22.x', role: 'arn:aws:iam::123456789012:role/service-role/helloWorldPython-role-uy3l9qyq'})
  })

  it('records a container image function by its image URI and digest, downloading nothing', async () => {
    const seeder = motoAws()
    const imageUri = '123456789012.dkr.ecr.us-east-1.amazonaws.com/thumbnailer:v7'
    await seeder.client(LambdaClient).send(new CreateFunctionCommand({FunctionName: 'thumbnailer', PackageType: 'Image', Role: seeded.roleArn, Code: {ImageUri: imageUri}}))
    seeder.destroy()
    const {out, manifest, json} = await collect(['thumbnailer'])
    expect(out.gaps).toEqual([])
    expect(out.collected.functions[0]).toMatchObject({packageType: 'Image', codePackages: 0, status: 'complete'})
    expect((await json('thumbnailer/versions/%24LATEST/function.json')).Code.ImageUri).toBe(imageUri)
    expect(manifest.artifacts.some((a) => a.kind === 'lambda.code')).toBe(false)
    expect(proxy.requests.some((r) => r.includes('/__code/'))).toBe(false)
  })

  it('an interruption seals the run as incomplete with what was written so far', async () => {
    const root = await tempDir()
    const store = new LocalDirectoryStore(root)
    const aws = proxiedAws()
    const abort = new AbortController()
    const ctx = testContext(store, {aws, signal: abort.signal})
    // The responder presses Ctrl-C while the first code package is being downloaded.
    proxy.onRequest = (line) => {
      if (line.startsWith('GET /__code/')) abort.abort(new Error('interrupted by the user'))
    }
    const functions = ['payments-api']
    const out = await collectIn(ctx, 'INC-L', lambdaStep, {functions, allVersions: true})
    aws.destroy()
    expect(out.status).toBe('incomplete')
    expect(out.gaps).toEqual([])
    expect(out.collected.functions[0]!.status).toBe('failed')
    expect(out.artifacts.map((a) => a.kind)).toEqual(['lambda.aliases', 'lambda.function'])
  })
})
