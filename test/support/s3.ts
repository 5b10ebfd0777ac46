import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectLockConfigurationCommand,
  S3Client,
  type ObjectLockRetentionMode,
} from '@aws-sdk/client-s3'
import {createHash} from 'node:crypto'
import {motoEndpoint} from './moto.js'

/** An S3 client of the test's own, independent of coroner's factory, to check what S3 really holds. */
export function rawS3(): S3Client {
  return new S3Client({
    endpoint: motoEndpoint(),
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'},
    maxAttempts: 1,
  })
}

/** A bucket with Object Lock and a default retention, made directly (not through coroner). */
export async function lockedBucket(s3: S3Client, bucket: string, mode: ObjectLockRetentionMode = 'COMPLIANCE', days = 30): Promise<void> {
  await s3.send(new CreateBucketCommand({Bucket: bucket, ObjectLockEnabledForBucket: true}))
  await s3.send(new PutObjectLockConfigurationCommand({Bucket: bucket, ObjectLockConfiguration: {ObjectLockEnabled: 'Enabled', Rule: {DefaultRetention: {Mode: mode, Days: days}}}}))
}

/** SHA-256 (hex) of one object version as S3 returns it. */
export async function versionSha256(s3: S3Client, bucket: string, key: string, versionId?: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({Bucket: bucket, Key: key, ...(versionId === undefined ? {} : {VersionId: versionId})}))
  return createHash('sha256').update(await out.Body!.transformToByteArray()).digest('hex')
}
