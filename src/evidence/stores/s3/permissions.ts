import type {IamStatement} from '../../../aws/iam-policy.js'
import {parseS3Location} from './store.js'

export interface StorePermissionOptions {
  /** `evidence hold`: PutObjectLegalHold on every version of a case. */
  hold?: boolean
  /** `evidence init`: create and configure the bucket. */
  init?: boolean
  /** SSE-KMS key the store writes with. */
  kmsKey?: string
  /** KMS asymmetric key manifests are signed with (any store, local too). */
  signKmsKey?: string
}

/**
 * The least-privilege statements an S3 evidence store at `location` needs: write once, read
 * versions back, read lock state (HeadObject shows it only with the Get…Retention/LegalHold
 * permissions), list versions under the prefix. Empty for a local store.
 */
export function storePermissionStatements(location: string, options: StorePermissionOptions = {}): IamStatement[] {
  const signing: IamStatement[] = options.signKmsKey === undefined ? [] : [{Sid: 'EvidenceSigning', Effect: 'Allow', Action: ['kms:GetPublicKey', 'kms:Sign'], Resource: options.signKmsKey}]
  if (!location.startsWith('s3://')) return signing
  const {bucket, prefix} = parseS3Location(location)
  const bucketArn = `arn:aws:s3:::${bucket}`
  const objects = `${bucketArn}/${prefix}*`
  const statements: IamStatement[] = [
    {
      Sid: 'EvidenceWriteOnceAndRead',
      Effect: 'Allow',
      Action: [
        's3:PutObject',
        's3:AbortMultipartUpload',
        's3:PutObjectRetention',
        's3:GetObject',
        's3:GetObjectVersion',
        's3:GetObjectRetention',
        's3:GetObjectLegalHold',
        ...(options.hold ? ['s3:PutObjectLegalHold'] : []),
      ],
      Resource: objects,
    },
    {
      Sid: 'EvidenceListVersions',
      Effect: 'Allow',
      Action: ['s3:ListBucket', 's3:ListBucketVersions'],
      Resource: bucketArn,
      ...(prefix === '' ? {} : {Condition: {StringLike: {'s3:prefix': [`${prefix}*`]}}}),
    },
    {Sid: 'EvidenceBucketLock', Effect: 'Allow', Action: ['s3:GetBucketObjectLockConfiguration', 's3:GetBucketLocation'], Resource: bucketArn},
  ]
  if (options.init) {
    statements.push({
      Sid: 'EvidenceBucketInit',
      Effect: 'Allow',
      Action: [
        's3:CreateBucket',
        's3:GetBucketVersioning',
        's3:PutBucketVersioning',
        's3:PutBucketObjectLockConfiguration',
        's3:GetBucketPublicAccessBlock',
        's3:PutBucketPublicAccessBlock',
        's3:GetEncryptionConfiguration',
        's3:PutEncryptionConfiguration',
        's3:GetBucketPolicy',
        's3:PutBucketPolicy',
      ],
      Resource: bucketArn,
    })
  }
  if (options.kmsKey !== undefined) {
    statements.push({Sid: 'EvidenceKms', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: options.kmsKey})
  }
  return [...statements, ...signing]
}
