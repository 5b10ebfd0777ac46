import type {CollectorDefinition} from '../definition.js'
import {iamRoleCollector} from '../iam-role.js'

const OPERATIONS = [
  'sts:GetCallerIdentity',
  'cloudtrail:DescribeTrails',
  'cloudtrail:GetTrailStatus',
  'cloudtrail:GetEventSelectors',
  'organizations:DescribeOrganization',
  's3:GetBucketLocation',
  's3:GetObjectLockConfiguration',
  's3:GetBucketVersioning',
  's3:GetPublicAccessBlock',
  's3:GetBucketPolicy',
  's3:GetBucketAcl',
  's3:GetBucketLogging',
  's3:GetBucketEncryption',
  'guardduty:ListDetectors',
  'guardduty:GetDetector',
  'config:DescribeConfigurationRecorders',
  'config:DescribeConfigurationRecorderStatus',
  'lambda:ListFunctions',
  'lambda:ListAliases',
  'lambda:GetPolicy',
  'lambda:GetFunctionUrlConfig',
  'lambda:GetFunctionCodeSigningConfig',
  'lambda:GetCodeSigningConfig',
  'logs:DescribeLogGroups',
  // Each execution role, read as the role collector reads it.
  ...iamRoleCollector.operations,
]

/** IAM actions whose name is not the operation's (S3 names some after the bucket setting). */
const ACTION_OF: Record<string, string> = {
  's3:GetObjectLockConfiguration': 's3:GetBucketObjectLockConfiguration',
  's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock',
  's3:GetBucketEncryption': 's3:GetEncryptionConfiguration',
}

/**
 * The readiness audit's reads. Every one is a Get, List or Describe; `permissions --readiness`
 * prints them as a policy. sts:GetCallerIdentity needs no permission.
 */
export const readinessCollector: CollectorDefinition = {
  id: 'readiness',
  title: 'Forensic readiness and serverless posture: CloudTrail, logs, GuardDuty, Config, the evidence bucket, each function',
  operations: OPERATIONS,
  permissions: OPERATIONS.filter((op) => op !== 'sts:GetCallerIdentity').map((op) => ACTION_OF[op] ?? op),
  produces: ['readiness.checks'],
}
