import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam'
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  GetAliasCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListTagsCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda'
import type {AwsClientFactory} from '../../src/aws/client-factory.js'
import {servePackage, startLambdaProxy, type LambdaProxy} from './lambda-proxy.js'
import {motoAws, motoEndpoint} from './moto.js'
import {makeZip} from './zip.js'

export const FUNCTION = 'payments-api'
export const ROLE = 'payments-exec'

export interface ContainSeed {
  functionArn: string
  roleArn: string
  queueArn: string
  accessKeyId: string
  zips: Buffer[]
}

/** Creates an SQS queue in moto through the query API (no SQS client is a dependency). */
async function createQueue(endpoint: string, name: string): Promise<string> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0'},
    body: `Action=CreateQueue&QueueName=${name}&Version=2012-11-05`,
  })
  if (!res.ok) throw new Error(`CreateQueue failed: ${res.status} ${await res.text()}`)
  return `arn:aws:sqs:us-east-1:123456789012:${name}`
}

/**
 * A function an attacker opened up, in moto: a public function URL (AuthType NONE, with CORS), a
 * statement letting anyone invoke it and one for the URL, a legitimate S3 trigger statement of
 * its own account, an SQS event source mapping, reserved concurrency 50, two published versions
 * with an alias routing between them, an execution role with an inline policy, and an IAM user's
 * access key. `queueArn` names a queue made already (moto with IAM auth cannot create one unsigned).
 */
export async function seedContainTarget(aws: AwsClientFactory, endpoint: string, options: {queueArn?: string} = {}): Promise<ContainSeed> {
  const iam = aws.client(IAMClient)
  const lambda = aws.client(LambdaClient)
  const queueArn = options.queueArn ?? (await createQueue(endpoint, 'payment-jobs'))
  const role = await iam.send(
    new CreateRoleCommand({
      RoleName: ROLE,
      AssumeRolePolicyDocument: JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'lambda.amazonaws.com'}, Action: 'sts:AssumeRole'}]}),
    }),
  )
  await iam.send(new PutRolePolicyCommand({RoleName: ROLE, PolicyName: 'write-logs', PolicyDocument: JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*'}]})}))
  const zips = [1, 2].map((n) => makeZip({'index.js': `exports.handler = async () => ({build: ${n}})\n`}))
  const fn = await lambda.send(new CreateFunctionCommand({FunctionName: FUNCTION, Runtime: 'nodejs20.x', Role: role.Role!.Arn!, Handler: 'index.handler', Code: {ZipFile: zips[0]}}))
  await lambda.send(new PublishVersionCommand({FunctionName: FUNCTION}))
  await lambda.send(new UpdateFunctionCodeCommand({FunctionName: FUNCTION, ZipFile: zips[1]}))
  await lambda.send(new PublishVersionCommand({FunctionName: FUNCTION}))
  await lambda.send(new CreateAliasCommand({FunctionName: FUNCTION, Name: 'live', FunctionVersion: '2', RoutingConfig: {AdditionalVersionWeights: {'1': 0.25}}}))
  await lambda.send(new CreateFunctionUrlConfigCommand({FunctionName: FUNCTION, AuthType: 'NONE', Cors: {AllowOrigins: ['https://shop.example'], AllowMethods: ['POST'], MaxAge: 300}}))
  await lambda.send(new AddPermissionCommand({FunctionName: FUNCTION, StatementId: 'public-url', Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE'}))
  await lambda.send(new AddPermissionCommand({FunctionName: FUNCTION, StatementId: 'open', Action: 'lambda:InvokeFunction', Principal: '*'}))
  await lambda.send(
    new AddPermissionCommand({FunctionName: FUNCTION, StatementId: 's3-receipts', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: 'arn:aws:s3:::receipts', SourceAccount: '123456789012'}),
  )
  await lambda.send(new CreateEventSourceMappingCommand({FunctionName: FUNCTION, EventSourceArn: queueArn, BatchSize: 5}))
  await lambda.send(new PutFunctionConcurrencyCommand({FunctionName: FUNCTION, ReservedConcurrentExecutions: 50}))
  await iam.send(new CreateUserCommand({UserName: 'intruder'}))
  const key = await iam.send(new CreateAccessKeyCommand({UserName: 'intruder'}))
  return {functionArn: fn.FunctionArn!, roleArn: role.Role!.Arn!, queueArn, accessKeyId: key.AccessKey!.AccessKeyId!, zips}
}

/** The seeded target (reset moto first) behind a recording proxy that serves its code and answers what moto lacks. */
export async function containTargetBehindProxy(): Promise<{proxy: LambdaProxy; seed: ContainSeed}> {
  const aws = motoAws()
  const seed = await seedContainTarget(aws, motoEndpoint()).finally(() => aws.destroy())
  return {proxy: await proxyFor(motoEndpoint(), seed), seed}
}

/** A recording proxy in front of a moto server, serving the seed's code packages as Lambda's presigned URLs would. */
export async function proxyFor(endpoint: string, seed: ContainSeed): Promise<LambdaProxy> {
  const proxy = await startLambdaProxy(endpoint)
  for (const z of seed.zips) servePackage(proxy, z)
  // moto 5.2.1 has no ListProvisionedConcurrencyConfigs route; answer as Lambda does for none.
  proxy.canned.push({method: 'GET', path: /\/provisioned-concurrency$/, status: 200, body: {ProvisionedConcurrencyConfigs: []}})
  return proxy
}

/** Requests that would change something: any Lambda call but a GET, any query-protocol action but Get/List. */
export function writeCalls(proxy: LambdaProxy): string[] {
  return proxy.calls
    .filter((c) => (c.action === undefined ? c.method !== 'GET' && c.method !== 'HEAD' : !/^(Get|List|Describe)/.test(c.action)))
    .map((c) => (c.action === undefined ? `${c.method} ${decodeURIComponent(c.url.split('?')[0]!)}` : c.action))
}

const decode = (doc: string | undefined): unknown => (doc === undefined ? undefined : JSON.parse(decodeURIComponent(doc)))

/** Everything containment can change on the seeded target, read with the test's own client straight from moto. */
export async function readTargetState(aws: AwsClientFactory, accessKeyId: string) {
  const lambda = aws.client(LambdaClient)
  const iam = aws.client(IAMClient)
  const policy = await lambda.send(new GetPolicyCommand({FunctionName: FUNCTION})).then((p) => JSON.parse(p.Policy!) as {Statement: Array<{Sid: string}>}, () => ({Statement: []}))
  const url = await lambda.send(new GetFunctionUrlConfigCommand({FunctionName: FUNCTION}))
  const alias = await lambda.send(new GetAliasCommand({FunctionName: FUNCTION, Name: 'live'}))
  const inline: Record<string, unknown> = {}
  for (const name of (await iam.send(new ListRolePoliciesCommand({RoleName: ROLE}))).PolicyNames ?? []) {
    inline[name] = decode((await iam.send(new GetRolePolicyCommand({RoleName: ROLE, PolicyName: name}))).PolicyDocument)
  }
  const fnArn = url.FunctionArn!
  return {
    reservedConcurrency: (await lambda.send(new GetFunctionConcurrencyCommand({FunctionName: FUNCTION}))).ReservedConcurrentExecutions ?? null,
    url: {AuthType: url.AuthType, Cors: url.Cors, FunctionUrl: url.FunctionUrl},
    statements: Object.fromEntries(policy.Statement.map((s) => [s.Sid, s])),
    mappings: ((await lambda.send(new ListEventSourceMappingsCommand({FunctionName: FUNCTION}))).EventSourceMappings ?? []).map((m) => ({UUID: m.UUID, State: m.State, BatchSize: m.BatchSize})),
    inlinePolicies: inline,
    functionTags: (await lambda.send(new ListTagsCommand({Resource: fnArn}))).Tags ?? {},
    roleTags: (await iam.send(new ListRoleTagsCommand({RoleName: ROLE}))).Tags ?? [],
    alias: {FunctionVersion: alias.FunctionVersion, RoutingConfig: alias.RoutingConfig},
    keyStatus: ((await iam.send(new ListAccessKeysCommand({UserName: 'intruder'}))).AccessKeyMetadata ?? []).find((k) => k.AccessKeyId === accessKeyId)?.Status,
  }
}
