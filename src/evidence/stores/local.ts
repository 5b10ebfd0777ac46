import {constants, createReadStream} from 'node:fs'
import {chmod, link, lstat, mkdir, open, readdir, unlink, type FileHandle} from 'node:fs/promises'
import path from 'node:path'
import {randomBytes} from 'node:crypto'
import {pipeline} from 'node:stream/promises'
import type {Readable} from 'node:stream'
import {CoronerError} from '../../core/errors.js'
import {HashingStream, sha256Hex, toReadable} from '../hashing.js'
import {assertSafeKey} from '../keys.js'
import {splitLines} from '../ndjson.js'
import type {ManifestSigner} from '../signing.js'
import {storeWriteError} from './local-root.js'
import {
  EvidenceExistsError,
  EvidenceHashMismatchError,
  type BodySource,
  type EvidenceStore,
  type JournalWriter,
  type ObjectInfo,
  type PutOptions,
  type StoredObject,
} from '../store.js'

const READ_ONLY = 0o444
const PARTIAL = '.partial-'
/** Evidence is read from regular files only: a symbolic link at the key is refused, never followed. */
const READ_NO_FOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW

export interface LocalStoreOptions {
  /** Signs every manifest sealed into the store (docs/evidence-format.md). */
  signer?: ManifestSigner
}

/**
 * Evidence in a directory: the embedded default. Each object is streamed into a private temporary
 * file, hashed on the way, synced to disk, made read-only and then hard-linked to its final name,
 * which fails if the name exists: an object appears whole or not at all and is never replaced.
 * A local disk is not WORM; verify detects changes, it cannot prevent them.
 */
export class LocalDirectoryStore implements EvidenceStore {
  readonly kind = 'local' as const
  readonly root: string
  readonly location: string
  readonly guarantee = {
    immutable: false,
    note: 'Local directory: files are written once and made read-only, and every change is detectable by verify, but a local disk cannot prevent deletion or alteration.',
  }

  readonly signer?: ManifestSigner

  constructor(root: string, options: LocalStoreOptions = {}) {
    this.root = path.resolve(root)
    this.location = `file://${this.root}`
    if (options.signer) this.signer = options.signer
  }

  /** Makes a folder of the store, a refusal by the file system named with the store and the fix. */
  private async makeDir(dir: string): Promise<void> {
    await mkdir(dir, {recursive: true}).catch((error: unknown) => {
      throw storeWriteError(this.root, error)
    })
  }

  private pathOf(key: string): string {
    return path.join(this.root, ...assertSafeKey(key).split('/'))
  }

  async put(key: string, body: BodySource, options: PutOptions = {}): Promise<StoredObject> {
    const finalPath = this.pathOf(key)
    await this.makeDir(path.dirname(finalPath))
    if (await exists(finalPath)) throw new EvidenceExistsError(key)
    const tmp = `${finalPath}${PARTIAL}${randomBytes(4).toString('hex')}`
    try {
      const {sha256, size} = await writeSynced(tmp, body)
      if (options.expectSha256 !== undefined && options.expectSha256 !== sha256) {
        throw new EvidenceHashMismatchError(key, options.expectSha256, sha256)
      }
      await chmod(tmp, READ_ONLY)
      try {
        await link(tmp, finalPath)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new EvidenceExistsError(key, error)
        throw error
      }
      return {key, sha256, size}
    } finally {
      await unlink(tmp).catch(() => {})
    }
  }

  async get(key: string): Promise<Readable> {
    return (await this.openEvidence(key)).createReadStream()
  }

  /** Opens an evidence file for reading; a missing file is evidence-missing, a symbolic link is refused. */
  private async openEvidence(key: string): Promise<FileHandle> {
    return open(this.pathOf(key), READ_NO_FOLLOW).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ELOOP') throw new CoronerError('evidence-link', `Evidence object ${key} in ${this.location} is a symbolic link; evidence is never read through a link.`, {cause: error, hint: 'Run `coroner evidence verify` on the store: a local store holds regular files only.'})
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') throw new CoronerError('evidence-missing', `Evidence object ${key} is missing from ${this.location}.`, {cause: error})
      throw error
    })
  }

  async readRange(key: string, start: number, length: number): Promise<Buffer> {
    const handle = await this.openEvidence(key)
    try {
      const buffer = Buffer.alloc(length)
      let filled = 0
      while (filled < length) {
        const {bytesRead} = await handle.read(buffer, filled, length - filled, start + filled)
        if (bytesRead === 0) break
        filled += bytesRead
      }
      return filled === length ? buffer : buffer.subarray(0, filled)
    } finally {
      await handle.close()
    }
  }

  async exists(key: string): Promise<boolean> {
    return exists(this.pathOf(key))
  }

  /**
   * Every file under `prefix`, links never followed: a symbolic link (to a file or a folder) or a
   * special file is listed as what it is. A folder of the prefix itself that is a link is listed
   * so, and nothing under it.
   */
  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const base = prefix.replace(/\/$/, '')
    const parts = base === '' ? [] : base.split('/')
    for (let i = 1; i <= parts.length; i++) {
      const key = parts.slice(0, i).join('/')
      const s = await lstat(this.pathOf(key)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined
        throw error
      })
      if (s === undefined) return
      if (s.isSymbolicLink()) return yield {key, size: s.size, fileType: 'symlink', lastModified: s.mtime.toISOString()}
      if (!s.isDirectory()) return
    }
    yield* walk(this.root, base === '' ? this.root : this.pathOf(base))
  }

  async openJournal(key: string): Promise<JournalWriter> {
    const p = this.pathOf(key)
    await this.makeDir(path.dirname(p))
    const handle = await open(p, 'ax', 0o600).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') throw new EvidenceExistsError(key, error)
      throw storeWriteError(this.root, error)
    })
    let closed = false
    return {
      async append(...lines) {
        if (closed) throw new CoronerError('journal-closed', `Journal ${key} is closed.`)
        if (lines.length === 0) return
        await handle.appendFile(lines.map((line) => `${line}\n`).join(''), 'utf8')
        await handle.datasync()
      },
      async close() {
        if (closed) return
        closed = true
        await handle.close()
        await chmod(p, READ_ONLY)
      },
    }
  }

  async *readJournal(key: string): AsyncIterable<string> {
    if (!(await exists(this.pathOf(key)))) return
    yield* splitLines((await this.openEvidence(key)).createReadStream())
  }

  async close(): Promise<void> {}
}

/**
 * Writes a new private file and forces its bytes to disk, so that a power cut after `put` resolves
 * cannot lose them; returns the SHA-256 and size of what was written. Bytes in memory (nearly every
 * artifact) are written in one call; a stream is hashed on its way to the file.
 */
async function writeSynced(p: string, body: BodySource): Promise<{sha256: string; size: number}> {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body
    const handle = await open(p, 'wx', 0o600)
    try {
      await handle.writeFile(bytes)
      await handle.sync()
    } finally {
      await handle.close()
    }
    return {sha256: sha256Hex(bytes), size: bytes.byteLength}
  }
  const hasher = new HashingStream()
  // Opened before the copy starts: a write stream opens its file on its own time, and a source that
  // failed first would leave the file created after the caller had removed it.
  // The stream closes the handle when it ends or fails.
  await pipeline(toReadable(body), hasher, (await open(p, 'wx', 0o600)).createWriteStream())
  const handle = await open(p, 'r+')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
  return {sha256: hasher.digest(), size: hasher.size}
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
}

async function* walk(root: string, dir: string): AsyncIterable<ObjectInfo> {
  let entries
  try {
    entries = await readdir(dir, {withFileTypes: true})
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return
    throw error
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const entry of entries) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) {
      yield* walk(root, full)
      continue
    }
    const s = await lstat(full)
    yield {
      key: path.relative(root, full).split(path.sep).join('/'),
      size: s.size,
      lastModified: s.mtime.toISOString(),
      ...(s.isSymbolicLink() ? {fileType: 'symlink' as const} : s.isFile() ? {mode: s.mode & 0o7777} : {fileType: 'special' as const}),
    }
  }
}
