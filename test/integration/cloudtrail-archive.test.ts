import {createHash} from 'node:crypto'
import {readFile, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {gunzipSync, gzipSync} from 'node:zlib'
import {CreateBucketCommand, PutBucketPolicyCommand, PutObjectCommand, S3Client} from '@aws-sdk/client-s3'
import {beforeEach, describe, expect, it, onTestFinished} from 'vitest'
import {AwsClientFactory} from '../../src/aws/client-factory.js'
import {collectCloudTrail, importCloudTrail, validateCloudTrail} from '../support/cloudtrail-steps.js'
import {loadPublicKeyFile} from '../../src/collectors/cloudtrail-keys.js'
import {LocalDirectoryStore} from '../../src/evidence/stores/local.js'
import type {Manifest} from '../../src/evidence/manifest.js'
import {verifyCase} from '../../src/evidence/verify.js'
import {deliveryFile, digestChain, logFileKey, rsaKeyPair, writeArchive, type ArchiveFile} from '../support/cloudtrail-archive.js'
import {fixturesDir} from '../support/cloudtrail-fixtures.js'
import {testContext} from '../support/context.js'
import {startFakeCloudTrail} from '../support/fake-cloudtrail.js'
import {motoAws, resetMoto} from '../support/moto.js'
import {tempDir} from '../support/temp.js'

const A = '111122223333'
const fixture = (dir: string, name: string): Promise<Buffer> => readFile(path.join(fixturesDir, dir, name))
const stratus = async (name: string): Promise<Array<Record<string, unknown>>> => JSON.parse((await fixture('datadog_stratus-red-team_detonation-logs', `${name}.json`)).toString('utf8')) as Array<Record<string, unknown>>
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

async function newStore() {
  const dir = await tempDir()
  const store = new LocalDirectoryStore(path.join(dir, 'store'))
  const manifest = async (key: string): Promise<Manifest> => JSON.parse(await readFile(path.join(dir, 'store', ...key.split('/')), 'utf8')) as Manifest
  const journal = async (m: Manifest): Promise<Array<Record<string, unknown>>> =>
    (await readFile(path.join(dir, 'store', ...m.journal.key.split('/')), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
  const object = (key: string): Promise<Buffer> => readFile(path.join(dir, 'store', ...key.split('/')))
  return {dir, store, manifest, journal, object}
}

/** A log file that fails to parse in a way that names it: any read of it shows up as a gap. */
const trap = (): Buffer => gzipSync(Buffer.from('{"Records": [')).subarray(0, 20)

describe('collect cloudtrail --archive (local folder laid out like the S3 archive)', () => {
  it('lists only the account, region and days asked for, stores delivery files byte for byte, names malformed files', async () => {
    const root = await tempDir()
    const good: ArchiveFile[] = [
      {key: logFileKey(A, 'us-east-1', new Date('2026-11-19T10:05:00Z'), 'aaaa'), bytes: deliveryFile([...(await stratus('aws.persistence.lambda-backdoor-function')), ...(await stratus('aws.persistence.iam-create-admin-user'))])},
      {key: logFileKey(A, 'us-east-1', new Date('2026-11-19T12:10:00Z'), 'bbbb'), bytes: await fixture('aws_cloudtrail-processing-library_fixtures', 'SerializerTestFileCompact.json.gz')},
      {key: logFileKey(A, 'us-east-1', new Date('2026-11-19T23:55:00Z'), 'cccc'), bytes: gzipSync(await fixture('zmallen_cloudtrail2sightings', 'extracted/aws.credential-access.secretsmanager-retrieve-secrets.json'))},
      // Delivered after --until but within the delivery lag: may hold events of the window.
      {key: logFileKey(A, 'us-east-1', new Date('2026-11-20T00:20:00Z'), 'dddd'), bytes: deliveryFile(await stratus('aws.defense-evasion.cloudtrail-delete'))},
    ]
    const noTime = await stratus('aws.persistence.iam-create-admin-user')
    delete noTime[1]!.eventTime
    const bad: ArchiveFile[] = [
      {key: logFileKey(A, 'us-east-1', new Date('2026-11-19T13:00:00Z'), 'trunc'), bytes: good[0]!.bytes.subarray(0, Math.floor(good[0]!.bytes.length / 2))},
      {key: logFileKey(A, 'us-east-1', new Date('2026-11-19T14:00:00Z'), 'badjson'), bytes: gzipSync(await fixture('zmallen_cloudtrail2sightings', 'extracted/aws.execution.ec2-user-data.json'))},
      {key: logFileKey(A, 'us-east-1', new Date('2026-11-19T15:00:00Z'), 'notime'), bytes: deliveryFile(noTime)},
    ]
    const traps: ArchiveFile[] = [
      {key: logFileKey(A, 'us-east-1', new Date('2026-11-20T05:00:00Z'), 'late'), bytes: trap()},
      {key: logFileKey(A, 'us-east-1', new Date('2026-11-18T23:00:00Z'), 'early'), bytes: trap()},
      {key: logFileKey(A, 'eu-west-1', new Date('2026-11-19T10:00:00Z'), 'region'), bytes: trap()},
      {key: logFileKey('444455556666', 'us-east-1', new Date('2026-11-19T10:00:00Z'), 'account', 'o-abcdefghij'), bytes: trap()},
    ]
    await writeArchive(root, [...good, ...bad, ...traps])
    const {store, manifest, object} = await newStore()
    const result = await collectCloudTrail(testContext(store), 'INC-ARCH', {
      mode: 'archive',
      location: root,
      since: new Date('2026-11-19T00:00:00Z'),
      until: new Date('2026-11-19T23:30:00Z'),
      accounts: [A],
      regions: ['us-east-1'],
    })

    expect(result.archive!.listedPrefixes).toEqual([`AWSLogs/${A}/CloudTrail/us-east-1/2026/11/19/`, `AWSLogs/${A}/CloudTrail/us-east-1/2026/11/20/`])
    expect(result.archive!.files).toBe(good.length + bad.length)
    expect(result.status).toBe('partial')
    const m = await manifest(result.manifestKey)
    const delivered = m.artifacts.filter((a) => a.kind === 'cloudtrail.delivery-file')
    expect(delivered.map((a) => a.attributes!.archiveKey).sort()).toEqual(good.map((g) => g.key).sort())
    for (const a of delivered) {
      const original = good.find((g) => g.key === a.attributes!.archiveKey)!
      expect(a.sha256).toBe(sha(original.bytes))
      expect(Buffer.compare(await object(a.key), original.bytes)).toBe(0)
      expect(a.records).toBe((JSON.parse(gunzipSync(original.bytes).toString('utf8')) as {Records: unknown[]}).Records.length)
      expect(a.attributes!.uncompressedSha256).toBe(sha(gunzipSync(original.bytes)))
    }
    expect(m.gaps).toBe(3)
    const kept = m.artifacts.filter((a) => a.kind === 'file.added')
    expect(kept.map((a) => [path.basename(String(a.attributes!.originalPath)), a.attributes!.malformed]).sort()).toEqual([
      [path.basename(bad[1]!.key), 'invalid-json'],
      [path.basename(bad[2]!.key), 'record-without-eventTime'],
      [path.basename(bad[0]!.key), 'truncated-gzip'],
    ].sort())
    expect((await verifyCase(store, 'INC-ARCH')).ok).toBe(true)

    // Without the account and region filters the organisation trail's account and eu-west-1 are listed (and their traps read).
    const wide = await collectCloudTrail(testContext(store), 'INC-ARCH', {mode: 'archive', location: path.join(root, 'AWSLogs'), since: new Date('2026-11-19T00:00:00Z'), until: new Date('2026-11-19T23:30:00Z')})
    expect(wide.archive!.listedPrefixes).toEqual(
      expect.arrayContaining([`AWSLogs/o-abcdefghij/444455556666/CloudTrail/us-east-1/2026/11/19/`, `AWSLogs/${A}/CloudTrail/eu-west-1/2026/11/19/`]),
    )
    expect(wide.gaps).toBe(5)
  })

  it('an abort mid-archive seals what was stored as incomplete', async () => {
    const root = await tempDir()
    const records = await stratus('aws.persistence.iam-create-admin-user')
    const files = Array.from({length: 120}, (_, i) => ({key: logFileKey(A, 'us-east-1', new Date(Date.parse('2026-11-19T00:00:00Z') + i * 60_000), `f${i}`), bytes: deliveryFile(records)}))
    await writeArchive(root, files)
    const {store} = await newStore()
    const controller = new AbortController()
    let advanced = 0
    // The progress reporter is where the test watches the work go by, and pulls the plug.
    const progress = {task: () => ({advance: () => void (++advanced === 10 && controller.abort(new Error('stop'))), setTotal() {}, done() {}})}
    const result = await collectCloudTrail(testContext(store, {signal: controller.signal, progress}), 'INC-ABORT', {mode: 'archive', location: root, since: new Date('2026-11-19T00:00:00Z'), until: new Date('2026-11-19T03:00:00Z'), concurrency: 4})
    expect(result.status).toBe('incomplete')
    expect(result.archive!.stored).toBeGreaterThanOrEqual(10)
    expect(result.archive!.stored).toBeLessThan(120)
    const v = await verifyCase(store, 'INC-ABORT')
    expect(v.ok).toBe(true)
    expect(v.artifacts.filter((a) => a.status === 'ok')).toHaveLength(result.archive!.stored)
  })

  it('imports plain files of every shape into cloudtrail.records, keeping the originals and naming bad files', async () => {
    const dir = await tempDir()
    const array = await fixture('datadog_stratus-red-team_detonation-logs', 'aws.credential-access.secretsmanager-retrieve-secrets.json')
    await writeFile(path.join(dir, 'stratus-array.json'), array)
    await writeFile(path.join(dir, 'lookup-output.json'), await fixture('aws_aws-cli_examples', 'cloudtrail_lookup-events_output.json'))
    await writeFile(path.join(dir, 'delivery.json'), await fixture('aws_cloudtrail-processing-library_fixtures', 'SerializerTestFile.json'))
    await writeFile(path.join(dir, 'compact.json.gz'), await fixture('aws_cloudtrail-processing-library_fixtures', 'SerializerTestFileCompact.json.gz'))
    await writeFile(path.join(dir, 'broken.json'), await fixture('aws_cloudtrail-processing-library_fixtures', 'SerializerTestFileBadJsonFormat.json'))
    const single = path.join(await tempDir(), 'handed-over.json')
    await writeFile(single, await fixture('zmallen_cloudtrail2sightings', 'extracted/aws.exfiltration.ec2-share-ebs-snapshot.json'))
    const {store, manifest, object} = await newStore()

    const result = await importCloudTrail(testContext(store), 'INC-IMP', [dir, single])
    expect(result).toMatchObject({files: 6, converted: 5, malformed: 1, status: 'partial'})
    const m = await manifest(result.manifestKey)
    const records = m.artifacts.filter((a) => a.kind === 'cloudtrail.records')
    const byShape = Object.fromEntries(records.map((a) => [path.basename(a.source), [a.attributes!.shape, a.records]]))
    expect(byShape).toEqual({
      'stratus-array.json': ['array', 21],
      'lookup-output.json': ['lookup-events', 1],
      'delivery.json': ['delivery-file', expect.any(Number)],
      'compact.json.gz': ['delivery-file', expect.any(Number)],
      'handed-over.json': ['delivery-file', 1],
    })
    const lookup = records.find((a) => a.source.endsWith('lookup-output.json'))!
    const line = JSON.parse(gunzipSync(await object(lookup.key)).toString('utf8').trim()) as Record<string, unknown>
    expect(line).toMatchObject({eventName: 'ConsoleLogin', eventID: '654ccbc0-ba0d-486a-9076-dbf7274677a7'})
    const originals = m.artifacts.filter((a) => a.kind === 'file.added')
    expect(originals).toHaveLength(6)
    const arrayOriginal = originals.find((a) => a.source.endsWith('stratus-array.json'))!
    expect(arrayOriginal.sha256).toBe(sha(array))
    expect(m.gaps).toBe(1)
  })
})

describe('CloudTrail digest validation', () => {
  const setupChain = async (opts: {keyPrefix?: string} = {}) => {
    const keys = rsaKeyPair()
    const start = new Date('2026-11-19T08:00:00Z')
    const base = await stratus('aws.persistence.iam-create-backdoor-role')
    const logs = Array.from({length: 8}, (_, i) => {
      const delivered = new Date(start.getTime() + Math.floor(i / 2) * 3_600_000 + (i % 2 === 0 ? 10 : 40) * 60_000)
      const records = base.map((r) => ({...r, eventID: `digest-test-${i}-${String(r.eventID)}`, eventTime: new Date(delivered.getTime() - 120_000).toISOString()}))
      return {key: logFileKey(A, 'eu-west-1', delivered, `log${i}`), bytes: deliveryFile(records), delivered}
    })
    const digests = digestChain({bucket: 'org-trail-logs', account: A, region: 'eu-west-1', trail: 'org-trail', start, hours: 4, logs, privateKey: keys.privateKey, fingerprint: keys.fingerprint, ...(opts.keyPrefix ? {keyPrefix: opts.keyPrefix} : {})})
    const pem = keys.publicKey.export({type: 'pkcs1', format: 'pem'}) as string
    return {keys, logs, digests, publicKey: loadPublicKeyFile(Buffer.from(pem), 'test-key.pem')}
  }

  it('validates an intact signed chain, offline with sidecar signatures', async () => {
    const {keys, logs, digests, publicKey} = await setupChain()
    // A log file delivered late, listed by a backfill digest of its own (a chain apart from the hourly one).
    const late = {key: logFileKey(A, 'eu-west-1', new Date('2026-11-19T09:20:00Z'), 'late'), bytes: logs[0]!.bytes, delivered: new Date('2026-11-19T09:20:00Z')}
    const backfill = digestChain({bucket: 'org-trail-logs', account: A, region: 'eu-west-1', trail: 'org-trail', start: new Date('2026-11-19T09:00:00Z'), hours: 1, logs: [late], privateKey: keys.privateKey, fingerprint: keys.fingerprint, backfill: true})
    const root = await tempDir()
    await writeArchive(root, [...logs, ...digests, late, ...backfill])
    const {store, manifest} = await newStore()
    const {report} = await validateCloudTrail(testContext(store), {location: root, publicKeys: [publicKey]})
    expect(report.findings).toEqual([])
    expect(report.summary).toEqual({digests: 5, validDigests: 5, logFiles: 9, okLogFiles: 9, findings: 0})
    expect(report.digests.filter((d) => d.backfill).map((d) => d.key)).toEqual([backfill[0]!.key])
    expect(report.digests.every((d) => d.signatureSource === 'sidecar' && d.publicKey === publicKey.fingerprint)).toBe(true)

    const collected = await collectCloudTrail(testContext(store), 'INC-DIG', {mode: 'archive', location: root, since: new Date('2026-11-19T08:00:00Z'), until: new Date('2026-11-19T12:00:00Z'), publicKeys: [publicKey]})
    expect(collected.status).toBe('complete')
    expect(collected.validation!.findings).toEqual([])
    const m = await manifest(collected.manifestKey)
    expect(m.artifacts.filter((a) => a.kind === 'cloudtrail.digest')).toHaveLength(5)
    expect(m.artifacts.filter((a) => a.kind === 'cloudtrail.delivery-file')).toHaveLength(9)
    expect(m.artifacts.filter((a) => a.kind === 'cloudtrail.validation')).toHaveLength(1)
  })

  it('reports an altered and a deleted log file, a broken signature, an unsigned digest and a chain break', async () => {
    const {logs, digests, publicKey} = await setupChain()
    const root = await tempDir()
    await writeArchive(root, [...logs, ...digests])
    const file = (key: string): string => path.join(root, ...key.split('/'))
    // Hour 0: log 0 altered (one record's source IP changed). Hour 2: log 5 deleted, digest 2's signature broken.
    const altered = JSON.parse(gunzipSync(logs[0]!.bytes).toString('utf8')) as {Records: Array<Record<string, unknown>>}
    altered.Records[0]!.sourceIPAddress = '203.0.113.66'
    await writeFile(file(logs[0]!.key), gzipSync(Buffer.from(JSON.stringify(altered))))
    await rm(file(logs[5]!.key))
    const sig = digests[2]!.signature!
    await writeFile(`${file(digests[2]!.key)}.signature`, `${sig[0] === 'a' ? 'b' : 'a'}${sig.slice(1)}`)
    // Hour 3's digest loses its signature; hour 1's digest is removed altogether.
    await rm(`${file(digests[3]!.key)}.signature`)
    await rm(file(digests[1]!.key))
    await rm(`${file(digests[1]!.key)}.signature`)

    const {store, manifest, object} = await newStore()
    const {report} = await validateCloudTrail(testContext(store), {location: root, publicKeys: [publicKey]})
    const found = report.findings.map((f) => [f.type, path.basename(f.key)]).sort()
    expect(found).toEqual(
      [
        ['altered', path.basename(logs[0]!.key)],
        ['missing', path.basename(logs[5]!.key)],
        ['bad-signature', path.basename(digests[2]!.key)],
        ['unsigned', path.basename(digests[3]!.key)],
        ['digest-missing', path.basename(digests[1]!.key)],
        ['chain-mismatch', path.basename(digests[3]!.key)],
      ].sort(),
    )

    // The same through collect: the two log files of the removed digest's hour are now listed by no digest.
    const collected = await collectCloudTrail(testContext(store), 'INC-DIG2', {mode: 'archive', location: root, since: new Date('2026-11-19T08:00:00Z'), until: new Date('2026-11-19T12:00:00Z'), publicKeys: [publicKey]})
    const types = collected.validation!.findings.map((f) => f.type)
    expect(types.filter((t) => t === 'not-in-digest')).toHaveLength(2)
    expect(types).toEqual(expect.arrayContaining(['altered', 'missing', 'bad-signature', 'unsigned', 'digest-missing']))
    const m = await manifest(collected.manifestKey)
    const validation = m.artifacts.find((a) => a.kind === 'cloudtrail.validation')!
    const stored = JSON.parse((await object(validation.key)).toString('utf8')) as {findings: unknown[]; logFiles: Array<{status: string}>}
    expect(stored.findings).toHaveLength(collected.validation!.findings.length)
    expect(stored.logFiles.filter((f) => f.status === 'ok')).toHaveLength(4)
  })

  it('fetches the public keys with ListPublicKeys (DER PKCS#1) when none is given, matching by fingerprint', async () => {
    const {keys, logs, digests} = await setupChain()
    const root = await tempDir()
    await writeArchive(root, [...logs, ...digests])
    const der = keys.publicKey.export({type: 'pkcs1', format: 'der'})
    const server = await startFakeCloudTrail({events: {}, publicKeys: [{der, fingerprint: keys.fingerprint, validFrom: new Date('2026-11-01T00:00:00Z'), validTo: new Date('2026-12-01T00:00:00Z')}]})
    onTestFinished(() => server.close())
    const aws = new AwsClientFactory({endpointUrl: server.endpoint, region: 'us-east-1', credentials: {accessKeyId: 'AKIDTEST', secretAccessKey: 'secret'}})
    const {store} = await newStore()
    const {report} = await validateCloudTrail(testContext(store, {aws}), {location: root})
    expect(server.listPublicKeysCalls).toEqual(['eu-west-1'])
    expect(report.publicKeys).toEqual([{fingerprint: keys.fingerprint, source: 'cloudtrail:ListPublicKeys eu-west-1'}])
    expect(report.summary).toMatchObject({digests: 4, validDigests: 4, findings: 0})

    // A published key under another fingerprint is not used: the digests have no key.
    const other = await startFakeCloudTrail({events: {}, publicKeys: [{der, fingerprint: '0'.repeat(32), validFrom: new Date('2026-11-01T00:00:00Z'), validTo: new Date('2026-12-01T00:00:00Z')}]})
    onTestFinished(() => other.close())
    const otherAws = new AwsClientFactory({endpointUrl: other.endpoint, region: 'us-east-1', credentials: {accessKeyId: 'AKIDTEST', secretAccessKey: 'secret'}})
    const again = await validateCloudTrail(testContext(store, {aws: otherAws}), {location: root})
    expect(again.report.digests.map((d) => d.status)).toEqual(['no-public-key', 'no-public-key', 'no-public-key', 'no-public-key'])
  })

  it('takes signatures from a --signatures map, and reports a key that does not match', async () => {
    const {logs, digests, publicKey} = await setupChain()
    const root = await tempDir()
    await writeArchive(root, [...logs, ...digests], false)
    const {store} = await newStore()
    const signatures = Object.fromEntries(digests.map((d) => [path.basename(d.key), d.signature!]))
    const ok = await validateCloudTrail(testContext(store), {location: root, publicKeys: [publicKey], signatures})
    expect(ok.report.findings).toEqual([])
    expect(ok.report.digests.every((d) => d.signatureSource === 'signatures-file')).toBe(true)
    const other = rsaKeyPair()
    const wrongKey = loadPublicKeyFile(other.publicKey.export({type: 'spki', format: 'der'}), 'other.der')
    const bad = await validateCloudTrail(testContext(store), {location: root, publicKeys: [wrongKey], signatures})
    expect(bad.report.digests.map((d) => d.status)).toEqual(['bad-signature', 'bad-signature', 'bad-signature', 'bad-signature'])
  })
})

describe('collect cloudtrail --archive s3:// (moto)', () => {
  beforeEach(resetMoto)

  it('reads the archive from S3 with digest signatures from object metadata, and finds an overwritten log file', async () => {
    const keys = rsaKeyPair()
    const start = new Date('2026-11-19T08:00:00Z')
    const base = await stratus('aws.persistence.lambda-overwrite-code')
    const logs = Array.from({length: 4}, (_, i) => {
      const delivered = new Date(start.getTime() + i * 30 * 60_000 + 5 * 60_000)
      return {key: logFileKey(A, 'us-east-1', delivered, `s3log${i}`), bytes: deliveryFile(base.map((r) => ({...r, eventID: `s3-${i}`}))), delivered}
    })
    const digests = digestChain({bucket: 'trail-archive', account: A, region: 'us-east-1', trail: 't', start, hours: 2, logs, privateKey: keys.privateKey, fingerprint: keys.fingerprint, keyPrefix: 'cloudtrail/'})
    const aws = motoAws('INC-S3')
    const s3 = aws.client(S3Client, 'us-east-1')
    await s3.send(new CreateBucketCommand({Bucket: 'trail-archive'}))
    for (const f of [...logs, ...digests]) {
      await s3.send(
        new PutObjectCommand({
          Bucket: 'trail-archive',
          Key: `cloudtrail/${f.key}`,
          Body: f.bytes,
          ...('signature' in f && f.signature ? {Metadata: {signature: f.signature, 'signature-algorithm': 'SHA256withRSA'}} : {}),
        }),
      )
    }
    const publicKey = loadPublicKeyFile(keys.publicKey.export({type: 'pkcs1', format: 'der'}), 'key.der')
    const {store, manifest} = await newStore()
    const window = {since: new Date('2026-11-19T08:00:00Z'), until: new Date('2026-11-19T10:00:00Z')}
    const clean = await collectCloudTrail(testContext(store, {aws}), 'INC-S3', {mode: 'archive', location: 's3://trail-archive/cloudtrail', ...window, publicKeys: [publicKey]})
    expect(clean.archive).toMatchObject({stored: 4, malformed: 0})
    expect(clean.archive!.listedPrefixes).toEqual([`AWSLogs/${A}/CloudTrail/us-east-1/2026/11/19/`])
    expect(clean.validation!.findings).toEqual([])
    expect(clean.validation!.summary).toMatchObject({digests: 2, validDigests: 2, okLogFiles: 4})
    const m = await manifest(clean.manifestKey)
    expect(m.artifacts.filter((a) => a.kind === 'cloudtrail.delivery-file').map((a) => a.source).sort()).toEqual(logs.map((l) => `s3://trail-archive/cloudtrail/${l.key}`).sort())
    expect(m.artifacts.filter((a) => a.kind === 'cloudtrail.digest').every((a) => a.attributes!.signatureSource === 's3-metadata')).toBe(true)

    await s3.send(new PutObjectCommand({Bucket: 'trail-archive', Key: `cloudtrail/${logs[2]!.key}`, Body: deliveryFile([{...base[0], eventID: 'forged', eventTime: '2026-11-19T09:00:00Z'}])}))
    const tampered = await collectCloudTrail(testContext(store, {aws}), 'INC-S3', {mode: 'archive', location: 's3://trail-archive/cloudtrail', ...window, publicKeys: [publicKey]})
    expect(tampered.validation!.findings.map((f) => [f.type, f.key])).toEqual([['altered', logs[2]!.key]])
  })

  it('records a log file S3 refuses to read as a gap, and collects and validates the others', async () => {
    const keys = rsaKeyPair()
    const start = new Date('2026-11-19T08:00:00Z')
    const base = await stratus('aws.persistence.lambda-overwrite-code')
    const logs = Array.from({length: 3}, (_, i) => {
      const delivered = new Date(start.getTime() + (5 + i * 10) * 60_000)
      return {key: logFileKey(A, 'us-east-1', delivered, `deny${i}`), bytes: deliveryFile(base.map((r) => ({...r, eventID: `deny-${i}`}))), delivered}
    })
    const digests = digestChain({bucket: 'trail-denied', account: A, region: 'us-east-1', trail: 't', start, hours: 1, logs, privateKey: keys.privateKey, fingerprint: keys.fingerprint})
    const aws = motoAws('INC-DENY')
    const s3 = aws.client(S3Client, 'us-east-1')
    await s3.send(new CreateBucketCommand({Bucket: 'trail-denied'}))
    for (const f of [...logs, ...digests]) {
      const Metadata = 'signature' in f && f.signature ? {signature: f.signature, 'signature-algorithm': 'SHA256withRSA'} : undefined
      await s3.send(new PutObjectCommand({Bucket: 'trail-denied', Key: f.key, Body: f.bytes, ...(Metadata ? {Metadata} : {})}))
    }
    // As a KMS key policy or a bucket policy may refuse one object of an archive.
    const Policy = JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::trail-denied/${logs[1]!.key}`}]})
    await s3.send(new PutBucketPolicyCommand({Bucket: 'trail-denied', Policy}))
    const publicKey = loadPublicKeyFile(keys.publicKey.export({type: 'pkcs1', format: 'der'}), 'key.der')
    const {store, manifest, journal} = await newStore()
    const window = {since: new Date('2026-11-19T08:00:00Z'), until: new Date('2026-11-19T09:00:00Z')}
    const result = await collectCloudTrail(testContext(store, {aws}), 'INC-DENY', {mode: 'archive', location: 's3://trail-denied', ...window, publicKeys: [publicKey]})
    expect(result.status).toBe('partial')
    expect(result.archive).toMatchObject({files: 3, stored: 2})
    expect(result.validation!.findings).toEqual([])
    expect(result.validation!.summary).toMatchObject({validDigests: 1, logFiles: 3, okLogFiles: 2})
    const m = await manifest(result.manifestKey)
    expect(m.artifacts.filter((a) => a.kind === 'cloudtrail.delivery-file').map((a) => a.source).sort()).toEqual([logs[0]!.key, logs[2]!.key].map((k) => `s3://trail-denied/${k}`))
    const gaps = (await journal(m)).filter((e) => e.type === 'gap').map((e) => e.gap as {code: string; resource: string; reason: string})
    const denied = expect.objectContaining({code: 'access-denied', resource: `s3://trail-denied/${logs[1]!.key}`, reason: expect.stringContaining('s3:GetObject')})
    expect(gaps).toEqual([denied, denied])
  })
})
