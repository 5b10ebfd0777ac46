import {CloudTrailClient, CreateTrailCommand, PutEventSelectorsCommand, StartLoggingCommand, UpdateTrailCommand} from '@aws-sdk/client-cloudtrail'
import {CloudWatchLogsClient, CreateLogGroupCommand, PutRetentionPolicyCommand} from '@aws-sdk/client-cloudwatch-logs'
import {ConfigServiceClient, PutConfigurationRecorderCommand, PutDeliveryChannelCommand, StartConfigurationRecorderCommand} from '@aws-sdk/client-config-service'
import {CreateDetectorCommand, GuardDutyClient, ListDetectorsCommand, UpdateDetectorCommand} from '@aws-sdk/client-guardduty'
import {AttachRolePolicyCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand} from '@aws-sdk/client-iam'
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  LambdaClient,
  RemovePermissionCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda'
import {CreateOrganizationCommand, OrganizationsClient} from '@aws-sdk/client-organizations'
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  PutBucketAclCommand,
  PutBucketLoggingCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import type {AwsClientFactory} from '../../src/aws/client-factory.js'
import {initEvidenceBucket} from '../../src/evidence/stores/s3/bucket.js'
import {makeZip} from './zip.js'

export const ACCOUNT = '123456789012'
export const TRAIL_BUCKET = 'unready-trail-logs'
export const EVIDENCE_BUCKET = 'unready-evidence'
export const FUNCTIONS = ['unready-api', 'unready-worker'] as const

/**
 * Plain-text secrets planted in a function's environment: made-up values of the right shapes,
 * valid for nothing. (Not AWS's documented example key id: moto reports that one as its caller's
 * UserId, which the custody journal rightly records.)
 */
export const SECRET_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIAZ7TESTONLY4R9QXW',
  AWS_SECRET_ACCESS_KEY: 'qT9/vXw3RkLmN8pZ+yB2cD5fGhJ7sU0aE4iO6uYt',
  SESSION_JWT: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  DB_PASS: 'Tr0ub4dor&3horse',
}
/** References to secrets kept elsewhere, which must not be flagged. */
export const REFERENCE_ENV = {
  DB_PASSWORD_PARAM: '/prod/payments/db-password',
  API_TOKEN: `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/prod/payments/api-token`,
}

const trust = JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'lambda.amazonaws.com'}, Action: 'sts:AssumeRole'}]})

/**
 * An account in moto set up to fail every readiness check moto can represent: one single-region
 * trail reading management events only, into a public unversioned bucket without access logging,
 * no KMS, no CloudWatch Logs, in an organization without an organization trail; GuardDuty
 * suspended without Lambda Protection; no Config recorder; an evidence bucket without Object Lock;
 * two functions sharing an administrator role, one public (policy, another account, URL auth
 * NONE, plain-text secrets, a deprecated runtime, no log group), the other on a runtime deprecated
 * soon with a log group kept 3 days.
 */
export async function seedUnready(aws: AwsClientFactory): Promise<void> {
  const s3 = aws.client(S3Client)
  const trail = aws.client(CloudTrailClient)
  const lambda = aws.client(LambdaClient)
  const iam = aws.client(IAMClient)
  await s3.send(new CreateBucketCommand({Bucket: TRAIL_BUCKET}))
  await s3.send(new CreateBucketCommand({Bucket: `${TRAIL_BUCKET}-access`}))
  await s3.send(new PutBucketPolicyCommand({Bucket: TRAIL_BUCKET, Policy: JSON.stringify({Version: '2012-10-17', Statement: [{Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${TRAIL_BUCKET}/*`}]})}))
  await trail.send(new CreateTrailCommand({Name: 'unready-trail', S3BucketName: TRAIL_BUCKET}))
  await trail.send(new StartLoggingCommand({Name: 'unready-trail'}))
  await trail.send(new PutEventSelectorsCommand({TrailName: 'unready-trail', EventSelectors: [{ReadWriteType: 'ReadOnly', IncludeManagementEvents: true, DataResources: [{Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::receipts/']}]}]}))
  await aws.client(OrganizationsClient).send(new CreateOrganizationCommand({FeatureSet: 'ALL'}))
  await aws.client(GuardDutyClient).send(new CreateDetectorCommand({Enable: false, Features: [{Name: 'LAMBDA_NETWORK_LOGS', Status: 'DISABLED'}]}))
  await s3.send(new CreateBucketCommand({Bucket: EVIDENCE_BUCKET}))

  const role = await iam.send(new CreateRoleCommand({RoleName: 'unready-shared-admin', AssumeRolePolicyDocument: trust}))
  await iam.send(new AttachRolePolicyCommand({RoleName: 'unready-shared-admin', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess'}))
  const code = makeZip({'index.py': 'def handler(event, context):\n    return 1\n'})
  const [api, worker] = FUNCTIONS
  await lambda.send(new CreateFunctionCommand({FunctionName: api, Runtime: 'python3.8', Role: role.Role!.Arn!, Handler: 'index.handler', Code: {ZipFile: code}, Environment: {Variables: {...SECRET_ENV, ...REFERENCE_ENV}}}))
  await lambda.send(new CreateFunctionCommand({FunctionName: worker, Runtime: 'nodejs22.x', Role: role.Role!.Arn!, Handler: 'index.handler', Code: {ZipFile: code}, Environment: {Variables: REFERENCE_ENV}}))
  await lambda.send(new AddPermissionCommand({FunctionName: api, StatementId: 'anyone', Action: 'lambda:InvokeFunction', Principal: '*'}))
  await lambda.send(new AddPermissionCommand({FunctionName: api, StatementId: 'other-account', Action: 'lambda:InvokeFunction', Principal: '999999999999'}))
  await lambda.send(new CreateFunctionUrlConfigCommand({FunctionName: api, AuthType: 'NONE'}))
  const logs = aws.client(CloudWatchLogsClient)
  await logs.send(new CreateLogGroupCommand({logGroupName: `/aws/lambda/${worker}`}))
  await logs.send(new PutRetentionPolicyCommand({logGroupName: `/aws/lambda/${worker}`, retentionInDays: 3}))
}

/** Applies the fix of every failed check moto can represent, as the audit's fixes describe them. */
export async function fixReadiness(aws: AwsClientFactory): Promise<void> {
  const s3 = aws.client(S3Client)
  const trail = aws.client(CloudTrailClient)
  const lambda = aws.client(LambdaClient)
  const iam = aws.client(IAMClient)
  const logs = aws.client(CloudWatchLogsClient)
  await logs.send(new CreateLogGroupCommand({logGroupName: '/aws/cloudtrail/unready-trail'}))
  await trail.send(new UpdateTrailCommand({
    Name: 'unready-trail',
    IsMultiRegionTrail: true,
    EnableLogFileValidation: true,
    IsOrganizationTrail: true,
    KmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/0b7c1a52-52f6-4ad8-8f1e-111122223333`,
    CloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/cloudtrail/unready-trail:*`,
    CloudWatchLogsRoleArn: `arn:aws:iam::${ACCOUNT}:role/cloudtrail-to-logs`,
  }))
  const data = (type: string) => ({Name: type, FieldSelectors: [{Field: 'eventCategory', Equals: ['Data']}, {Field: 'resources.type', Equals: [type]}]})
  await trail.send(new PutEventSelectorsCommand({
    TrailName: 'unready-trail',
    AdvancedEventSelectors: [{Name: 'management', FieldSelectors: [{Field: 'eventCategory', Equals: ['Management']}]}, data('AWS::S3::Object'), data('AWS::Lambda::Function')],
  }))
  await s3.send(new DeleteBucketPolicyCommand({Bucket: TRAIL_BUCKET}))
  await s3.send(new PutPublicAccessBlockCommand({Bucket: TRAIL_BUCKET, PublicAccessBlockConfiguration: {BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}}))
  await s3.send(new PutBucketVersioningCommand({Bucket: TRAIL_BUCKET, VersioningConfiguration: {Status: 'Enabled'}}))
  await s3.send(new PutObjectLockConfigurationCommand({Bucket: TRAIL_BUCKET, ObjectLockConfiguration: {ObjectLockEnabled: 'Enabled', Rule: {DefaultRetention: {Mode: 'GOVERNANCE', Days: 365}}}}))
  const logDelivery = 'uri="http://acs.amazonaws.com/groups/s3/LogDelivery"'
  await s3.send(new PutBucketAclCommand({Bucket: `${TRAIL_BUCKET}-access`, GrantWrite: logDelivery, GrantReadACP: logDelivery}))
  await s3.send(new PutBucketLoggingCommand({Bucket: TRAIL_BUCKET, BucketLoggingStatus: {LoggingEnabled: {TargetBucket: `${TRAIL_BUCKET}-access`, TargetPrefix: `${TRAIL_BUCKET}/`}}}))

  const gd = aws.client(GuardDutyClient)
  const detector = (await gd.send(new ListDetectorsCommand({}))).DetectorIds![0]!
  await gd.send(new UpdateDetectorCommand({DetectorId: detector, Enable: true, Features: [{Name: 'LAMBDA_NETWORK_LOGS', Status: 'ENABLED'}]}))
  const config = aws.client(ConfigServiceClient)
  await config.send(new PutConfigurationRecorderCommand({ConfigurationRecorder: {name: 'default', roleARN: `arn:aws:iam::${ACCOUNT}:role/config`, recordingGroup: {allSupported: true}}}))
  await config.send(new PutDeliveryChannelCommand({DeliveryChannel: {name: 'default', s3BucketName: `${TRAIL_BUCKET}-access`}}))
  await config.send(new StartConfigurationRecorderCommand({ConfigurationRecorderName: 'default'}))
  await initEvidenceBucket(aws, {bucket: EVIDENCE_BUCKET, mode: 'GOVERNANCE', days: 365}, true)

  const [api, worker] = FUNCTIONS
  for (const fn of FUNCTIONS) {
    const role = await iam.send(new CreateRoleCommand({RoleName: `${fn}-exec`, AssumeRolePolicyDocument: trust}))
    await iam.send(new PutRolePolicyCommand({RoleName: `${fn}-exec`, PolicyName: 'logs', PolicyDocument: JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*'}]})}))
    await lambda.send(new UpdateFunctionConfigurationCommand({FunctionName: fn, Role: role.Role!.Arn!, Runtime: fn === api ? 'python3.13' : 'nodejs24.x', Environment: {Variables: REFERENCE_ENV}}))
  }
  await lambda.send(new RemovePermissionCommand({FunctionName: api, StatementId: 'anyone'}))
  await lambda.send(new RemovePermissionCommand({FunctionName: api, StatementId: 'other-account'}))
  await lambda.send(new UpdateFunctionUrlConfigCommand({FunctionName: api, AuthType: 'AWS_IAM'}))
  await logs.send(new CreateLogGroupCommand({logGroupName: `/aws/lambda/${api}`}))
  await logs.send(new PutRetentionPolicyCommand({logGroupName: `/aws/lambda/${api}`, retentionInDays: 365}))
  await logs.send(new PutRetentionPolicyCommand({logGroupName: `/aws/lambda/${worker}`, retentionInDays: 400}))
}
