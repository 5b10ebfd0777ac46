import {createReadStream} from 'node:fs'
import {mkdtemp, open, rm, type FileHandle} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {createInterface} from 'node:readline'
import {removeOnQuit} from '../core/quit.js'
import type {ArtifactRecord} from './manifest.js'

/**
 * A run's artifact records, in the order written, kept in a temporary file (one JSON line each)
 * rather than in memory: a run of a hundred thousand artifacts holds none of them, and reads them
 * back, twice, as it seals its manifest. The file is the run's working copy only; the journal is
 * the record.
 */
export class ArtifactSpool {
  private file: Promise<{dir: string; path: string; handle: FileHandle}> | undefined
  private writing: Promise<void> = Promise.resolve()
  private count = 0
  private forget: () => void = () => {}

  get size(): number {
    return this.count
  }

  /** Adds a record; the order of the calls is the order read back. */
  add(record: ArtifactRecord): Promise<void> {
    this.count++
    const line = `${JSON.stringify(record)}\n`
    const written = this.writing.then(async () => void (await (await this.open()).handle.write(line)))
    this.writing = written.catch(() => {})
    return written
  }

  /** Every record added so far, in order. */
  async *records(): AsyncGenerator<ArtifactRecord> {
    await this.writing
    if (this.file === undefined) return
    const {path: p} = await this.file
    const lines = createInterface({input: createReadStream(p, {encoding: 'utf8'}), crlfDelay: Infinity})
    for await (const line of lines) if (line !== '') yield JSON.parse(line) as ArtifactRecord
  }

  /** Removes the temporary file. */
  async dispose(): Promise<void> {
    await this.writing
    const file = this.file
    this.file = undefined
    if (file === undefined) return
    const {dir, handle} = await file
    await handle.close().catch(() => {})
    await rm(dir, {recursive: true, force: true})
    this.forget()
  }

  private open(): Promise<{dir: string; path: string; handle: FileHandle}> {
    this.file ??= (async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'coroner-artifacts-'))
      this.forget = removeOnQuit(dir)
      const p = path.join(dir, 'artifacts.ndjson')
      return {dir, path: p, handle: await open(p, 'wx', 0o600)}
    })()
    return this.file
  }
}
