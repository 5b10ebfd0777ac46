import {createHash, randomBytes} from 'node:crypto'
import {readManifest} from '../../src/evidence/cases.js'
import {Readable} from 'node:stream'
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {S3EvidenceStore} from '../../src/evidence/stores/s3/store.js'
import {fixedClock} from '../../src/core/clock.js'
import {describeRuns} from '../../src/evidence/case-runs.js'
import {listArtifacts} from '../../src/evidence/cases.js'
import {openStore} from '../../src/evidence/open-store.js'
import {EvidenceRun} from '../../src/evidence/run.js'
import {EvidenceExistsError, EvidenceHashMismatchError, type EvidenceStore} from '../../src/evidence/store.js'
import {verifyCase} from '../../src/evidence/verify.js'
import {motoAws, motoEndpoint, resetMoto} from '../support/moto.js'
import {lockedBucket, rawS3, versionSha256} from '../support/s3.js'

const BUCKET = 'evidence-locked'
const meta = {kind: 'test', contentType: 'application/json', source: 'arn:aws:lambda:us-east-1:123456789012:function:fn', collector: 'test'}
const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex')

let s3: S3Client
const opened: EvidenceStore[] = []
async function store(location = `s3://${BUCKET}/ev`, options: Record<string, unknown> = {}): Promise<EvidenceStore> {
  const st = await openStore(location, {aws: motoAws(), ...options})
  opened.push(st)
  return st
}

async function writeRun(st: EvidenceStore, names = ['a.json', 'b.json'], start = '2026-11-20T10:00:00Z') {
  const run = await EvidenceRun.begin({store: st, caseId: 'INC-S3', command: 'test', parameters: {}, clock: fixedClock(start, 1000)})
  const artifacts = []
  for (const name of names) artifacts.push(await run.putArtifact(['lambda', 'us-east-1', 'fn', name], JSON.stringify({name}), meta))
  const sealed = await run.finish()
  return {run, artifacts, sealed}
}

beforeEach(async () => {
  await resetMoto()
  s3 = rawS3()
  await lockedBucket(s3, BUCKET)
})
afterEach(async () => {
  for (const st of opened.splice(0)) await st.close()
  s3.destroy()
})

describe('S3 evidence store under Object Lock (moto)', () => {
  it('writes each object with its lock, retain-until date, SHA-256 checksum, metadata and VersionId', async () => {
    const st = await store()
    const {artifacts, sealed} = await writeRun(st)
    const a = artifacts[0]!
    expect(a.versionId).toBeTruthy()
    expect((await readManifest(st, sealed.manifestKey)).artifacts.map((x) => x.versionId)).toEqual(artifacts.map((x) => x.versionId))
    const head = await s3.send(new HeadObjectCommand({Bucket: BUCKET, Key: `ev/${a.key}`, VersionId: a.versionId, ChecksumMode: 'ENABLED'}))
    expect(head.ObjectLockMode).toBe('COMPLIANCE')
    const days = (head.ObjectLockRetainUntilDate!.getTime() - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(29)
    expect(days).toBeLessThanOrEqual(30)
    expect(Buffer.from(head.ChecksumSHA256!, 'base64').toString('hex')).toBe(a.sha256)
    expect(a.sha256).toBe(sha(JSON.stringify({name: 'a.json'})))
    expect(head.Metadata).toMatchObject({collector: 'test', source: meta.source, 'collected-at': expect.stringMatching(/^2026-11-20T/)})
    // The journal: one locked object per line, in order.
    const journal = await s3.send(new ListObjectVersionsCommand({Bucket: BUCKET, Prefix: `ev/${sealed.manifest.journal.key}.d/`}))
    expect(journal.Versions).toHaveLength(sealed.manifest.journal.entries)
    const seg = await s3.send(new HeadObjectCommand({Bucket: BUCKET, Key: journal.Versions![0]!.Key!}))
    expect(seg.ObjectLockMode).toBe('COMPLIANCE')
    expect(sealed.manifest.store).toMatchObject({kind: 's3', location: `s3://${BUCKET}/ev/`, immutable: true})
    expect(sealed.manifest.store.allowUnlocked).toBeUndefined()
    const v = await verifyCase(st, 'INC-S3')
    expect(v.ok).toBe(true)
    expect(v.warnings).toEqual([])
  })

  it('encrypts with SSE-KMS when a key is configured', async () => {
    const key = 'arn:aws:kms:us-east-1:123456789012:key/evidence'
    const st = await store(`s3://${BUCKET}/kms`, {kmsKey: key})
    const stored = await st.put('cases/INC-S3/runs/r/x.json', '{}')
    const head = await s3.send(new HeadObjectCommand({Bucket: BUCKET, Key: 'kms/cases/INC-S3/runs/r/x.json', VersionId: stored.versionId}))
    expect(head.ServerSideEncryption).toBe('aws:kms')
    expect(head.SSEKMSKeyId).toBe(key)
  })

  it('a locked version cannot be deleted by VersionId, and the evidence stays', async () => {
    const st = await store()
    const {artifacts} = await writeRun(st)
    const a = artifacts[0]!
    await expect(s3.send(new DeleteObjectCommand({Bucket: BUCKET, Key: `ev/${a.key}`, VersionId: a.versionId}))).rejects.toMatchObject({$metadata: {httpStatusCode: 403}})
    expect(await versionSha256(s3, BUCKET, `ev/${a.key}`, a.versionId)).toBe(a.sha256)
    expect((await verifyCase(st, 'INC-S3')).ok).toBe(true)
  })

  it('refuses a second write of the same key with evidence-exists and keeps the first', async () => {
    const st = await store()
    const first = await st.put('cases/INC-S3/runs/x/file.txt', 'original')
    const second = st.put('cases/INC-S3/runs/x/file.txt', 'replacement')
    await expect(second).rejects.toBeInstanceOf(EvidenceExistsError)
    await expect(second).rejects.toMatchObject({code: 'evidence-exists'})
    const versions = await s3.send(new ListObjectVersionsCommand({Bucket: BUCKET, Prefix: 'ev/cases/INC-S3/runs/x/'}))
    expect(versions.Versions).toHaveLength(1)
    expect(await versionSha256(s3, BUCKET, 'ev/cases/INC-S3/runs/x/file.txt')).toBe(first.sha256)
  })

  it('verify names a version laid over an artifact, a delete marker, and a replaced manifest', async () => {
    const st = await store()
    const {artifacts, sealed} = await writeRun(st, ['a.json', 'b.json', 'c.json'])
    const [a, b] = artifacts
    await s3.send(new PutObjectCommand({Bucket: BUCKET, Key: `ev/${a!.key}`, Body: '{"name":"forged"}', ChecksumAlgorithm: 'SHA256'}))
    await s3.send(new DeleteObjectCommand({Bucket: BUCKET, Key: `ev/${b!.key}`}))
    const sealedManifest = await readManifest(st, sealed.manifestKey)
    const forged = {...sealedManifest, artifacts: sealedManifest.artifacts.slice(2)}
    await s3.send(new PutObjectCommand({Bucket: BUCKET, Key: `ev/${sealed.manifestKey}`, Body: JSON.stringify(forged), ChecksumAlgorithm: 'SHA256'}))

    const v = await verifyCase(st, 'INC-S3')
    expect(v.ok).toBe(false)
    const byKey = Object.fromEntries(v.artifacts.map((x) => [x.key, x]))
    expect(byKey[a!.key]).toMatchObject({status: 'overlaid', detail: expect.stringMatching(/newer version/)})
    expect(byKey[b!.key]).toMatchObject({status: 'overlaid', detail: 'a delete marker lies over it'})
    expect(byKey[artifacts[2]!.key]!.status).toBe('ok')
    // The original manifest is what verify read (three artifacts), and the new version is named.
    expect(v.runs[0]!.artifacts).toBe(3)
    expect(v.runs[0]!.problems).toEqual([expect.stringMatching(new RegExp(`^manifest ${sealed.manifestKey}: a newer version .+ lies over it$`))])

    // Listing reads the manifest as first written too, not the forged one laid over it.
    expect((await listArtifacts(st, 'INC-S3'))!.map((x) => x.key)).toEqual(artifacts.map((x) => x.key))
    expect((await describeRuns(st, 'INC-S3'))[0]).toMatchObject({status: 'complete', artifacts: 3})

    // A later run chains to the manifest as first written, not to the version laid over it.
    const next = await writeRun(st, ['d.json'], '2026-11-21T10:00:00Z')
    expect(next.sealed.manifest.previousManifest).toMatchObject({key: sealed.manifestKey, sha256: sealed.manifestSha256})
    expect((await verifyCase(st, 'INC-S3')).problems).toEqual([])
  })

  it('refuses a bucket without Object Lock with a hint; --allow-unlocked writes, records it, and verify warns', async () => {
    await s3.send(new CreateBucketCommand({Bucket: 'plain-bucket'}))
    const st = await store('s3://plain-bucket')
    await expect(EvidenceRun.begin({store: st, caseId: 'INC-S3', command: 'test', parameters: {}, clock: fixedClock('2026-11-20T10:00:00Z')})).rejects.toMatchObject({
      code: 'bucket-not-locked',
      message: expect.stringContaining('plain-bucket'),
      hint: expect.stringContaining('coroner evidence init --bucket NAME'),
    })
    const none = await s3.send(new ListObjectVersionsCommand({Bucket: 'plain-bucket'}))
    expect(none.Versions ?? []).toEqual([])

    const unlocked = await store('s3://plain-bucket', {allowUnlocked: true})
    const {sealed} = await writeRun(unlocked)
    expect(sealed.manifest.store).toMatchObject({allowUnlocked: true, immutable: false})
    const v = await verifyCase(unlocked, 'INC-S3')
    expect(v.ok).toBe(true)
    expect(v.warnings).toEqual([expect.stringMatching(/--allow-unlocked/)])
  })

  it('asks for a retention when the bucket has Object Lock but no default retention', async () => {
    await s3.send(new CreateBucketCommand({Bucket: 'lock-no-default', ObjectLockEnabledForBucket: true}))
    const st = await store('s3://lock-no-default')
    await expect(st.put('cases/INC-S3/runs/r/x', 'x')).rejects.toMatchObject({code: 'no-retention', hint: expect.stringMatching(/--retain-days/)})
    const given = await store('s3://lock-no-default', {lockMode: 'GOVERNANCE', retainDays: 2})
    const stored = await given.put('cases/INC-S3/runs/r/x', 'x')
    const head = await s3.send(new HeadObjectCommand({Bucket: 'lock-no-default', Key: 'cases/INC-S3/runs/r/x', VersionId: stored.versionId}))
    expect(head.ObjectLockMode).toBe('GOVERNANCE')
    expect(Math.round((head.ObjectLockRetainUntilDate!.getTime() - Date.now()) / 86_400_000)).toBe(2)
  })

  it('verify reports an object whose lock has ended', async () => {
    const st = await store()
    const {artifacts} = await writeRun(st)
    const later = new S3EvidenceStore({client: rawS3(), bucket: BUCKET, prefix: 'ev/', ownsClient: true, now: () => new Date(Date.now() + 40 * 86_400_000)})
    opened.push(later)
    const v = await verifyCase(later, 'INC-S3')
    expect(v.artifacts.find((x) => x.key === artifacts[0]!.key)).toMatchObject({status: 'unlocked', detail: expect.stringMatching(/retention ended/)})
    expect(v.runs[0]!.problems).toEqual([
      expect.stringMatching(/^journal .*custody\.jsonl: \d+ of \d+ line object\(s\) not locked, first .*retention ended/),
      expect.stringMatching(/^manifest .*manifest\.json: COMPLIANCE retention ended/),
    ])
  })

  it('verify reads each version once: its lock state comes with its bytes, and an ended lock is still named', async () => {
    const st = await store()
    const {artifacts} = await writeRun(st, ['a.json', 'b.json', 'c.json', 'd.json', 'e.json'])
    const client = rawS3()
    const calls: Array<{command: string; key: string}> = []
    client.middlewareStack.add((next, context) => async (args) => {
      calls.push({command: String(context.commandName), key: String((args.input as {Key?: string}).Key)})
      return next(args)
    }, {step: 'initialize', name: 'countCalls'})
    const later = new S3EvidenceStore({client, bucket: BUCKET, prefix: 'ev/', ownsClient: true, now: () => new Date(Date.now() + 40 * 86_400_000)})
    opened.push(later)
    const v = await verifyCase(later, 'INC-S3')
    for (const a of artifacts) {
      expect(v.artifacts.find((x) => x.key === a.key)).toMatchObject({status: 'unlocked', detail: expect.stringMatching(/retention ended/)})
      expect(calls.filter((c) => c.key === `ev/${a.key}`).map((c) => c.command)).toEqual(['GetObjectCommand'])
    }
    expect(v.runs[0]!.problems).toContainEqual(expect.stringMatching(/^manifest .*manifest\.json: COMPLIANCE retention ended/))
    expect(calls.filter((c) => c.command === 'HeadObjectCommand')).toEqual([])
    // Without reading the bytes, the lock of each version is still asked for.
    calls.length = 0
    const quick = await verifyCase(later, 'INC-S3', {content: false})
    expect(quick.artifacts.filter((x) => x.status === 'unlocked')).toHaveLength(artifacts.length)
    expect(calls.filter((c) => c.command === 'HeadObjectCommand').length).toBeGreaterThanOrEqual(artifacts.length)
  })

  it('sends a large body through multipart upload, locks it and records the hash of the whole', async () => {
    const client = rawS3()
    const st = new S3EvidenceStore({client, bucket: BUCKET, partSize: 5 * 1024 * 1024, queueSize: 2, ownsClient: true, legalHold: true})
    opened.push(st)
    const calls: string[] = []
    const partBuffers = new Set<ArrayBufferLike>()
    client.middlewareStack.add((next, context) => async (args) => {
      calls.push(String(context.commandName))
      const body = (args.input as {Body?: unknown}).Body
      if (context.commandName === 'UploadPartCommand' && body instanceof Uint8Array) partBuffers.add(body.buffer)
      return next(args)
    }, {step: 'initialize'})
    const size = 20 * 1024 * 1024 + 12345
    const hash = createHash('sha256')
    async function* body(h?: ReturnType<typeof createHash>) {
      for (let sent = 0; sent < size; ) {
        const chunk = randomBytes(Math.min(1024 * 1024 - 7, size - sent))
        h?.update(chunk)
        sent += chunk.length
        yield chunk
      }
    }
    const stored = await st.put('cases/INC-S3/runs/r/big.bin', Readable.from(body(hash)))
    expect(stored.size).toBe(size)
    expect(stored.sha256).toBe(hash.digest('hex'))
    expect(calls.filter((c) => c === 'UploadPartCommand')).toHaveLength(5)
    // Five parts went through at most queueSize + 1 buffers: memory does not grow with the body.
    expect(partBuffers.size).toBeLessThanOrEqual(3)
    expect(calls).toContain('CompleteMultipartUploadCommand')
    expect(await versionSha256(s3, BUCKET, 'cases/INC-S3/runs/r/big.bin', stored.versionId)).toBe(stored.sha256)
    const head = await s3.send(new HeadObjectCommand({Bucket: BUCKET, Key: 'cases/INC-S3/runs/r/big.bin', VersionId: stored.versionId}))
    expect(head.ObjectLockMode).toBe('COMPLIANCE')
    expect(head.ObjectLockLegalHoldStatus).toBe('ON')
    await expect(st.put('cases/INC-S3/runs/r/big.bin', Readable.from(body()))).rejects.toBeInstanceOf(EvidenceExistsError)
  })

  it('keeps nothing when the bytes do not hash as expected, single part or multipart', async () => {
    const st = new S3EvidenceStore({client: rawS3(), bucket: BUCKET, partSize: 5 * 1024 * 1024, ownsClient: true})
    opened.push(st)
    const wrong = sha('something else')
    await expect(st.put('cases/INC-S3/runs/r/small.bin', 'payload', {expectSha256: wrong})).rejects.toBeInstanceOf(EvidenceHashMismatchError)
    await expect(st.put('cases/INC-S3/runs/r/large.bin', randomBytes(12 * 1024 * 1024), {expectSha256: wrong})).rejects.toBeInstanceOf(EvidenceHashMismatchError)
    const versions = await s3.send(new ListObjectVersionsCommand({Bucket: BUCKET, Prefix: 'cases/'}))
    expect(versions.Versions ?? []).toEqual([])
    const uploads = await s3.send(new ListMultipartUploadsCommand({Bucket: BUCKET}))
    expect(uploads.Uploads ?? []).toEqual([])
  })

  it('never sends x-amz-bypass-governance-retention, whatever it does', async () => {
    await s3.send(new CreateBucketCommand({Bucket: 'gov-bucket', ObjectLockEnabledForBucket: true}))
    const client = new S3Client({endpoint: motoEndpoint(), forcePathStyle: true, region: 'us-east-1', credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}, maxAttempts: 1})
    const headers: string[] = []
    client.middlewareStack.add((next) => async (args) => {
      const req = args.request as {headers?: Record<string, string>}
      headers.push(...Object.keys(req.headers ?? {}).map((h) => h.toLowerCase()))
      return next(args)
    }, {step: 'finalizeRequest'})
    const st = new S3EvidenceStore({client, bucket: 'gov-bucket', lockMode: 'GOVERNANCE', retainDays: 1, ownsClient: true})
    opened.push(st)
    const {artifacts} = await writeRun(st)
    await verifyCase(st, 'INC-S3')
    await st.setLegalHold(artifacts[0]!.key, artifacts[0]!.versionId, true)
    await st.setLegalHold(artifacts[0]!.key, artifacts[0]!.versionId, false)
    expect(headers).toContain('x-amz-object-lock-mode')
    expect(headers).toContain('if-none-match')
    expect(headers).not.toContain('x-amz-bypass-governance-retention')
  })
})
