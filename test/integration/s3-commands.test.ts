import {readdirSync} from 'node:fs'
import {stat, writeFile, chmod, readFile} from 'node:fs/promises'
import path from 'node:path'
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {motoEndpoint, resetMoto, useAwsTestEnvironment} from '../support/moto.js'
import {lockedBucket, rawS3} from '../support/s3.js'
import {tempDir} from '../support/temp.js'
import {coroner, type Envelope} from '../support/cli.js'

const aws = (): string[] => ['--endpoint-url', motoEndpoint(), '--region', 'us-east-1']
// moto is reached over plain HTTP: evidence init needs --allow-plain-http to leave out the non-TLS deny.
const init = (...args: string[]) => coroner(['evidence', 'init', ...args, ...aws(), '--allow-plain-http'])

interface Check {setting: string; ok: boolean; actual: string; fix?: string}

let s3: S3Client
useAwsTestEnvironment()
beforeEach(async () => {
  await resetMoto()
  s3 = rawS3()
})
afterEach(() => s3.destroy())

async function addCase(store: string, caseId: string, extra: string[] = []): Promise<{artifacts: Array<{key: string; versionId: string; sha256: string}>; manifestKey: string}> {
  const dir = await tempDir()
  const files = [path.join(dir, 'finding.json'), path.join(dir, 'notes.txt')]
  await writeFile(files[0]!, '{"severity": 8}')
  await writeFile(files[1]!, 'seen at 10:02')
  const out = await coroner(['evidence', 'add', ...files, '--case', caseId, '--store', store, ...aws(), ...extra, '--json'])
  expect(out.error, out.stdout + out.stderr).toBeUndefined()
  return (JSON.parse(out.stdout) as Envelope<{artifacts: Array<{key: string; versionId: string; sha256: string}>; manifestKey: string}>).result
}

describe('evidence init', () => {
  it('creates a bucket fit for evidence, as S3 itself reports', async () => {
    const out = await init('--bucket', 'new-evidence', '--mode', 'COMPLIANCE', '--days', '30', '--kms-key', 'arn:aws:kms:us-east-1:123456789012:key/abc', '--json')
    expect(out.error).toBeUndefined()
    const env = JSON.parse(out.stdout) as Envelope<{created: boolean; ok: boolean; checks: Check[]; allowPlainHttp: boolean; notes: string[]}>
    expect(env.result.created).toBe(true)
    expect(env.result.ok).toBe(true)
    expect(env.result.checks.map((c) => c.setting)).toEqual([
      'versioning', 'object-lock', 'default-retention', 'block-public-access', 'default-encryption', 'policy-deny-insecure-transport', 'policy-deny-deletion',
    ])
    const Bucket = 'new-evidence'
    expect((await s3.send(new GetObjectLockConfigurationCommand({Bucket}))).ObjectLockConfiguration).toMatchObject({ObjectLockEnabled: 'Enabled', Rule: {DefaultRetention: {Mode: 'COMPLIANCE', Days: 30}}})
    expect((await s3.send(new GetBucketVersioningCommand({Bucket}))).Status).toBe('Enabled')
    expect((await s3.send(new GetPublicAccessBlockCommand({Bucket}))).PublicAccessBlockConfiguration).toEqual({BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true})
    expect((await s3.send(new GetBucketEncryptionCommand({Bucket}))).ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault).toMatchObject({SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'arn:aws:kms:us-east-1:123456789012:key/abc'})
    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({Bucket}))).Policy!) as {Statement: Array<{Sid: string; Effect: string; Action: string | string[]; Condition?: unknown}>}
    expect(policy.Statement.find((s) => s.Sid === 'CoronerDenyInsecureTransport')).toBeUndefined()
    expect(env.result).toMatchObject({allowPlainHttp: true, notes: expect.arrayContaining([expect.stringContaining('plain HTTP (--allow-plain-http)')])})
    expect(env.result.checks.find((c) => c.setting === 'policy-deny-insecure-transport')).toMatchObject({ok: true, actual: 'left out (--allow-plain-http)'})
    expect(policy.Statement.find((s) => s.Sid === 'CoronerDenyEvidenceDeletion')?.Action).toEqual(expect.arrayContaining(['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutBucketObjectLockConfiguration']))

    const human = await init('--bucket', 'new-evidence', '--mode', 'COMPLIANCE', '--days', '30')
    expect(human.error).toBeUndefined()
    expect(human.stdout).toMatch(/fit for evidence: use --store s3:\/\/new-evidence\//)
  })

  it('through a plain-HTTP endpoint refuses to write a policy that would lock the bucket, unless --allow-plain-http', async () => {
    const out = await coroner(['evidence', 'init', '--bucket', 'plain-evidence', ...aws(), '--json'])
    expect(out.error?.oclif?.exit).toBe(2)
    expect((JSON.parse(out.stdout) as Envelope<never>).error).toMatchObject({code: 'plain-http-endpoint', message: expect.stringContaining('would refuse every request'), hint: expect.stringContaining('--allow-plain-http')})
    await expect(s3.send(new GetBucketVersioningCommand({Bucket: 'plain-evidence'}))).rejects.toMatchObject({name: 'NoSuchBucket'})
    const tls = await coroner(['evidence', 'init', '--bucket', 'plain-evidence', '--region', 'us-east-1', '--allow-plain-http', '--json'])
    expect(tls.error?.oclif?.exit).toBe(2)
  })

  it('reports each shortfall of an existing bucket with its fix, changes nothing, and fixes it with --apply', async () => {
    await s3.send(new CreateBucketCommand({Bucket: 'old-bucket'}))
    const out = await init('--bucket', 'old-bucket', '--json')
    expect(out.error?.oclif?.exit).toBe(3)
    const env = JSON.parse(out.stdout) as Envelope<{created: boolean; ok: boolean; checks: Check[]; notes: string[]}>
    expect(env.result.created).toBe(false)
    // Through plain HTTP the non-TLS deny is left out, so its absence is as it should be.
    expect(env.result.checks.filter((c) => !c.ok).map((c) => c.setting)).toEqual(['versioning', 'object-lock', 'default-retention', 'block-public-access', 'default-encryption', 'policy-deny-deletion'])
    expect(env.result.checks.filter((c) => !c.ok).every((c) => (c.fix ?? '').length > 0)).toBe(true)
    expect(env.result.checks.find((c) => c.setting === 'object-lock')?.fix).toMatch(/only once versioning is Enabled/)
    expect(env.result.notes.join(' ')).toMatch(/Nothing was changed/)
    expect((await s3.send(new GetBucketVersioningCommand({Bucket: 'old-bucket'}))).Status).toBeUndefined()
    await expect(s3.send(new GetObjectLockConfigurationCommand({Bucket: 'old-bucket'}))).rejects.toMatchObject({name: 'ObjectLockConfigurationNotFoundError'})

    const human = await init('--bucket', 'old-bucket')
    expect(human.stdout).toMatch(/versioning\s+NOT OK\s+never enabled/)
    expect(human.stdout).toMatch(/To fix:\n  versioning: Enable versioning/)

    const applied = await init('--bucket', 'old-bucket', '--apply', '--days', '7', '--json')
    expect(applied.error).toBeUndefined()
    const fixed = JSON.parse(applied.stdout) as Envelope<{ok: boolean; applied: string[]}>
    expect(fixed.result.ok).toBe(true)
    expect(fixed.result.applied).toEqual(['versioning', 'object-lock', 'block-public-access', 'default-encryption', 'policy'])
    expect((await s3.send(new GetObjectLockConfigurationCommand({Bucket: 'old-bucket'}))).ObjectLockConfiguration).toMatchObject({ObjectLockEnabled: 'Enabled', Rule: {DefaultRetention: {Mode: 'GOVERNANCE', Days: 7}}})
  })
})

describe('evidence add / verify / pull / hold with --store s3://', () => {
  it('verify passes an untouched case and names a version laid over an artifact', async () => {
    await lockedBucket(s3, 'case-bucket')
    const {artifacts} = await addCase('s3://case-bucket/ir', 'INC-1')
    const ok = await coroner(['evidence', 'verify', '--case', 'INC-1', '--store', 's3://case-bucket/ir', ...aws()])
    expect(ok.error, ok.stdout).toBeUndefined()
    expect(ok.stdout).toMatch(/OK: every object matches/)

    await s3.send(new PutObjectCommand({Bucket: 'case-bucket', Key: `ir/${artifacts[1]!.key}`, Body: 'edited', ChecksumAlgorithm: 'SHA256'}))
    const bad = await coroner(['evidence', 'verify', '--case', 'INC-1', '--store', 's3://case-bucket/ir', ...aws(), '--json'])
    expect(bad.error?.oclif?.exit).toBe(3)
    const env = JSON.parse(bad.stdout) as Envelope<{artifacts: Array<{key: string; status: string; detail: string | null}>}>
    expect(env.result.artifacts.filter((a) => a.status !== 'ok')).toEqual([expect.objectContaining({key: artifacts[1]!.key, status: 'overlaid'})])
  })

  it('refuses a bucket without Object Lock with the init hint; --allow-unlocked writes and verify warns', async () => {
    await s3.send(new CreateBucketCommand({Bucket: 'plain-bucket'}))
    const dir = await tempDir()
    const file = path.join(dir, 'x.json')
    await writeFile(file, '{}')
    const refused = await coroner(['evidence', 'add', file, '--case', 'INC-2', '--store', 's3://plain-bucket', ...aws()])
    expect(refused.error?.oclif?.exit).toBe(2)
    expect(refused.stderr).toMatch(/bucket-not-locked.*plain-bucket/)
    expect(refused.stderr).toMatch(/Hint: .*coroner evidence init --bucket NAME/)

    await addCase('s3://plain-bucket', 'INC-2', ['--allow-unlocked'])
    const verified = await coroner(['evidence', 'verify', '--case', 'INC-2', '--store', 's3://plain-bucket', ...aws()])
    expect(verified.error).toBeUndefined()
    expect(verified.stderr).toMatch(/Warning: run \S+ was written with --allow-unlocked/)
  })

  it('a mistyped bucket in --store s3:// is exit 2 naming the bucket and the fix, not an internal error', async () => {
    const dir = await tempDir()
    const file = path.join(dir, 'x.json')
    await writeFile(file, '{}')
    for (const args of [['evidence', 'add', file], ['evidence', 'verify'], ['evidence', 'list']]) {
      const out = await coroner([...args, '--case', 'INC-3', '--store', 's3://evidnce-bucket/ir', ...aws(), '--json'])
      expect(out.error?.oclif?.exit, args.join(' ')).toBe(2)
      expect((JSON.parse(out.stdout) as Envelope<never>).error).toMatchObject({code: 'no-such-bucket', message: expect.stringContaining('evidnce-bucket does not exist'), hint: expect.stringContaining('coroner evidence init --bucket evidnce-bucket')})
    }
  })

  it('pull copies a case into a local store that verifies, and refuses to overwrite it', async () => {
    await lockedBucket(s3, 'case-bucket')
    const {artifacts} = await addCase('s3://case-bucket', 'INC-3')
    const to = path.join(await tempDir(), 'copy')
    const out = await coroner(['evidence', 'pull', '--case', 'INC-3', '--to', to, '--store', 's3://case-bucket', ...aws(), '--json'])
    expect(out.error, out.stdout + out.stderr).toBeUndefined()
    const env = JSON.parse(out.stdout) as Envelope<{objects: number; verification: {ok: boolean}}>
    expect(env.result.objects).toBe(3)
    expect(env.result.verification.ok).toBe(true)
    const local = path.join(to, ...artifacts[0]!.key.split('/'))
    expect(await readFile(local, 'utf8')).toBe('{"severity": 8}')
    expect((await stat(local)).mode & 0o222).toBe(0)
    const verified = await coroner(['evidence', 'verify', '--case', 'INC-3', '--store', to])
    expect(verified.error).toBeUndefined()
    const again = await coroner(['evidence', 'pull', '--case', 'INC-3', '--to', to, '--store', 's3://case-bucket', ...aws(), '--json'])
    expect(again.error?.oclif?.exit).toBe(2)
    expect(JSON.parse(again.stdout).error.code).toBe('pull-target-exists')
  })

  it('pull fails naming the key when the recorded version was replaced (unlocked bucket) or the bytes changed (local store)', async () => {
    await s3.send(new CreateBucketCommand({Bucket: 'plain-bucket'}))
    const {artifacts} = await addCase('s3://plain-bucket', 'INC-4', ['--allow-unlocked'])
    const victim = artifacts[0]!
    // Without Object Lock nothing stops this: the recorded version is deleted and a forgery put in its place.
    await s3.send(new DeleteObjectCommand({Bucket: 'plain-bucket', Key: victim.key, VersionId: victim.versionId}))
    await s3.send(new PutObjectCommand({Bucket: 'plain-bucket', Key: victim.key, Body: '{"severity": 1}'}))
    const out = await coroner(['evidence', 'pull', '--case', 'INC-4', '--to', path.join(await tempDir(), 'c'), '--store', 's3://plain-bucket', ...aws(), '--json'])
    expect(out.error?.oclif?.exit).toBe(3)
    expect(JSON.parse(out.stdout).error.message).toContain(victim.key)

    const localStore = path.join(await tempDir(), 'local')
    const local = await addCase(localStore, 'INC-5')
    const p = path.join(localStore, ...local.artifacts[1]!.key.split('/'))
    await chmod(p, 0o644)
    await writeFile(p, 'seen at 10:03')
    const tampered = await coroner(['evidence', 'pull', '--case', 'INC-5', '--to', path.join(await tempDir(), 'c'), '--store', localStore, '--json'])
    expect(tampered.error?.oclif?.exit).toBe(3)
    const err = JSON.parse(tampered.stdout).error as {code: string; message: string}
    expect(err.code).toBe('pull-hash-mismatch')
    expect(err.message).toContain(local.artifacts[1]!.key)
  })

  it('hold on places a legal hold on every version of the case and records it', async () => {
    await lockedBucket(s3, 'case-bucket', 'GOVERNANCE', 1)
    await addCase('s3://case-bucket', 'INC-6')
    const before = (await s3.send(new ListObjectVersionsCommand({Bucket: 'case-bucket', Prefix: 'cases/INC-6/'}))).Versions!
    const out = await coroner(['evidence', 'hold', 'on', '--case', 'INC-6', '--store', 's3://case-bucket', ...aws(), '--json'])
    expect(out.error, out.stdout).toBeUndefined()
    const env = JSON.parse(out.stdout) as Envelope<{changed: number; failed: unknown[]; runId: string}>
    expect(env.result.changed).toBe(before.length)
    expect(env.result.failed).toEqual([])
    expect(env.warnings.join(' ')).toMatch(/legal hold keeps each version/)
    for (const v of before) {
      const head = await s3.send(new HeadObjectCommand({Bucket: 'case-bucket', Key: v.Key!, VersionId: v.VersionId}))
      expect(head.ObjectLockLegalHoldStatus, v.Key).toBe('ON')
    }
    const record = await coroner(['evidence', 'list', '--case', 'INC-6', '--store', 's3://case-bucket', '--kind', 'evidence.legal-hold', ...aws(), '--json'])
    expect((JSON.parse(record.stdout) as Envelope<{artifacts: unknown[]}>).result.artifacts).toHaveLength(1)
    const verified = await coroner(['evidence', 'verify', '--case', 'INC-6', '--store', 's3://case-bucket', ...aws()])
    expect(verified.error, verified.stdout).toBeUndefined()
  })
})

describe('permissions', () => {
  it('prints a least-privilege policy scoped to the bucket and prefix', async () => {
    const out = await coroner(['permissions', '--store', 's3://acme-evidence/team-a', '--hold', '--json'])
    expect(out.error).toBeUndefined()
    const policy = (JSON.parse(out.stdout) as Envelope<{policy: {Version: string; Statement: Array<{Sid: string; Action: string[]; Resource: string | string[]; Condition?: unknown}>}}>).result.policy
    expect(policy.Version).toBe('2012-10-17')
    const write = policy.Statement.find((s) => s.Sid === 'EvidenceWriteOnceAndRead')!
    expect(write.Resource).toBe('arn:aws:s3:::acme-evidence/team-a/*')
    expect(write.Action).toEqual(expect.arrayContaining(['s3:PutObject', 's3:GetObjectVersion', 's3:GetObjectRetention', 's3:PutObjectLegalHold']))
    expect(write.Action.some((a) => /Delete|Bypass/.test(a))).toBe(false)
    expect(policy.Statement.find((s) => s.Sid === 'EvidenceListVersions')).toMatchObject({Resource: 'arn:aws:s3:::acme-evidence', Action: ['s3:ListBucket', 's3:ListBucketVersions'], Condition: {StringLike: {'s3:prefix': ['team-a/*']}}})
    const human = await coroner(['permissions', '--store', 's3://acme-evidence'])
    expect(JSON.parse(human.stdout).Statement[0].Action).not.toContain('s3:PutObjectLegalHold')
    const local = await coroner(['permissions', '--store', './here', '--json'])
    expect(local.error?.oclif?.exit).toBe(2)
  })
})

describe('collection commands write to S3 with the store flags', () => {
  it('import cloudtrail takes --allow-unlocked for a plain bucket and --legal-hold for a locked one', async () => {
    // The sample records, without the licence files beside them (which are no CloudTrail).
    const dir = path.join(import.meta.dirname, '..', '..', 'samples', 'incident', 'cloudtrail')
    const samples = readdirSync(dir).filter((n) => n.endsWith('.json')).map((n) => path.join(dir, n))
    await s3.send(new CreateBucketCommand({Bucket: 'plain-bucket'}))
    const refused = await coroner(['import', 'cloudtrail', ...samples, '--case', 'INC-6', '--store', 's3://plain-bucket', ...aws(), '--json'])
    expect(refused.error?.oclif?.exit).toBe(2)
    expect(JSON.parse(refused.stdout).error.code).toBe('bucket-not-locked')
    const unlocked = await coroner(['import', 'cloudtrail', ...samples, '--case', 'INC-6', '--store', 's3://plain-bucket', '--allow-unlocked', ...aws()])
    expect(unlocked.error, unlocked.stderr).toBeUndefined()

    await lockedBucket(s3, 'case-bucket')
    const held = await coroner(['import', 'cloudtrail', ...samples, '--case', 'INC-7', '--store', 's3://case-bucket', '--legal-hold', ...aws(), '--json'])
    expect(held.error, held.stderr).toBeUndefined()
    const listed = await s3.send(new ListObjectVersionsCommand({Bucket: 'case-bucket', Prefix: 'cases/INC-7/'}))
    const records = (listed.Versions ?? []).filter((v) => v.Key!.includes('/records/'))
    expect(records.length).toBe(4)
    for (const v of records) {
      const head = await s3.send(new HeadObjectCommand({Bucket: 'case-bucket', Key: v.Key!, VersionId: v.VersionId}))
      expect(head.ObjectLockLegalHoldStatus).toBe('ON')
      expect(head.ObjectLockMode).toBe('COMPLIANCE')
    }
  })
})
