import {Readable} from 'node:stream'
import {sha256Hex, toReadable} from '../hashing.js'
import {EvidenceExistsError, EvidenceHashMismatchError, type BodySource, type EvidenceStore, type JournalWriter, type ObjectInfo, type PutOptions, type StoredObject} from '../store.js'

/**
 * A store that keeps its objects in memory for as long as it is open: for work that checks
 * without recording (`validate cloudtrail` without a case), so it runs through the same run and
 * step machinery as work that records. Nothing outlives the process.
 */
export class MemoryStore implements EvidenceStore {
  readonly kind = 'local' as const
  readonly location = 'memory:'
  readonly guarantee = {immutable: false, note: 'In memory: nothing is kept after the command ends.'}
  private readonly objects = new Map<string, Buffer>()
  private readonly journals = new Map<string, string[]>()

  async put(key: string, body: BodySource, options: PutOptions = {}): Promise<StoredObject> {
    if (this.objects.has(key)) throw new EvidenceExistsError(key)
    const chunks: Buffer[] = []
    for await (const chunk of toReadable(body)) chunks.push(Buffer.from(chunk as Uint8Array))
    const bytes = Buffer.concat(chunks)
    const sha256 = sha256Hex(bytes)
    const size = bytes.length
    if (options.expectSha256 !== undefined && options.expectSha256 !== sha256) throw new EvidenceHashMismatchError(key, options.expectSha256, sha256)
    this.objects.set(key, bytes)
    return {key, sha256, size}
  }

  async get(key: string): Promise<Readable> {
    const bytes = this.objects.get(key)
    if (bytes === undefined) throw Object.assign(new Error(`No object ${key} in memory`), {name: 'NoSuchKey'})
    return Readable.from([bytes])
  }

  async readRange(key: string, start: number, length: number): Promise<Buffer> {
    const bytes = this.objects.get(key)
    if (bytes === undefined) throw Object.assign(new Error(`No object ${key} in memory`), {name: 'NoSuchKey'})
    return bytes.subarray(start, start + length)
  }

  async exists(key: string): Promise<boolean> {
    return this.objects.has(key) || this.journals.has(key)
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const sizes = new Map<string, number>([...this.objects].map(([k, b]) => [k, b.length]))
    for (const [k, lines] of this.journals) sizes.set(k, lines.join('\n').length)
    for (const key of [...sizes.keys()].sort()) if (key.startsWith(prefix)) yield {key, size: sizes.get(key)!}
  }

  async openJournal(key: string): Promise<JournalWriter> {
    if (this.journals.has(key) || this.objects.has(key)) throw new EvidenceExistsError(key)
    const lines: string[] = []
    this.journals.set(key, lines)
    return {append: async (...added) => void lines.push(...added), close: async () => {}}
  }

  async *readJournal(key: string): AsyncIterable<string> {
    for (const line of this.journals.get(key) ?? []) yield `${line}\n`
  }

  async close(): Promise<void> {
    this.objects.clear()
    this.journals.clear()
  }
}
