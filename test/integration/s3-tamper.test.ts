import {createHash} from 'node:crypto'
import path from 'node:path'
import {CreateKeyCommand, GetPublicKeyCommand, KMSClient} from '@aws-sdk/client-kms'
import {DeleteObjectCommand, GetObjectCommand, ListObjectVersionsCommand, PutBucketPolicyCommand, PutObjectCommand, type S3Client} from '@aws-sdk/client-s3'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {fixedClock} from '../../src/core/clock.js'
import type {CoronerError} from '../../src/core/errors.js'
import {computeSelfDigest, serializeManifest, type ArtifactRecord, type Manifest} from '../../src/evidence/manifest.js'
import {openStore} from '../../src/evidence/open-store.js'
import {pullCase} from '../../src/evidence/pull.js'
import {EvidenceRun} from '../../src/evidence/run.js'
import type {EvidenceStore} from '../../src/evidence/store.js'
import {LocalDirectoryStore} from '../../src/evidence/stores/local.js'
import {verifyCase, type VerifyOptions} from '../../src/evidence/verify.js'
import {coroner, type Envelope} from '../support/cli.js'
import {motoAws, motoEndpoint, resetMoto, useAwsTestEnvironment} from '../support/moto.js'
import {lockedBucket, rawS3} from '../support/s3.js'
import {tempDir} from '../support/temp.js'

const BUCKET = 'evidence-governed'
const PREFIX = 'ev/'
const CASE = 'INC-S3T'
const meta = {kind: 'lambda.aliases', contentType: 'application/json', source: 'arn:aws:lambda:us-east-1:123456789012:function:fn', collector: 'test'}
const sha = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex')

interface S3Run {runId: string; prefix: string; manifestKey: string; journalKey: string; artifacts: ArtifactRecord[]}
interface S3Case {store: EvidenceStore; runs: S3Run[]; head: string; publicKey?: string}

let s3: S3Client
const opened: EvidenceStore[] = []
useAwsTestEnvironment()
beforeEach(async () => {
  await resetMoto()
  s3 = rawS3()
  // GOVERNANCE, so that the test's own client can do what an intruder holding s3:BypassGovernanceRetention can.
  await lockedBucket(s3, BUCKET, 'GOVERNANCE', 1)
})
afterEach(async () => {
  for (const st of opened.splice(0)) await st.close()
  s3.destroy()
})

/** Two sealed runs of two artifacts each in the S3 store, written as collectors write them; signed with a KMS key when asked. */
async function s3Case(options: {signKmsKey?: string} = {}): Promise<S3Case> {
  const store = await openStore(`s3://${BUCKET}/${PREFIX}`, {aws: motoAws(CASE), ...(options.signKmsKey === undefined ? {} : {signKmsKey: options.signKmsKey})})
  opened.push(store)
  const runs: S3Run[] = []
  let head = ''
  for (let i = 0; i < 2; i++) {
    const run = await EvidenceRun.begin({store, caseId: CASE, command: 'test', parameters: {i}, clock: fixedClock(`2026-11-2${i}T10:00:00Z`, 1000)})
    const artifacts = []
    for (const name of ['a.json', 'b.json']) artifacts.push(await run.putArtifact(['lambda', 'us-east-1', `fn${i}`, name], JSON.stringify({run: i, name}), meta))
    const sealed = await run.finish()
    head = sealed.head
    runs.push({runId: run.runId, prefix: run.prefix, manifestKey: sealed.manifestKey, journalKey: sealed.manifest.journal.key, artifacts})
  }
  return {store, runs, head}
}

/** Deletes one object version as an intruder allowed to bypass GOVERNANCE retention can (coroner itself never sends the bypass). */
const bypassDelete = (key: string, VersionId: string | undefined) => s3.send(new DeleteObjectCommand({Bucket: BUCKET, Key: `${PREFIX}${key}`, VersionId, BypassGovernanceRetention: true}))

async function versions(prefix: string): Promise<Array<{Key: string; VersionId: string}>> {
  const out = await s3.send(new ListObjectVersionsCommand({Bucket: BUCKET, Prefix: `${PREFIX}${prefix}`}))
  return [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])].map((v) => ({Key: v.Key!.slice(PREFIX.length), VersionId: v.VersionId!}))
}

async function bypassDeleteAll(prefix: string): Promise<void> {
  for (const v of await versions(prefix)) await bypassDelete(v.Key, v.VersionId)
}

const put = (key: string, Body: string) => s3.send(new PutObjectCommand({Bucket: BUCKET, Key: `${PREFIX}${key}`, Body, ChecksumAlgorithm: 'SHA256'}))

async function text(key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({Bucket: BUCKET, Key: `${PREFIX}${key}`}))
  return out.Body!.transformToString()
}

/** The forger's move under a governance bypass: the artifact and the manifest replaced, the manifest's hash, size and selfDigest made to fit. */
async function forgeManifest(run: S3Run, artifact: ArtifactRecord, forged: string): Promise<void> {
  const manifest = JSON.parse(await text(run.manifestKey)) as Manifest
  for (const v of await versions(artifact.key)) await bypassDelete(v.Key, v.VersionId)
  const stored = await put(artifact.key, forged)
  const target = manifest.artifacts.find((a) => a.key === artifact.key)!
  Object.assign(target, {sha256: sha(forged), size: Buffer.byteLength(forged), versionId: stored.VersionId})
  manifest.selfDigest = computeSelfDigest(manifest)
  await bypassDeleteAll(run.manifestKey)
  await put(run.manifestKey, serializeManifest(manifest))
}

interface S3Tamper {
  name: string
  code: string
  sign?: boolean
  tamper: (c: S3Case) => Promise<void>
  options?: (c: S3Case) => VerifyOptions
}

const last = (c: S3Case) => c.runs.at(-1)!

const MATRIX: S3Tamper[] = [
  {name: 'a newer version laid over an artifact', code: 'overlaid', tamper: async (c) => void (await put(c.runs[1]!.artifacts[0]!.key, '{"forged":true}'))},
  {name: 'a delete marker over an artifact', code: 'overlaid', tamper: async (c) => void (await s3.send(new DeleteObjectCommand({Bucket: BUCKET, Key: `${PREFIX}${c.runs[1]!.artifacts[1]!.key}`})))},
  {name: 'an artifact version deleted under a GOVERNANCE bypass', code: 'artifact-missing', tamper: (c) => bypassDelete(c.runs[0]!.artifacts[0]!.key, c.runs[0]!.artifacts[0]!.versionId).then(() => undefined)},
  {name: 'an object added to a run', code: 'object-extra', tamper: async (c) => void (await put(`${c.runs[1]!.prefix}lambda/planted.json`, '{}'))},
  {name: 'the manifest replaced and re-sealed under a bypass', code: 'journal-manifest-mismatch', tamper: (c) => forgeManifest(last(c), last(c).artifacts[0]!, '{"forged":1}')},
  {name: 'a journal line deleted under a bypass', code: 'journal-chain', tamper: async (c) => {
    const [line] = (await versions(`${c.runs[1]!.journalKey}.d/`)).filter((v) => v.Key.endsWith('0000000002'))
    await bypassDelete(line!.Key, line!.VersionId)
  }},
  {name: 'a journal line replaced under a bypass', code: 'journal-chain', tamper: async (c) => {
    const [line] = (await versions(`${c.runs[1]!.journalKey}.d/`)).filter((v) => v.Key.endsWith('0000000001'))
    const edited = (await text(line!.Key)).replace('"command":"test"', '"command":"other"')
    await bypassDelete(line!.Key, line!.VersionId)
    await put(line!.Key, edited)
  }},
  {name: 'the latest run deleted under a bypass (with --expect)', code: 'head-mismatch', tamper: (c) => bypassDeleteAll(last(c).prefix), options: (c) => ({expect: c.head})},
  {name: 'the first run deleted under a bypass', code: 'chain-missing-run', tamper: (c) => bypassDeleteAll(c.runs[0]!.prefix)},
  {name: 'a signature that does not match (KMS)', code: 'signature-invalid', sign: true, tamper: (c) => forgeManifest(last(c), last(c).artifacts[1]!, '{"forged":2}'), options: (c) => ({publicKey: c.publicKey!})},
]

/** An asymmetric KMS key in moto, and its public key as a third party would fetch it once (PEM). */
async function signingKey(): Promise<{arn: string; publicKey: string}> {
  const kms = new KMSClient({endpoint: motoEndpoint(), region: 'us-east-1', credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}, maxAttempts: 1})
  try {
    const key = await kms.send(new CreateKeyCommand({KeyUsage: 'SIGN_VERIFY', KeySpec: 'ECC_NIST_P256'}))
    const pub = await kms.send(new GetPublicKeyCommand({KeyId: key.KeyMetadata!.Arn!}))
    const pem = `-----BEGIN PUBLIC KEY-----\n${Buffer.from(pub.PublicKey!).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PUBLIC KEY-----\n`
    return {arn: key.KeyMetadata!.Arn!, publicKey: pem.replace('\n\n', '\n')}
  } finally {
    kms.destroy()
  }
}

describe('the tamper matrix on the S3 store: verify names it, pull fails on it', () => {
  it('passes an untouched case, signed with a KMS key or not, and the pull of it', async () => {
    const key = await signingKey()
    const c = {...(await s3Case({signKmsKey: key.arn})), publicKey: key.publicKey}
    const v = await verifyCase(c.store, CASE, {expect: c.head, publicKey: c.publicKey})
    expect(v.issues).toEqual([])
    expect(v.runs.map((r) => r.signature?.checkedWith)).toEqual(['given-key', 'given-key'])
    const to = path.join(await tempDir(), 'copy')
    const pulled = await pullCase(c.store, CASE, to)
    expect(pulled.ok).toBe(true)
    // The copy keeps the signatures: a third party checks it with the public key alone, no AWS.
    const copy = await verifyCase(new LocalDirectoryStore(to), CASE, {expect: c.head, publicKey: c.publicKey})
    expect(copy.issues).toEqual([])
    expect(copy.runs.every((r) => r.signature?.checkedWith === 'given-key')).toBe(true)
  })

  it('reads each object of the source once: the source check reuses the listing and journals the copy read', async () => {
    const c = await s3Case()
    const reads: string[] = []
    const lists: string[] = []
    const {get, list} = c.store
    c.store.get = (key, versionId) => (reads.push(key), get.call(c.store, key, versionId))
    c.store.list = (prefix) => (lists.push(prefix), list.call(c.store, prefix))
    const pulled = await pullCase(c.store, CASE, path.join(await tempDir(), 'copy'))
    expect(pulled.ok).toBe(true)
    const twice = reads.filter((k, i) => reads.indexOf(k) !== i)
    // The manifest is read by the copy and again by the source check (one small object a run).
    expect(twice.sort()).toEqual(c.runs.map((r) => r.manifestKey).sort())
    for (const r of c.runs) for (const a of r.artifacts) expect(reads).toContain(a.key)
    expect(reads.filter((k) => k.includes('custody.jsonl.d/')).length).toBeGreaterThan(0)
    expect(lists.filter((p) => p === `cases/${CASE}/`)).toHaveLength(1)
  })

  for (const t of MATRIX) {
    it(t.name, async () => {
      const key = t.sign ? await signingKey() : undefined
      const c: S3Case = {...(await s3Case(key ? {signKmsKey: key.arn} : {})), ...(key ? {publicKey: key.publicKey} : {})}
      const options = t.options?.(c) ?? {}
      await t.tamper(c)
      const v = await verifyCase(c.store, CASE, options)
      expect(v.ok).toBe(false)
      expect(v.issues.map((i) => i.code), JSON.stringify(v.issues, null, 1)).toContain(t.code)
      // The head is checked only where it is given; everything else fails the pull too.
      if (options.expect !== undefined) return
      const pulled = await pullCase(c.store, CASE, path.join(await tempDir(), 'copy')).catch((e: unknown) => e as CoronerError)
      if (pulled instanceof Error) expect(pulled).toMatchObject({code: 'evidence-missing', exitCode: 3})
      else {
        expect(pulled.ok).toBe(false)
        expect([...pulled.source.issues, ...pulled.verification.issues].map((i) => i.code)).toContain(t.code)
      }
    })
  }

  it('names one artifact S3 refuses to serve and checks every other', async () => {
    const c = await s3Case()
    const denied = c.runs[1]!.artifacts[0]!.key
    await s3.send(new PutBucketPolicyCommand({
      Bucket: BUCKET,
      Policy: JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/${PREFIX}${denied}`}]}),
    }))
    const v = await verifyCase(c.store, CASE)
    expect(v.artifacts.find((a) => a.key === denied)).toMatchObject({status: 'unreadable', detail: expect.stringMatching(/refused|403/)})
    expect(v.artifacts.filter((a) => a.status === 'ok')).toHaveLength(3)
    expect(v.issues.map((i) => i.code)).toEqual(['artifact-unreadable'])
  })
})

describe('signing with a KMS key on the command line', () => {
  it('signs every run of the store with --sign-kms-key, and verify checks them with the public key alone', async () => {
    const key = await signingKey()
    const dir = await tempDir()
    const file = path.join(dir, 'finding.json')
    const pub = path.join(dir, 'kms.pub.pem')
    await (await import('node:fs/promises')).writeFile(file, '{"severity": 8}')
    await (await import('node:fs/promises')).writeFile(pub, key.publicKey)
    const aws = ['--store', `s3://${BUCKET}/${PREFIX}`, '--endpoint-url', motoEndpoint(), '--region', 'us-east-1']
    const added = await coroner(['evidence', 'add', file, '--case', CASE, ...aws, '--sign-kms-key', key.arn])
    expect(added.error, added.stdout + added.stderr).toBeUndefined()
    expect(added.stdout).toContain(`Signed by ${key.arn}`)
    const verified = await coroner(['evidence', 'verify', '--case', CASE, ...aws, '--public-key', pub])
    expect(verified.error, verified.stdout).toBeUndefined()
    expect(verified.stdout).toMatch(/Signed: 1 of 1 sealed run\(s\), .* \(checked with the key given\)/)
    const denied = await coroner(['evidence', 'add', file, '--case', CASE, ...aws, '--sign-kms-key', 'arn:aws:kms:us-east-1:123456789012:key/no-such-key', '--json'])
    expect(denied.error).toBeDefined()
    // The signer is asked for its key before the run writes anything: a key KMS refuses leaves no run behind.
    const runs = await versions(`cases/${CASE}/runs/`)
    expect(new Set(runs.map((v) => v.Key.split('/')[3])).size).toBe(1)
  })
})

describe('evidence pull of an S3 case with a version laid over one of its objects', () => {
  it('fails (exit 3), naming the object, and copies the evidence as first written', async () => {
    const c = await s3Case()
    const target = c.runs[0]!.artifacts[1]!
    await put(target.key, '{"forged":true}')
    const to = path.join(await tempDir(), 'copy')
    const out = await coroner(['evidence', 'pull', '--case', CASE, '--store', `s3://${BUCKET}/${PREFIX}`, '--to', to, '--endpoint-url', motoEndpoint(), '--region', 'us-east-1', '--json'])
    expect(out.error?.oclif?.exit).toBe(3)
    const env = JSON.parse(out.stdout) as Envelope<{ok: boolean; source: {issues: Array<{code: string; key?: string}>}; verification: {ok: boolean}}>
    expect(env.result.ok).toBe(false)
    expect(env.result.source.issues).toEqual([expect.objectContaining({code: 'overlaid', key: target.key})])
    expect(env.result.verification.ok).toBe(true)
    const human = await coroner(['evidence', 'pull', '--case', CASE, '--store', `s3://${BUCKET}/${PREFIX}`, '--to', `${to}-2`, '--endpoint-url', motoEndpoint(), '--region', 'us-east-1'])
    expect(human.error?.oclif?.exit).toBe(3)
    expect(human.stdout).toContain(target.key)
    expect(human.stdout).toMatch(/The source does not verify/)
  })
})
