import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3'
import {CoronerError} from '../../../core/errors.js'
import type {AwsClientFactory} from '../../../aws/client-factory.js'
import type {LockMode} from './store.js'

/** What an evidence bucket must have. */
export interface EvidenceBucketSpec {
  bucket: string
  mode: LockMode
  days: number
  /** SSE-KMS with this key; SSE-S3 (or any SSE-KMS) is accepted when absent. */
  kmsKey?: string
  region: string
  /**
   * The endpoint is plain HTTP (an emulator, an appliance) and the responder said so with
   * --allow-plain-http: the policy leaves out the statement denying non-TLS access, which would
   * refuse every request made to the bucket.
   */
  allowPlainHttp?: boolean
}

/** One setting of the bucket: what it must be, what it is, and how to fix it. */
export interface BucketCheck {
  setting: string
  expected: string
  actual: string
  ok: boolean
  fix?: string
}

export interface BucketReport {
  bucket: string
  /** True when the bucket did not exist and was created with every setting. */
  created: boolean
  /** Changes made to an existing bucket (only with apply). */
  applied: string[]
  checks: BucketCheck[]
  ok: boolean
  notes: string[]
  /** The bucket policy left out its non-TLS deny for a plain-HTTP endpoint (--allow-plain-http). */
  allowPlainHttp: boolean
}

export const POLICY_SIDS = {tls: 'CoronerDenyInsecureTransport', deletes: 'CoronerDenyEvidenceDeletion'} as const

/** Actions the bucket policy denies to everyone: deleting evidence or weakening the lock. */
export const DENIED_ACTIONS = ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutBucketObjectLockConfiguration', 's3:PutBucketVersioning', 's3:BypassGovernanceRetention'] as const

interface PolicyStatement {
  Sid?: string
  Effect?: string
  Principal?: unknown
  Action?: string | string[]
  Resource?: string | string[]
  Condition?: Record<string, Record<string, unknown>>
}

/** The statements coroner adds to an evidence bucket's policy. */
export function evidencePolicyStatements(bucket: string, options: {allowPlainHttp?: boolean} = {}): PolicyStatement[] {
  const arn = `arn:aws:s3:::${bucket}`
  return [
    ...(options.allowPlainHttp ? [] : [{Sid: POLICY_SIDS.tls, Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [arn, `${arn}/*`], Condition: {Bool: {'aws:SecureTransport': 'false'}}}]),
    {Sid: POLICY_SIDS.deletes, Effect: 'Deny', Principal: '*', Action: [...DENIED_ACTIONS], Resource: [arn, `${arn}/*`]},
  ]
}

const errName = (error: unknown): string => String((error as {name?: string}).name)

async function optional<T>(work: () => Promise<T>, missing: readonly string[]): Promise<T | undefined> {
  try {
    return await work()
  } catch (error) {
    if (missing.includes(errName(error))) return undefined
    throw error
  }
}

/** Whether the bucket exists (and is reachable with these credentials). */
export async function bucketExists(s3: S3Client, bucket: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({Bucket: bucket}))
    return true
  } catch (error) {
    const e = error as {name?: string; $metadata?: {httpStatusCode?: number}}
    if (e.name === 'NotFound' || e.name === 'NoSuchBucket' || e.$metadata?.httpStatusCode === 404) return false
    if (e.$metadata?.httpStatusCode === 403) {
      throw new CoronerError('aws-access', `Bucket ${bucket} exists but these credentials may not read it (403), or it belongs to another account.`, {cause: error})
    }
    throw error
  }
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])

/** Reads every setting of an existing bucket and compares it with what evidence needs. */
export async function inspectEvidenceBucket(s3: S3Client, spec: EvidenceBucketSpec): Promise<BucketCheck[]> {
  const checks = [
    await versioningCheck(s3, spec),
    ...(await lockChecks(s3, spec)),
    await publicAccessCheck(s3, spec),
    await encryptionCheck(s3, spec),
    ...(await policyChecks(s3, spec)),
  ]
  return checks.map(({fix, ...c}) => (c.ok || fix === undefined ? c : {...c, fix}))
}

async function versioningCheck(s3: S3Client, spec: EvidenceBucketSpec): Promise<BucketCheck> {
  const Bucket = spec.bucket
  const versioning = (await s3.send(new GetBucketVersioningCommand({Bucket}))).Status ?? 'never enabled'
  return {
    setting: 'versioning',
    expected: 'Enabled',
    actual: versioning,
    ok: versioning === 'Enabled',
    fix: `Enable versioning (aws s3api put-bucket-versioning --bucket ${Bucket} --versioning-configuration Status=Enabled, or --apply).`,
  }
}

/** Object Lock on, and a default retention at least as strong and as long as asked. */
async function lockChecks(s3: S3Client, spec: EvidenceBucketSpec): Promise<BucketCheck[]> {
  const lock = (await optional(() => s3.send(new GetObjectLockConfigurationCommand({Bucket: spec.bucket})), ['ObjectLockConfigurationNotFoundError']))?.ObjectLockConfiguration
  const lockOn = lock?.ObjectLockEnabled === 'Enabled'
  const enabled: BucketCheck = {
    setting: 'object-lock',
    expected: 'Enabled',
    actual: lockOn ? 'Enabled' : 'not enabled',
    ok: lockOn,
    fix: 'Object Lock can be enabled on an existing bucket only once versioning is Enabled, and never turned off again (PutObjectLockConfiguration ObjectLockEnabled=Enabled, or --apply); objects written before keep no lock. A new bucket made by `coroner evidence init` has it from the start.',
  }

  const d = lock?.Rule?.DefaultRetention
  const days = d?.Days ? d.Days : d?.Years ? d.Years * 365 : 0
  const strongEnough = d?.Mode === spec.mode || d?.Mode === 'COMPLIANCE'
  const retention: BucketCheck = {
    setting: 'default-retention',
    expected: `${spec.mode}, at least ${spec.days} day(s)`,
    actual: d?.Mode ? `${d.Mode}, ${days} day(s)` : 'none',
    ok: lockOn && strongEnough && days >= spec.days,
    fix: `Set the default retention to ${spec.mode} for ${spec.days} day(s) (--apply), so every object is locked even when a writer sends no lock headers.`,
  }
  return [enabled, retention]
}

async function publicAccessCheck(s3: S3Client, spec: EvidenceBucketSpec): Promise<BucketCheck> {
  const pab = (await optional(() => s3.send(new GetPublicAccessBlockCommand({Bucket: spec.bucket})), ['NoSuchPublicAccessBlockConfiguration']))?.PublicAccessBlockConfiguration
  const pabFlags = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const
  const off = pabFlags.filter((f) => pab?.[f] !== true)
  return {
    setting: 'block-public-access',
    expected: 'all four settings on',
    actual: pab === undefined ? 'not configured' : off.length === 0 ? 'all four on' : `off: ${off.join(', ')}`,
    ok: off.length === 0,
    fix: 'Turn on BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy and RestrictPublicBuckets (--apply).',
  }
}

/** Default encryption: SSE-S3 or SSE-KMS, or SSE-KMS with the key given. */
async function encryptionCheck(s3: S3Client, spec: EvidenceBucketSpec): Promise<BucketCheck> {
  const enc = (await optional(() => s3.send(new GetBucketEncryptionCommand({Bucket: spec.bucket})), ['ServerSideEncryptionConfigurationNotFoundError']))?.ServerSideEncryptionConfiguration
  const rule = enc?.Rules?.[0]?.ApplyServerSideEncryptionByDefault
  const algo = rule?.SSEAlgorithm
  const encOk = spec.kmsKey !== undefined ? algo === 'aws:kms' && rule?.KMSMasterKeyID === spec.kmsKey : algo === 'AES256' || algo === 'aws:kms' || algo === 'aws:kms:dsse'
  return {
    setting: 'default-encryption',
    expected: spec.kmsKey !== undefined ? `aws:kms with ${spec.kmsKey}` : 'AES256 (SSE-S3) or aws:kms',
    actual: algo === undefined ? 'none' : `${algo}${rule?.KMSMasterKeyID ? ` with ${rule.KMSMasterKeyID}` : ''}`,
    ok: encOk,
    fix: spec.kmsKey !== undefined ? `Set default encryption to SSE-KMS with ${spec.kmsKey} (--apply).` : 'Set default encryption, SSE-S3 or SSE-KMS (--apply, or --kms-key ARN for SSE-KMS).',
  }
}

/** The bucket policy denies insecure transport and every deletion, to everyone. */
async function policyChecks(s3: S3Client, spec: EvidenceBucketSpec): Promise<BucketCheck[]> {
  const policyText = (await optional(() => s3.send(new GetBucketPolicyCommand({Bucket: spec.bucket})), ['NoSuchBucketPolicy']))?.Policy
  let statements: PolicyStatement[] = []
  if (policyText) {
    try {
      statements = list((JSON.parse(policyText) as {Statement?: PolicyStatement | PolicyStatement[]}).Statement as never) as unknown as PolicyStatement[]
    } catch {
      statements = []
    }
  }
  const denies = statements.filter((s) => s.Effect === 'Deny' && (s.Principal === '*' || JSON.stringify(s.Principal) === '{"AWS":"*"}'))
  const tls = denies.some((s) => String(s.Condition?.Bool?.['aws:SecureTransport']) === 'false' && list(s.Action).some((a) => a === 's3:*'))
  const transport: BucketCheck = spec.allowPlainHttp
    ? {
        setting: 'policy-deny-insecure-transport',
        expected: 'left out: the endpoint is plain HTTP (--allow-plain-http)',
        actual: tls ? 'present: every plain-HTTP request to the bucket is refused' : 'left out (--allow-plain-http)',
        ok: !tls,
        fix: `Remove the ${POLICY_SIDS.tls} statement (--apply does), or use an https:// endpoint.`,
      }
    : {
        setting: 'policy-deny-insecure-transport',
        expected: 'Deny s3:* when aws:SecureTransport is false',
        actual: policyText === undefined ? 'no bucket policy' : tls ? 'present' : 'missing',
        ok: tls,
        fix: `Add the ${POLICY_SIDS.tls} statement to the bucket policy (--apply keeps the other statements).`,
      }
  const deniedActions = new Set(denies.filter((s) => s.Condition === undefined).flatMap((s) => list(s.Action)))
  const missing = DENIED_ACTIONS.filter((a) => !deniedActions.has(a) && !deniedActions.has('s3:*'))
  const deletion: BucketCheck = {
    setting: 'policy-deny-deletion',
    expected: `Deny ${DENIED_ACTIONS.join(', ')}`,
    actual: policyText === undefined ? 'no bucket policy' : missing.length === 0 ? 'present' : `not denied: ${missing.join(', ')}`,
    ok: missing.length === 0,
    fix: `Add the ${POLICY_SIDS.deletes} statement to the bucket policy (--apply keeps the other statements).`,
  }
  return [transport, deletion]
}

/** Creates a new bucket with Object Lock and every evidence setting. */
export async function createEvidenceBucket(s3: S3Client, spec: EvidenceBucketSpec): Promise<void> {
  await s3.send(new CreateBucketCommand({
    Bucket: spec.bucket,
    ObjectLockEnabledForBucket: true,
    ...(spec.region === 'us-east-1' ? {} : {CreateBucketConfiguration: {LocationConstraint: spec.region as BucketLocationConstraint}}),
  }))
  await s3.send(new PutBucketVersioningCommand({Bucket: spec.bucket, VersioningConfiguration: {Status: 'Enabled'}}))
  for (const fix of ['default-retention', 'block-public-access', 'default-encryption', 'policy'] as const) await applyFix(s3, spec, fix)
}

type Fix = 'versioning' | 'object-lock' | 'default-retention' | 'block-public-access' | 'default-encryption' | 'policy'

async function applyFix(s3: S3Client, spec: EvidenceBucketSpec, fix: Fix): Promise<void> {
  const Bucket = spec.bucket
  switch (fix) {
    case 'versioning':
      await s3.send(new PutBucketVersioningCommand({Bucket, VersioningConfiguration: {Status: 'Enabled'}}))
      return
    case 'object-lock':
    case 'default-retention':
      await s3.send(new PutObjectLockConfigurationCommand({Bucket, ObjectLockConfiguration: {ObjectLockEnabled: 'Enabled', Rule: {DefaultRetention: {Mode: spec.mode, Days: spec.days}}}}))
      return
    case 'block-public-access':
      await s3.send(new PutPublicAccessBlockCommand({Bucket, PublicAccessBlockConfiguration: {BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}}))
      return
    case 'default-encryption':
      await s3.send(new PutBucketEncryptionCommand({
        Bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [spec.kmsKey === undefined
            ? {ApplyServerSideEncryptionByDefault: {SSEAlgorithm: 'AES256'}}
            : {ApplyServerSideEncryptionByDefault: {SSEAlgorithm: 'aws:kms', KMSMasterKeyID: spec.kmsKey}, BucketKeyEnabled: true}],
        },
      }))
      return
    case 'policy': {
      const existing = (await optional(() => s3.send(new GetBucketPolicyCommand({Bucket})), ['NoSuchBucketPolicy']))?.Policy
      let doc: {Version: string; Statement: PolicyStatement[]} = {Version: '2012-10-17', Statement: []}
      if (existing) {
        const parsed = JSON.parse(existing) as {Version?: string; Statement?: PolicyStatement | PolicyStatement[]}
        doc = {Version: parsed.Version ?? '2012-10-17', Statement: parsed.Statement === undefined ? [] : Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement]}
      }
      const ours = new Set<string>(Object.values(POLICY_SIDS))
      doc.Statement = [...doc.Statement.filter((s) => !ours.has(s.Sid ?? '')), ...evidencePolicyStatements(Bucket, spec)]
      await s3.send(new PutBucketPolicyCommand({Bucket, Policy: JSON.stringify(doc)}))
    }
  }
}

const FIX_FOR: Record<string, Fix> = {
  versioning: 'versioning',
  'object-lock': 'object-lock',
  'default-retention': 'default-retention',
  'block-public-access': 'block-public-access',
  'default-encryption': 'default-encryption',
  'policy-deny-insecure-transport': 'policy',
  'policy-deny-deletion': 'policy',
}

/**
 * `evidence init`: creates the bucket fit for evidence when it does not exist; for an existing
 * bucket reports every shortfall and changes nothing unless `apply`, then checks again.
 */
export async function initEvidenceBucket(aws: AwsClientFactory, spec: Omit<EvidenceBucketSpec, 'region'> & {region?: string}, apply: boolean): Promise<BucketReport> {
  const region = spec.region ?? aws.defaultRegion
  return initWith(aws.client(S3Client, region), {...spec, region}, apply)
}

async function initWith(s3: S3Client, spec: EvidenceBucketSpec, apply: boolean): Promise<BucketReport> {
  const notes: string[] = []
  const applied: string[] = []
  let created = false
  if (!(await bucketExists(s3, spec.bucket))) {
    await createEvidenceBucket(s3, spec)
    created = true
    notes.push(`Created bucket ${spec.bucket} in ${spec.region} with Object Lock (${spec.mode}, ${spec.days} day(s)), versioning, Block Public Access, default encryption and a policy denying deletes${spec.allowPlainHttp ? '' : ' and non-TLS access'}.`)
  }
  let checks = await inspectEvidenceBucket(s3, spec)
  if (!created && checks.some((c) => !c.ok)) {
    if (!apply) {
      notes.push('Nothing was changed. Re-run with --apply to fix the settings marked not ok.')
    } else {
      const versioningOk = checks.find((c) => c.setting === 'versioning')?.ok ?? false
      const fixes = new Set(checks.filter((c) => !c.ok).map((c) => FIX_FOR[c.setting]!))
      if (!versioningOk) {
        await applyFix(s3, spec, 'versioning')
        applied.push('versioning')
      }
      if (fixes.has('object-lock') || fixes.has('default-retention')) {
        await applyFix(s3, spec, 'default-retention')
        applied.push(fixes.has('object-lock') ? 'object-lock' : 'default-retention')
        if (fixes.has('object-lock')) notes.push('Object Lock is now enabled; objects written before keep no lock, and Object Lock cannot be turned off again.')
      }
      for (const f of ['block-public-access', 'default-encryption', 'policy'] as const) {
        if (!fixes.has(f)) continue
        await applyFix(s3, spec, f)
        applied.push(f)
      }
      checks = await inspectEvidenceBucket(s3, spec)
    }
  }
  if (spec.allowPlainHttp) notes.push('The endpoint is plain HTTP (--allow-plain-http): the policy has no statement denying non-TLS access, which would refuse every request; nothing protects the bytes in transit.')
  return {bucket: spec.bucket, created, applied, checks, ok: checks.every((c) => c.ok), notes, allowPlainHttp: spec.allowPlainHttp === true}
}
