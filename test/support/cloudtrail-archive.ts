import {createHash, generateKeyPairSync, sign, type KeyObject} from 'node:crypto'
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {gunzipSync, gzipSync} from 'node:zlib'

export interface ArchiveFile {
  key: string
  bytes: Buffer
  /** For digests: the hex signature CloudTrail keeps in the object's metadata. */
  signature?: string
}

const stamp = (d: Date, seconds = false): string => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '').slice(0, seconds ? 15 : 13) + 'Z'
const ymd = (d: Date): string => d.toISOString().slice(0, 10).replace(/-/g, '/')

/** The key CloudTrail delivers a log file under. */
export function logFileKey(account: string, region: string, delivered: Date, unique: string, orgId?: string): string {
  return `AWSLogs/${orgId ? `${orgId}/` : ''}${account}/CloudTrail/${region}/${ymd(delivered)}/${account}_CloudTrail_${region}_${stamp(delivered)}_${unique}.json.gz`
}

/** A delivery file: `{"Records": [...]}`, gzip-compressed. */
export function deliveryFile(records: unknown[]): Buffer {
  return gzipSync(Buffer.from(JSON.stringify({Records: records})))
}

export function rsaKeyPair(): {privateKey: KeyObject; publicKey: KeyObject; fingerprint: string} {
  const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
  return {privateKey, publicKey, fingerprint: createHash('md5').update(publicKey.export({type: 'pkcs1', format: 'der'})).digest('hex')}
}

/**
 * Hourly digest files over the given log files, signed and chained as CloudTrail does: each digest
 * lists the log files delivered in its hour with the SHA-256 of their inflated bytes, and is signed
 * (SHA256withRSA) over `digestEndTime \n bucket/key \n sha256(inflated digest) \n previous signature`.
 */
export function digestChain(opts: {
  bucket: string
  account: string
  region: string
  trail: string
  start: Date
  hours: number
  logs: Array<{key: string; bytes: Buffer; delivered: Date}>
  privateKey: KeyObject
  fingerprint: string
  keyPrefix?: string
  /** Name the digests `…_backfill.json.gz`, as CloudTrail names digests made late for missed log files. */
  backfill?: boolean
}): ArchiveFile[] {
  const out: ArchiveFile[] = []
  let previous: {key: string; signature: string; hash: string} | undefined
  for (let h = 0; h < opts.hours; h++) {
    const start = new Date(opts.start.getTime() + h * 3_600_000)
    const end = new Date(start.getTime() + 3_600_000)
    const key = `AWSLogs/${opts.account}/CloudTrail-Digest/${opts.region}/${ymd(end)}/${opts.account}_CloudTrail-Digest_${opts.region}_${opts.trail}_${opts.region}_${stamp(end, true)}${opts.backfill ? '_backfill' : ''}.json.gz`
    const logs = opts.logs.filter((l) => l.delivered >= start && l.delivered < end)
    const doc = {
      awsAccountId: opts.account,
      digestStartTime: start.toISOString().replace('.000Z', 'Z'),
      digestEndTime: end.toISOString().replace('.000Z', 'Z'),
      digestS3Bucket: opts.bucket,
      digestS3Object: `${opts.keyPrefix ?? ''}${key}`,
      digestPublicKeyFingerprint: opts.fingerprint,
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: end.toISOString().replace('.000Z', 'Z'),
      oldestEventTime: start.toISOString().replace('.000Z', 'Z'),
      previousDigestS3Bucket: previous ? opts.bucket : null,
      previousDigestS3Object: previous ? `${opts.keyPrefix ?? ''}${previous.key}` : null,
      previousDigestHashValue: previous?.hash ?? null,
      previousDigestHashAlgorithm: previous ? 'SHA-256' : null,
      previousDigestSignature: previous?.signature ?? null,
      logFiles: logs.map((l) => ({
        s3Bucket: opts.bucket,
        s3Object: `${opts.keyPrefix ?? ''}${l.key}`,
        hashValue: createHash('sha256').update(gunzipSync(l.bytes)).digest('hex'),
        hashAlgorithm: 'SHA-256',
        newestEventTime: end.toISOString().replace('.000Z', 'Z'),
        oldestEventTime: start.toISOString().replace('.000Z', 'Z'),
      })),
    }
    const inflated = Buffer.from(JSON.stringify(doc))
    const hash = createHash('sha256').update(inflated).digest('hex')
    const toSign = `${doc.digestEndTime}\n${doc.digestS3Bucket}/${doc.digestS3Object}\n${hash}\n${previous?.signature ?? 'null'}`
    const signature = sign('sha256', Buffer.from(toSign), opts.privateKey).toString('hex')
    out.push({key, bytes: gzipSync(inflated), signature})
    previous = {key, signature, hash}
  }
  return out
}

/** Writes files under `root`, digests with a `<key>.signature` sidecar when `sidecars`. */
export async function writeArchive(root: string, files: ArchiveFile[], sidecars = true): Promise<void> {
  for (const f of files) {
    const p = path.join(root, ...f.key.split('/'))
    await mkdir(path.dirname(p), {recursive: true})
    await writeFile(p, f.bytes)
    if (sidecars && f.signature !== undefined) await writeFile(`${p}.signature`, `${f.signature}\n`)
  }
}
