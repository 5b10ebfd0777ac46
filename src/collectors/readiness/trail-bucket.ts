import {
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetBucketLoggingCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import type {CheckResult} from './checks.js'
import {signalOf, type AuditEnv, type TrailFacts} from './context.js'
import {statementsOf} from './policies.js'
import {errorName, type Read} from './probe.js'
import {fail, pass, shellWord, unanswered} from './result.js'

/** The region a bucket lives in, from GetBucketLocation (empty means us-east-1, `EU` the old name of eu-west-1). */
export async function bucketRegion(env: AuditEnv, bucket: string): Promise<Read<string>> {
  const s3 = env.ctx.aws.client(S3Client, 'us-east-1')
  const got = await env.probe.read({operation: 's3:GetBucketLocation', resource: `s3://${bucket}`, region: 'global'}, () => s3.send(new GetBucketLocationCommand({Bucket: bucket}), signalOf(env)), {
    missing: (e) => errorName(e) === 'NoSuchBucket',
  })
  if (!got.ok) return got
  const c = got.value.LocationConstraint as string | undefined
  return {ok: true, value: c === undefined || c === '' ? 'us-east-1' : c === 'EU' ? 'eu-west-1' : c}
}

const ALL_USERS = /acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)$/

/** Statements that let anyone in without a condition (Principal `*`). */
function publicStatements(policy: string | undefined): string[] {
  if (policy === undefined) return []
  let doc: unknown
  try {
    doc = JSON.parse(policy)
  } catch {
    return []
  }
  return statementsOf(doc)
    .filter((s) => s.Effect === 'Allow' && (s.Principal === '*' || JSON.stringify(s.Principal) === '{"AWS":"*"}') && s.Condition === undefined)
    .map((s) => s.Sid ?? '(no Sid)')
}

/**
 * The trail bucket, where the evidence of every API call lands: locked (or at least versioned),
 * not public, with access logging. A bucket in another account (an organization's log archive)
 * usually cannot be read with the audited account's credentials: its checks say so.
 */
export async function trailBucketChecks(env: AuditEnv, t: TrailFacts): Promise<CheckResult[]> {
  const bucket = t.trail.S3BucketName
  const where = {resource: t.trail.TrailARN, region: t.home}
  if (bucket === undefined) return []
  const b = shellWord(bucket)
  const located = await bucketRegion(env, bucket)
  const ids = ['coroner-cloudtrail-bucket-immutable', 'cloudtrail_logs_s3_bucket_is_not_publicly_accessible', 'cloudtrail_logs_s3_bucket_access_logging_enabled'] as const
  if (!located.ok) {
    const gap = located.missing ? undefined : located.gap
    if (gap) return ids.map((id) => unanswered(id, {...gap, reason: `${gap.reason} The trail bucket ${bucket} may belong to another account (an organization's log archive): audit it with that account's credentials.`}, where))
    return ids.map((id) => fail(id, {...where, reason: `the trail's bucket ${bucket} does not exist: CloudTrail cannot deliver`, fix: `Create the bucket with a CloudTrail bucket policy, or aws cloudtrail update-trail --name ${shellWord(t.trail.TrailARN)} --s3-bucket-name <bucket>`}))
  }
  const s3 = env.ctx.aws.client(S3Client, located.value)
  const read = <T>(operation: string, work: () => Promise<T>, missing?: string) =>
    env.probe.read({operation, resource: `s3://${bucket}`, region: located.value}, work, missing === undefined ? {} : {missing: (e: unknown) => errorName(e) === missing})
  const details = {bucket, bucketRegion: located.value}
  const out: CheckResult[] = []

  const lock = await read('s3:GetBucketObjectLockConfiguration', () => s3.send(new GetObjectLockConfigurationCommand({Bucket: bucket}), signalOf(env)), 'ObjectLockConfigurationNotFoundError')
  const versioning = await read('s3:GetBucketVersioning', () => s3.send(new GetBucketVersioningCommand({Bucket: bucket}), signalOf(env)))
  const locked = lock.ok && lock.value.ObjectLockConfiguration?.ObjectLockEnabled === 'Enabled'
  const versioned = versioning.ok && versioning.value.Status === 'Enabled'
  const immutable = {...where, details: {...details, objectLock: locked, versioning: versioning.ok ? (versioning.value.Status ?? 'never enabled') : undefined, mfaDelete: versioning.ok ? versioning.value.MFADelete : undefined}}
  const lockFix = `aws s3api put-bucket-versioning --bucket ${b} --versioning-configuration Status=Enabled && aws s3api put-object-lock-configuration --bucket ${b} --object-lock-configuration '{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Mode":"GOVERNANCE","Days":${env.retentionDays}}}}'`
  if (locked) out.push(pass('coroner-cloudtrail-bucket-immutable', {...immutable, reason: `bucket ${bucket} has Object Lock: delivered log files cannot be deleted or overwritten before their retention ends`}))
  else if (!lock.ok && !lock.missing) out.push(unanswered('coroner-cloudtrail-bucket-immutable', lock.gap, where))
  else if (versioned) out.push(pass('coroner-cloudtrail-bucket-immutable', {...immutable, reason: `bucket ${bucket} is versioned: a deleted or overwritten log file stays as an older version (anyone with s3:DeleteObjectVersion can still remove it; Object Lock would stop that)`}))
  else if (!versioning.ok && !versioning.missing) out.push(unanswered('coroner-cloudtrail-bucket-immutable', versioning.gap, where))
  else out.push(fail('coroner-cloudtrail-bucket-immutable', {...immutable, reason: `bucket ${bucket} has neither Object Lock nor versioning: whoever may delete its objects can erase the trail`, fix: lockFix}))

  const pab = await read('s3:GetBucketPublicAccessBlock', () => s3.send(new GetPublicAccessBlockCommand({Bucket: bucket}), signalOf(env)), 'NoSuchPublicAccessBlockConfiguration')
  const policy = await read('s3:GetBucketPolicy', () => s3.send(new GetBucketPolicyCommand({Bucket: bucket}), signalOf(env)), 'NoSuchBucketPolicy')
  const acl = await read('s3:GetBucketAcl', () => s3.send(new GetBucketAclCommand({Bucket: bucket}), signalOf(env)))
  const unreadable = [pab, policy, acl].find((r) => !r.ok && !r.missing)
  if (unreadable && !unreadable.ok && !unreadable.missing) out.push(unanswered('cloudtrail_logs_s3_bucket_is_not_publicly_accessible', unreadable.gap, where))
  else {
    const block = pab.ok ? pab.value.PublicAccessBlockConfiguration : undefined
    const openPolicy = block?.RestrictPublicBuckets === true ? [] : publicStatements(policy.ok ? policy.value.Policy : undefined)
    const openAcl = block?.IgnorePublicAcls === true || !acl.ok ? [] : (acl.value.Grants ?? []).filter((g) => ALL_USERS.test(g.Grantee?.URI ?? '')).map((g) => `${g.Grantee?.URI?.split('/').at(-1)}:${g.Permission}`)
    const facts = {...details, publicPolicyStatements: openPolicy, publicAclGrants: openAcl, blockPublicAccess: block ?? null}
    if (openPolicy.length === 0 && openAcl.length === 0) {
      out.push(pass('cloudtrail_logs_s3_bucket_is_not_publicly_accessible', {...where, reason: `bucket ${bucket} grants no public access${block ? '' : ' (Block Public Access is not set on the bucket; the account-level setting was not read)'}`, details: facts}))
    } else {
      out.push(fail('cloudtrail_logs_s3_bucket_is_not_publicly_accessible', {
        ...where,
        reason: `bucket ${bucket} is public: ${[...openPolicy.map((s) => `policy statement ${s} allows Principal *`), ...openAcl.map((g) => `ACL grant ${g}`)].join('; ')}: anyone can read the trail, and learn what the responder sees`,
        fix: `aws s3api put-public-access-block --bucket ${b} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true, then remove the public statements`,
        details: facts,
      }))
    }
  }

  const logging = await read('s3:GetBucketLogging', () => s3.send(new GetBucketLoggingCommand({Bucket: bucket}), signalOf(env)))
  if (!logging.ok && !logging.missing) out.push(unanswered('cloudtrail_logs_s3_bucket_access_logging_enabled', logging.gap, where))
  else if (logging.ok && logging.value.LoggingEnabled?.TargetBucket) {
    out.push(pass('cloudtrail_logs_s3_bucket_access_logging_enabled', {...where, reason: `access to bucket ${bucket} is logged to ${logging.value.LoggingEnabled.TargetBucket}`, details: {...details, targetBucket: logging.value.LoggingEnabled.TargetBucket}}))
  } else {
    out.push(fail('cloudtrail_logs_s3_bucket_access_logging_enabled', {
      ...where,
      reason: `bucket ${bucket} has no server access logging: who read or deleted the trail's files would not be known`,
      fix: `aws s3api put-bucket-logging --bucket ${b} --bucket-logging-status '{"LoggingEnabled":{"TargetBucket":"<log-bucket>","TargetPrefix":"${bucket}/"}}'`,
      details,
    }))
  }
  return out
}
