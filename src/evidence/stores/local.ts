import {createReadStream, createWriteStream} from 'node:fs'
import {chmod, link, lstat, mkdir, open, readdir, stat, unlink} from 'node:fs/promises'
import path from 'node:path'
import {randomBytes} from 'node:crypto'
import {pipeline} from 'node:stream/promises'
import type {Readable} from 'node:stream'
import {createInterface} from 'node:readline'
import {CoronerError} from '../../core/errors.js'
import {HashingStream, toReadable} from '../hashing.js'
import {assertSafeKey} from '../keys.js'
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

  constructor(root: string) {
    this.root = path.resolve(root)
    this.location = `file://${this.root}`
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
    const hasher = new HashingStream()
    try {
      await pipeline(toReadable(body), hasher, createWriteStream(tmp, {flags: 'wx', mode: 0o600}))
      await syncFile(tmp)
      const sha256 = hasher.digest()
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
      return {key, sha256, size: hasher.size}
    } finally {
      await unlink(tmp).catch(() => {})
    }
  }

  async get(key: string): Promise<Readable> {
    const p = this.pathOf(key)
    await stat(p).catch((error: NodeJS.ErrnoException) => {
      throw new CoronerError('evidence-missing', `Evidence object ${key} is missing from ${this.location}.`, {
        cause: error,
      })
    })
    return createReadStream(p)
  }

  async readRange(key: string, start: number, length: number): Promise<Buffer> {
    const handle = await open(this.pathOf(key), 'r').catch((error: NodeJS.ErrnoException) => {
      throw new CoronerError('evidence-missing', `Evidence object ${key} is missing from ${this.location}.`, {cause: error})
    })
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

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const base = prefix.replace(/\/$/, '')
    const start = base === '' ? this.root : this.pathOf(base)
    yield* walk(this.root, start)
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
      async append(line) {
        if (closed) throw new CoronerError('journal-closed', `Journal ${key} is closed.`)
        await handle.appendFile(`${line}\n`, 'utf8')
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
    const p = this.pathOf(key)
    if (!(await exists(p))) return
    const lines = createInterface({input: createReadStream(p, 'utf8'), crlfDelay: Infinity})
    for await (const line of lines) if (line !== '') yield line
  }

  async close(): Promise<void> {}
}

/** Forces a file's bytes to disk, so that a power cut after `put` resolves cannot lose them. */
async function syncFile(p: string): Promise<void> {
  const handle = await open(p, 'r+')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
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
    if (entry.isDirectory()) yield* walk(root, full)
    else {
      const s = await lstat(full)
      yield {
        key: path.relative(root, full).split(path.sep).join('/'),
        size: s.size,
        lastModified: s.mtime.toISOString(),
      }
    }
  }
}
