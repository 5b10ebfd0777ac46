import {AttachRolePolicyCommand, CreatePolicyCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand} from '@aws-sdk/client-iam'
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  LambdaClient,
  PublishLayerVersionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda'
import type {AwsClientFactory} from '../../src/aws/client-factory.js'
import {startLambdaProxy, servePackage, type LambdaProxy} from './lambda-proxy.js'
import {motoAws, motoEndpoint} from './moto.js'
import {makeZip} from './zip.js'

export const ENV_SECRET = 'hunter2-db-password-9f3a'

export interface SeededLambda {
  roleArn: string
  layerArn: string
  queueArn: string
  zips: Buffer[]
  layerZip: Buffer
}

/** Creates an SQS queue in moto through the query API (no SQS client is a dependency). */
async function createQueue(endpoint: string, name: string): Promise<string> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: `Action=CreateQueue&QueueName=${name}&Version=2012-11-05`,
  })
  if (!res.ok) throw new Error(`CreateQueue failed: ${res.status} ${await res.text()}`)
  return `arn:aws:sqs:us-east-1:123456789012:${name}`
}

/**
 * A realistic suspect in moto: an execution role with an inline and an attached managed policy,
 * a layer, a function with three published versions (the last one equal to $LATEST), an alias routing between two of them, a
 * public function URL with its resource policy, an SQS trigger, reserved concurrency and tags.
 */
export async function seedLambda(aws: AwsClientFactory, endpoint: string, functionName = 'payments-api'): Promise<SeededLambda> {
  const iam = aws.client(IAMClient)
  const lambda = aws.client(LambdaClient)
  const boundary = await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'payments-boundary',
      PolicyDocument: JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: ['logs:*', 's3:GetObject'], Resource: '*'}]}),
    }),
  )
  const role = await iam.send(
    new CreateRoleCommand({
      RoleName: 'payments-exec',
      PermissionsBoundary: boundary.Policy!.Arn!,
      AssumeRolePolicyDocument: JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'lambda.amazonaws.com'}, Action: 'sts:AssumeRole'}]}),
    }),
  )
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'payments-exec',
      PolicyName: 'write-logs',
      PolicyDocument: JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*'}]}),
    }),
  )
  const managed = await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'read-receipts',
      PolicyDocument: JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::receipts/*'}]}),
    }),
  )
  await iam.send(new AttachRolePolicyCommand({RoleName: 'payments-exec', PolicyArn: managed.Policy!.Arn!}))

  const layerZip = makeZip({'nodejs/node_modules/utils/index.js': 'module.exports = () => 42\n'})
  const layer = await lambda.send(new PublishLayerVersionCommand({LayerName: 'shared-utils', Content: {ZipFile: layerZip}, CompatibleRuntimes: ['nodejs20.x']}))
  const zips = [1, 2, 3].map((n) => makeZip({'index.js': `exports.handler = async () => ({build: ${n}})\n`}))
  const roleArn = role.Role!.Arn!
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: functionName,
      Runtime: 'nodejs20.x',
      Role: roleArn,
      Handler: 'index.handler',
      Code: {ZipFile: zips[0]},
      Environment: {Variables: {DB_PASSWORD: ENV_SECRET, STAGE: 'prod'}},
      Layers: [layer.LayerVersionArn!],
      Tags: {team: 'payments'},
    }),
  )
  await lambda.send(new PublishVersionCommand({FunctionName: functionName}))
  for (const zip of zips.slice(1)) {
    await lambda.send(new UpdateFunctionCodeCommand({FunctionName: functionName, ZipFile: zip}))
    await lambda.send(new PublishVersionCommand({FunctionName: functionName}))
  }
  await lambda.send(new CreateAliasCommand({FunctionName: functionName, Name: 'live', FunctionVersion: '2', RoutingConfig: {AdditionalVersionWeights: {'3': 0.1}}}))
  await lambda.send(new CreateFunctionUrlConfigCommand({FunctionName: functionName, AuthType: 'NONE'}))
  await lambda.send(
    new AddPermissionCommand({FunctionName: functionName, StatementId: 'public-url', Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE'}),
  )
  const queueArn = await createQueue(endpoint, 'payment-jobs')
  await lambda.send(new CreateEventSourceMappingCommand({FunctionName: functionName, EventSourceArn: queueArn, BatchSize: 5}))
  await lambda.send(new PutFunctionConcurrencyCommand({FunctionName: functionName, ReservedConcurrentExecutions: 5}))
  return {roleArn, layerArn: layer.LayerVersionArn!, queueArn, zips, layerZip}
}

/**
 * The seeded suspect in moto (reset it first), behind a proxy that serves its code packages at
 * `Code.Location` and answers the one call moto 5.2.1 lacks. Point the commands at `proxy.url`.
 */
export async function seededLambdaBehindProxy(): Promise<{proxy: LambdaProxy; seeded: SeededLambda}> {
  const aws = motoAws()
  const seeded = await seedLambda(aws, motoEndpoint()).finally(() => aws.destroy())
  const proxy = await startLambdaProxy(motoEndpoint())
  for (const z of [...seeded.zips, seeded.layerZip]) servePackage(proxy, z)
  // moto 5.2.1 has no ListProvisionedConcurrencyConfigs route; answer as Lambda does for none.
  proxy.canned.push({method: 'GET', path: /\/provisioned-concurrency$/, status: 200, body: {ProvisionedConcurrencyConfigs: []}})
  return {proxy, seeded}
}
