import {CoronerError} from '../core/errors.js'
import type {Readable} from 'node:stream'
import type {ManifestSigner} from './signing.js'

/** What may be written: bytes, text, or a stream of bytes (never buffered whole by a store). */
export type BodySource = Uint8Array | string | Readable | AsyncIterable<Uint8Array>

export interface PutOptions {
  contentType?: string
  /** Small string metadata: source ARN, collector, collection time. Stored with the object where the store can. */
  metadata?: Record<string, string>
  /** Expected SHA-256 (hex); the write fails and nothing is kept when the bytes differ. */
  expectSha256?: string
}

/** A written object, as the store saw it. */
export interface StoredObject {
  key: string
  sha256: string
  size: number
  versionId?: string
}

/** Retention as the store reports it (S3 Object Lock); absent for stores without one. */
export interface LockState {
  mode?: 'COMPLIANCE' | 'GOVERNANCE'
  retainUntil?: string
  legalHold?: boolean
}

/** One listed object or object version; a key's versions are listed newest first. */
export interface ObjectInfo {
  key: string
  size: number
  /**
   * What a local store found at the key when it is not a regular file: a symbolic link (never
   * followed: the key names the link itself, which may stand for a whole folder) or something
   * else (a pipe, a socket, a device). Absent for regular files and for every S3 object.
   */
  fileType?: 'symlink' | 'special'
  /** Permission bits of a local file (e.g. 0o444); absent where the store has none. */
  mode?: number
  versionId?: string
  /** False for versions that a newer version or a delete marker lies over. */
  isLatest?: boolean
  deleteMarker?: boolean
  lastModified?: string
}

/** An append-only journal; each line is durable once `append` resolves. */
export interface JournalWriter {
  /** Appends lines in order, in one write where the store can (one sync of a file, one S3 object), each durable once it resolves. */
  append(...lines: string[]): Promise<void>
  /** Closes the journal; no line can be added after. */
  close(): Promise<void>
}

/** A finding of a store-specific check, such as a missing Object Lock. */
export interface StoreIssue {
  key: string
  code: string
  message: string
}

/**
 * Where evidence lives. Every object is written once: a second write of the same key is refused
 * with EvidenceExistsError, never silently replaces the first. Hashes are computed while streaming.
 */
export interface EvidenceStore {
  readonly kind: 'local' | 's3'
  /** `file:///…` or `s3://bucket/prefix`, for people and the manifest. */
  readonly location: string
  /** What this store can and cannot promise, in one sentence, recorded in every manifest. */
  readonly guarantee: {immutable: boolean; note: string}
  put(key: string, body: BodySource, options?: PutOptions): Promise<StoredObject>
  get(key: string, versionId?: string): Promise<Readable>
  /**
   * `length` bytes of an object from byte `start` (fewer at its end): random access for readers of
   * archives (a zip's central directory is at its end), without downloading or copying the object.
   */
  readRange(key: string, start: number, length: number, versionId?: string): Promise<Buffer>
  exists(key: string): Promise<boolean>
  /** Every object under `prefix` (and, where the store keeps them, every version and delete marker). */
  list(prefix: string): AsyncIterable<ObjectInfo>
  openJournal(key: string): Promise<JournalWriter>
  /**
   * The lines of a journal exactly as stored, whether or not it was closed: split at `\n` only,
   * each line yielded with its `\n` (absent only from a last line cut short); a `\r`, a blank
   * line, anything another tool changed, is kept for the reader to see.
   */
  readJournal(key: string): AsyncIterable<string>
  /** Store-specific checks of one evidence object (lock mode, retention), run by verify. */
  checkObject?(key: string, versionId: string | undefined): Promise<StoreIssue[]>
  /** Places or lifts a legal hold on one object version, where the store has legal holds. */
  setLegalHold?(key: string, versionId: string | undefined, on: boolean): Promise<void>
  /** Facts about how this store wrote, known after the first write, recorded in the manifest. */
  readonly storeAttributes?: {allowUnlocked?: boolean}
  /** Signs every manifest sealed into this store, when the user turned signing on for it (docs/evidence-format.md). */
  readonly signer?: ManifestSigner
  close(): Promise<void>
}

/** One object (a version of it, on S3) read whole as bytes: for manifests, signatures and other small records. */
export async function readObject(store: Pick<EvidenceStore, 'get'>, key: string, versionId?: string): Promise<Buffer> {
  return (await readUpTo(store, key, versionId, Infinity)) as Buffer
}

/**
 * An object's bytes in memory when it ends within `max` bytes (written by a store in one call),
 * else a stream of every byte, those read so far first: memory stays bounded whatever the object's
 * real size, which may not be the size recorded.
 */
export async function readUpTo(store: Pick<EvidenceStore, 'get'>, key: string, versionId: string | undefined, max: number): Promise<Buffer | AsyncIterable<Uint8Array>> {
  const iterator = (await store.get(key, versionId))[Symbol.asyncIterator]()
  const chunks: Buffer[] = []
  let size = 0
  for (;;) {
    const next = await iterator.next()
    if (next.done) return Buffer.concat(chunks)
    const value = next.value as Uint8Array
    const chunk = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    chunks.push(chunk)
    size += chunk.length
    if (size > max) break
  }
  return (async function* () {
    try {
      yield* chunks
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value as Uint8Array
    } finally {
      await iterator.return?.()
    }
  })()
}

export class EvidenceExistsError extends CoronerError {
  readonly key: string
  constructor(key: string, cause?: unknown) {
    super('evidence-exists', `Evidence object ${key} already exists; it is never overwritten.`, {
      hint: 'Start a new run (each run writes under its own prefix) instead of writing the same key again.',
      cause,
    })
    this.name = 'EvidenceExistsError'
    this.key = key
  }
}

export class EvidenceHashMismatchError extends CoronerError {
  readonly key: string
  constructor(key: string, readonly expected: string, readonly actual: string) {
    super('hash-mismatch', `Bytes for ${key} hash to ${actual}, expected ${expected}; not stored.`)
    this.name = 'EvidenceHashMismatchError'
    this.key = key
  }
}
