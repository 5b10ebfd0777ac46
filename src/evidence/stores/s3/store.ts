import {asPrefix, parseS3Uri} from '../../../aws/s3-uri.js'
import {createHash} from 'node:crypto'
import {Readable} from 'node:stream'
import {
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectRetentionCommand,
  type HeadObjectCommandOutput,
  type ObjectLockMode,
  type S3Client,
} from '@aws-sdk/client-s3'
import {CoronerError, isNotFound, usageError} from '../../../core/errors.js'
import {PartReader, uploadMultipart} from './multipart.js'
import {assertSafeKey} from '../../keys.js'
import {splitLines} from '../../ndjson.js'
import type {ManifestSigner} from '../../signing.js'
import {
  EvidenceExistsError,
  EvidenceHashMismatchError,
  readObject,
  type BodySource,
  type EvidenceStore,
  type JournalWriter,
  type LockState,
  type ObjectInfo,
  type PutOptions,
  type StoreIssue,
  type StoredObject,
} from '../../store.js'

const MiB = 1024 * 1024
/** S3's smallest part (except the last). */
export const MIN_PART_SIZE = 5 * MiB
const JOURNAL_SEGMENTS = '.d/'
const SEGMENT_DIGITS = 10
/** Journal segments read ahead at once. */
const JOURNAL_READ_AHEAD = 16

export type LockMode = 'COMPLIANCE' | 'GOVERNANCE'

export interface S3StoreOptions {
  client: S3Client
  bucket: string
  /** Key prefix inside the bucket, '' or ending with '/'. */
  prefix?: string
  /** The endpoint is plain HTTP, so a 403 may be the bucket policy's non-TLS deny: said in the hint. */
  plainHttp?: boolean
  /** Write into a bucket without Object Lock (recorded in the manifest). */
  allowUnlocked?: boolean
  /** Put a legal hold on every object written. */
  legalHold?: boolean
  /** KMS key (id, alias or ARN) for SSE-KMS; the bucket's default encryption applies otherwise. */
  kmsKey?: string
  /** Retention for new objects; the bucket's default retention when absent. */
  lockMode?: LockMode
  retainDays?: number
  /** Bytes per multipart part (at least 5 MiB); bodies up to one part go in a single PutObject. */
  partSize?: number
  /** Parts in flight at once; memory is bounded by (queueSize + 1) × partSize. */
  queueSize?: number
  /** Destroy the client on close (when the store made it). */
  ownsClient?: boolean
  /** Signs every manifest sealed into the store (docs/evidence-format.md). */
  signer?: ManifestSigner
  now?: () => Date
}

interface WriteSettings {
  lock?: {mode: LockMode; days: number}
}

/** Splits `s3://bucket/prefix` into the bucket and a prefix that is '' or ends with '/'. */
export function parseS3Location(location: string): {bucket: string; prefix: string} {
  const uri = parseS3Uri(location)
  if (!uri || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(uri.bucket)) {
    throw usageError('invalid-store', `${JSON.stringify(location)} is not a valid S3 store location.`, 'Use s3://bucket or s3://bucket/prefix with a valid bucket name.')
  }
  const prefix = asPrefix(uri.key)
  if (prefix !== '') assertSafeKey(prefix.slice(0, -1))
  return {bucket: uri.bucket, prefix}
}

/**
 * Evidence in an S3 bucket under Object Lock. Every object is written once (`IfNoneMatch: "*"`),
 * with a SHA-256 checksum S3 checks against the hash computed while streaming, an explicit lock
 * mode and retain-until date, an optional legal hold, SSE-KMS when a key is given, and metadata
 * naming its source. Large bodies go through multipart upload with bounded memory. The custody
 * journal is one object per line, since S3 cannot append (docs/s3-store.md).
 */
export class S3EvidenceStore implements EvidenceStore {
  readonly kind = 's3' as const
  readonly location: string
  readonly bucket: string
  readonly prefix: string
  private readonly client: S3Client
  private readonly options: S3StoreOptions
  private readonly partSize: number
  private readonly queueSize: number
  private settings: Promise<WriteSettings> | undefined
  private resolved: WriteSettings | undefined
  private readonly locksSeen = new SeenLocks()
  readonly signer?: ManifestSigner

  constructor(options: S3StoreOptions) {
    this.options = options
    if (options.signer) this.signer = options.signer
    this.client = options.client
    this.bucket = options.bucket
    this.prefix = options.prefix ?? ''
    this.location = `s3://${this.bucket}/${this.prefix}`
    // A 403 without a body (HeadObject, a bucket policy's Deny) reaches the SDK as an unnamed error.
    this.client.middlewareStack.add(
      (next) => async (args) => {
        try {
          return await next(args)
        } catch (error) {
          if ((error as {name?: unknown}).name === 'NoSuchBucket') {
            throw usageError('no-such-bucket', `The evidence bucket ${this.bucket} does not exist (--store ${this.location}).`, `Check the spelling of the bucket, the account and --endpoint-url; create one fit for evidence with \`coroner evidence init --bucket ${this.bucket}\`.`)
          }
          if ((error as {$metadata?: {httpStatusCode?: number}}).$metadata?.httpStatusCode !== 403 || error instanceof CoronerError) throw error
          throw new CoronerError('aws-access', `S3 refused a request on bucket ${this.bucket} (403 ${(error as Error).name}).`, {
            hint: `Check the credentials and the bucket policy; \`coroner permissions --store ${this.location}\` prints what coroner needs.${options.plainHttp ? ' The endpoint is plain HTTP: a bucket policy denying aws:SecureTransport false refuses every request made through it (`coroner evidence init --allow-plain-http` leaves that statement out).' : ''}`,
            cause: error,
          })
        }
      },
      {step: 'initialize', name: 'coronerAccessDenied', override: true},
    )
    this.partSize = Math.max(MIN_PART_SIZE, options.partSize ?? 8 * MiB)
    this.queueSize = Math.max(1, options.queueSize ?? 4)
  }

  get guarantee(): {immutable: boolean; note: string} {
    const lock = this.resolved?.lock
    if (this.resolved && !lock) {
      return {immutable: false, note: `S3 bucket ${this.bucket} has no Object Lock (written with --allow-unlocked): objects are versioned at best and can be deleted; verify detects changes but nothing prevents them.`}
    }
    const how = lock ? `${lock.mode} retention of ${lock.days} day(s)` : 'Object Lock retention'
    return {immutable: true, note: `S3 Object Lock: every object is written once with ${how}${this.options.legalHold ? ' and a legal hold' : ''}; a locked version cannot be deleted or overwritten until its retention ends.`}
  }

  /** Facts a run records in its manifest: whether the bucket was written without Object Lock. */
  get storeAttributes(): {allowUnlocked?: boolean} {
    return this.resolved && !this.resolved.lock ? {allowUnlocked: true} : {}
  }

  private fullKey(key: string): string {
    return `${this.prefix}${assertSafeKey(key)}`
  }

  /** Reads the bucket's Object Lock configuration once, before the first write, and refuses an unlocked bucket. */
  private writeSettings(): Promise<WriteSettings> {
    this.settings ??= this.loadWriteSettings().then((s) => (this.resolved = s))
    return this.settings
  }

  private async loadWriteSettings(): Promise<WriteSettings> {
    let enabled = false
    let mode: string | undefined
    let days: number | undefined
    try {
      const out = await this.client.send(new GetObjectLockConfigurationCommand({Bucket: this.bucket}))
      const cfg = out.ObjectLockConfiguration
      enabled = cfg?.ObjectLockEnabled === 'Enabled'
      const d = cfg?.Rule?.DefaultRetention
      mode = d?.Mode
      days = d?.Days ? d.Days : d?.Years ? d.Years * 365 : undefined
    } catch (error) {
      const name = (error as {name?: string}).name
      // NoSuchBucket is named for every request by the middleware above.
      if (name !== 'ObjectLockConfigurationNotFoundError') throw error
    }
    if (!enabled) {
      if (this.options.allowUnlocked) return {}
      throw new CoronerError('bucket-not-locked', `Bucket ${this.bucket} does not have Object Lock enabled, so evidence written there could be deleted or overwritten.`, {
        hint: `Create an evidence bucket with \`coroner evidence init --bucket NAME\` (or check ${this.bucket} with \`coroner evidence init --bucket ${this.bucket}\`), or pass --allow-unlocked to write anyway; that choice is recorded in the manifest.`,
      })
    }
    const lockMode = this.options.lockMode ?? mode
    const retainDays = this.options.retainDays ?? days
    if ((lockMode !== 'COMPLIANCE' && lockMode !== 'GOVERNANCE') || retainDays === undefined || retainDays <= 0) {
      throw new CoronerError('no-retention', `Bucket ${this.bucket} has Object Lock but no default retention, and none was given.`, {
        hint: `Set a default retention with \`coroner evidence init --bucket ${this.bucket} --apply\`, or pass --lock-mode and --retain-days.`,
      })
    }
    return {lock: {mode: lockMode, days: retainDays}}
  }

  /** Headers every new object carries: lock, legal hold, encryption, metadata, content type. */
  private objectHeaders(settings: WriteSettings, options: PutOptions) {
    const now = (this.options.now ?? (() => new Date()))()
    const lock = settings.lock
    return {
      ...(lock ? {ObjectLockMode: lock.mode as ObjectLockMode, ObjectLockRetainUntilDate: new Date(now.getTime() + lock.days * 86_400_000)} : {}),
      ...(this.options.legalHold && lock ? {ObjectLockLegalHoldStatus: 'ON' as const} : {}),
      ...(this.options.kmsKey === undefined ? {} : {ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: this.options.kmsKey}),
      ...(options.contentType === undefined ? {} : {ContentType: options.contentType}),
      ...(options.metadata === undefined ? {} : {Metadata: asciiMetadata(options.metadata)}),
    }
  }

  /** Bodies up to one part go in one PutObject; larger ones in a multipart upload, streamed. */
  async put(key: string, body: BodySource, options: PutOptions = {}): Promise<StoredObject> {
    const Key = this.fullKey(key)
    const settings = await this.writeSettings()
    const parts = new PartReader(bodyChunks(body), this.partSize, this.queueSize + 1)
    const first = (await parts.next()) ?? Buffer.alloc(0)
    if (await parts.atEnd()) {
      const size = first.length
      const sha256 = createHash('sha256').update(first).digest('hex')
      if (options.expectSha256 !== undefined && options.expectSha256 !== sha256) throw new EvidenceHashMismatchError(key, options.expectSha256, sha256)
      const checksum = Buffer.from(sha256, 'hex').toString('base64')
      const out = await this.guard(key, () => this.client.send(new PutObjectCommand({
        Bucket: this.bucket,
        Key,
        Body: first,
        ContentLength: size,
        IfNoneMatch: '*',
        ChecksumAlgorithm: 'SHA256',
        ChecksumSHA256: checksum,
        ...this.objectHeaders(settings, options),
      })))
      if (out.ChecksumSHA256 !== undefined && out.ChecksumSHA256 !== checksum) {
        throw new CoronerError('checksum-mismatch', `S3 reports SHA-256 ${out.ChecksumSHA256} for ${key}, but coroner sent bytes hashing to ${checksum}.`, {})
      }
      return {key, sha256, size, ...(out.VersionId === undefined ? {} : {versionId: out.VersionId})}
    }
    return this.putMultipart(key, Key, settings, options, first, parts)
  }

  private async putMultipart(key: string, Key: string, settings: WriteSettings, options: PutOptions, first: Buffer, parts: PartReader): Promise<StoredObject> {
    // Fail before sending megabytes when the key is taken; CompleteMultipartUpload checks again.
    const taken = await this.headVersion(Key).catch(async (error: unknown) => {
      await parts.close()
      throw error
    })
    if (taken) {
      await parts.close()
      throw new EvidenceExistsError(key)
    }
    const out = await uploadMultipart(
      {
        client: this.client,
        bucket: this.bucket,
        key: Key,
        headers: this.objectHeaders(settings, options),
        queueSize: this.queueSize,
        beforeComplete: (sha256) => {
          if (options.expectSha256 !== undefined && options.expectSha256 !== sha256) throw new EvidenceHashMismatchError(key, options.expectSha256, sha256)
        },
        complete: (work) => this.guard(key, work),
      },
      first,
      parts,
    )
    await this.ensureLocked(Key, out.versionId, settings)
    return {key, ...out}
  }

  /**
   * Checks that a multipart object came out locked as asked, and sets retention and hold on that
   * version when it did not (some S3 implementations drop lock headers on CreateMultipartUpload).
   */
  private async ensureLocked(Key: string, VersionId: string | undefined, settings: WriteSettings): Promise<void> {
    if (!settings.lock) return
    const head = await this.client.send(new HeadObjectCommand({Bucket: this.bucket, Key, ...(VersionId === undefined ? {} : {VersionId})}))
    const want = this.objectHeaders(settings, {})
    if (!head.ObjectLockMode || !head.ObjectLockRetainUntilDate) {
      await this.client.send(new PutObjectRetentionCommand({
        Bucket: this.bucket,
        Key,
        ...(VersionId === undefined ? {} : {VersionId}),
        Retention: {Mode: settings.lock.mode, RetainUntilDate: want.ObjectLockRetainUntilDate!},
      }))
    }
    if (this.options.legalHold && head.ObjectLockLegalHoldStatus !== 'ON') {
      await this.client.send(new PutObjectLegalHoldCommand({Bucket: this.bucket, Key, ...(VersionId === undefined ? {} : {VersionId}), LegalHold: {Status: 'ON'}}))
    }
  }

  /** Sends a write, turning S3's "precondition failed" into EvidenceExistsError. */
  private async guard<O>(key: string, work: () => Promise<O>): Promise<O> {
    try {
      return await work()
    } catch (error) {
      const e = error as {name?: string; $metadata?: {httpStatusCode?: number}}
      if (e.name === 'PreconditionFailed' || e.$metadata?.httpStatusCode === 412 || e.name === 'ConditionalRequestConflict') throw new EvidenceExistsError(key, error)
      throw error
    }
  }

  private async headVersion(Key: string, VersionId?: string): Promise<HeadObjectCommandOutput | undefined> {
    try {
      return await this.client.send(new HeadObjectCommand({Bucket: this.bucket, Key, ChecksumMode: 'ENABLED', ...(VersionId === undefined ? {} : {VersionId})}))
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  async get(key: string, versionId?: string): Promise<Readable> {
    try {
      const out = await this.client.send(new GetObjectCommand({Bucket: this.bucket, Key: this.fullKey(key), ...(versionId === undefined ? {} : {VersionId: versionId})}))
      if (versionId !== undefined) this.locksSeen.remember(key, versionId, lockStateOf(out))
      return out.Body as Readable
    } catch (error) {
      if (isNotFound(error) || (error as {name?: string}).name === 'InvalidArgument') {
        throw new CoronerError('evidence-missing', `Evidence object ${key}${versionId === undefined ? '' : ` version ${versionId}`} is missing from ${this.location}.`, {cause: error})
      }
      throw error
    }
  }

  async readRange(key: string, start: number, length: number, versionId?: string): Promise<Buffer> {
    if (length <= 0) return Buffer.alloc(0)
    const out = await this.client
      .send(new GetObjectCommand({Bucket: this.bucket, Key: this.fullKey(key), Range: `bytes=${start}-${start + length - 1}`, ...(versionId === undefined ? {} : {VersionId: versionId})}))
      .catch((error: unknown) => {
        // A range starting at or past the end is refused (416): there are no bytes there.
        if ((error as {$metadata?: {httpStatusCode?: number}}).$metadata?.httpStatusCode === 416) return undefined
        if (isNotFound(error)) throw new CoronerError('evidence-missing', `Evidence object ${key}${versionId === undefined ? '' : ` version ${versionId}`} is missing from ${this.location}.`, {cause: error})
        throw error
      })
    if (out === undefined) return Buffer.alloc(0)
    return Buffer.from(await out.Body!.transformToByteArray())
  }

  async exists(key: string): Promise<boolean> {
    return (await this.headVersion(this.fullKey(key))) !== undefined
  }

  /** Every version and delete marker under `prefix`, by key, each key's versions newest first. */
  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let KeyMarker: string | undefined
    let VersionIdMarker: string | undefined
    for (;;) {
      const page = await this.client.send(new ListObjectVersionsCommand({
        Bucket: this.bucket,
        Prefix: `${this.prefix}${prefix}`,
        ...(KeyMarker === undefined ? {} : {KeyMarker}),
        ...(VersionIdMarker === undefined ? {} : {VersionIdMarker}),
      }))
      const items: Array<ObjectInfo & {order: number}> = []
      let order = 0
      for (const v of page.Versions ?? []) {
        items.push({key: v.Key!, size: v.Size ?? 0, ...(v.VersionId === undefined ? {} : {versionId: v.VersionId}), isLatest: v.IsLatest ?? false, deleteMarker: false, ...(v.LastModified ? {lastModified: v.LastModified.toISOString()} : {}), order: order++})
      }
      for (const d of page.DeleteMarkers ?? []) {
        items.push({key: d.Key!, size: 0, ...(d.VersionId === undefined ? {} : {versionId: d.VersionId}), isLatest: d.IsLatest ?? false, deleteMarker: true, ...(d.LastModified ? {lastModified: d.LastModified.toISOString()} : {}), order: order++})
      }
      items.sort((a, b) =>
        a.key < b.key ? -1 : a.key > b.key ? 1 : Number(b.isLatest) - Number(a.isLatest) || (b.lastModified ?? '').localeCompare(a.lastModified ?? '') || a.order - b.order,
      )
      for (const {order: _o, ...info} of items) {
        if (!info.key.startsWith(this.prefix)) continue
        yield {...info, key: info.key.slice(this.prefix.length)}
      }
      if (!page.IsTruncated) return
      KeyMarker = page.NextKeyMarker
      VersionIdMarker = page.NextVersionIdMarker
    }
  }

  /**
   * A journal whose every append is its own object, `<key>.d/<seq>` (one line, or the lines
   * appended together), written once and locked like any artifact: a line is durable as soon as
   * `append` resolves, and nothing is ever rewritten.
   */
  async openJournal(key: string): Promise<JournalWriter> {
    const base = `${key}${JOURNAL_SEGMENTS}`
    for await (const _ of this.list(base)) throw new EvidenceExistsError(key)
    if (await this.exists(key)) throw new EvidenceExistsError(key)
    let seq = 0
    let closed = false
    return {
      append: async (...lines) => {
        if (closed) throw new CoronerError('journal-closed', `Journal ${key} is closed.`)
        if (lines.length === 0) return
        const segment = `${base}${String(++seq).padStart(SEGMENT_DIGITS, '0')}`
        await this.put(segment, lines.map((line) => `${line}\n`).join(''), {contentType: 'application/x-ndjson'})
      },
      close: async () => {
        closed = true
      },
    }
  }

  /**
   * The lines of a journal in order: each segment's original (oldest) version, so a version laid
   * over a segment later does not change what is read; verify reports such overlays. A journal
   * copied in as one object (`<key>` itself) is read when there are no segments.
   */
  async *readJournal(key: string): AsyncIterable<string> {
    const originals = new Map<string, string | undefined>()
    for await (const info of this.list(`${key}${JOURNAL_SEGMENTS}`)) {
      if (!info.deleteMarker) originals.set(info.key, info.versionId)
    }
    const keys = [...originals.keys()].sort()
    if (keys.length === 0) {
      if (!(await this.exists(key))) return
      keys.push(key)
    }
    if (keys[0] === key) return yield* splitLines(await this.get(key))
    // A segment holds a line or a few: a window of them is read at once, yielded in order.
    const window: Array<Promise<Buffer>> = []
    let next = 0
    const fill = (): void => {
      while (window.length < JOURNAL_READ_AHEAD && next < keys.length) {
        const k = keys[next++]!
        const read = readObject(this, k, originals.get(k))
        read.catch(() => {})
        window.push(read)
      }
    }
    fill()
    while (window.length > 0) {
      const bytes = await window.shift()!
      fill()
      yield* splitLines(Readable.from([bytes]))
    }
  }

  /** Lock state of one object version, from HeadObject (GetObjectRetention is not needed). */
  async lockState(key: string, versionId?: string): Promise<LockState | undefined> {
    const head = await this.headVersion(this.fullKey(key), versionId)
    return head ? lockStateOf(head) : undefined
  }

  /**
   * Whether one version is protected. A version just read by `get` carries its lock state in the
   * GetObject response, the same headers HeadObject gives: verify reads each object and then
   * checks its lock, so the check costs no second request.
   */
  async checkObject(key: string, versionId: string | undefined): Promise<StoreIssue[]> {
    const state = (versionId === undefined ? undefined : this.locksSeen.take(key, versionId)) ?? (await this.lockState(key, versionId))
    if (!state) return [{key, code: 'missing', message: `version ${versionId ?? '(latest)'} not found`}]
    if (state.legalHold) return []
    if (!state.mode || !state.retainUntil) return [{key, code: 'no-object-lock', message: 'no Object Lock retention and no legal hold: the version can be deleted'}]
    const now = (this.options.now ?? (() => new Date()))()
    if (new Date(state.retainUntil).getTime() <= now.getTime()) {
      return [{key, code: 'lock-expired', message: `${state.mode} retention ended ${state.retainUntil}: the version can be deleted`}]
    }
    return []
  }

  /** Places or lifts a legal hold on one object version. */
  async setLegalHold(key: string, versionId: string | undefined, on: boolean): Promise<void> {
    if (versionId !== undefined) this.locksSeen.take(key, versionId)
    await this.client.send(new PutObjectLegalHoldCommand({
      Bucket: this.bucket,
      Key: this.fullKey(key),
      ...(versionId === undefined ? {} : {VersionId: versionId}),
      LegalHold: {Status: on ? 'ON' : 'OFF'},
    }))
  }

  async close(): Promise<void> {
    if (this.options.ownsClient) this.client.destroy()
  }
}


/** The lock headers of a GetObject or HeadObject response. */
function lockStateOf(out: Pick<HeadObjectCommandOutput, 'ObjectLockMode' | 'ObjectLockRetainUntilDate' | 'ObjectLockLegalHoldStatus'>): LockState {
  return {
    ...(out.ObjectLockMode === 'COMPLIANCE' || out.ObjectLockMode === 'GOVERNANCE' ? {mode: out.ObjectLockMode} : {}),
    ...(out.ObjectLockRetainUntilDate ? {retainUntil: out.ObjectLockRetainUntilDate.toISOString()} : {}),
    legalHold: out.ObjectLockLegalHoldStatus === 'ON',
  }
}

/** Lock states read along with object versions, each taken once by the lock check that follows; bounded, oldest dropped first. */
class SeenLocks {
  private readonly states = new Map<string, LockState>()
  constructor(private readonly limit = 50_000) {}
  remember(key: string, versionId: string, state: LockState): void {
    if (this.states.size >= this.limit) this.states.delete(this.states.keys().next().value!)
    this.states.set(`${versionId}\n${key}`, state)
  }
  take(key: string, versionId: string): LockState | undefined {
    const id = `${versionId}\n${key}`
    const state = this.states.get(id)
    this.states.delete(id)
    return state
  }
}

/** A body as chunks, pulled only as parts need them: bytes and text as one chunk, streams and iterables as they come. */
function bodyChunks(body: BodySource): AsyncIterable<Uint8Array | string> {
  if (typeof body === 'string' || body instanceof Uint8Array) return (async function* () {
    yield body
  })()
  return body
}

/** S3 user metadata must be ASCII; anything else is percent-encoded so the header is valid. */
function asciiMetadata(meta: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(meta)) out[k] = /^[\x20-\x7E]*$/.test(v) ? v : encodeURIComponent(v)
  return out
}
