import {existsSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {loadCase} from '../../../src/analysis/load.js'
import {interruption} from '../../../src/core/errors.js'
import type {Progress} from '../../../src/core/progress.js'
import {pullCase} from '../../../src/evidence/pull.js'
import {LocalDirectoryStore} from '../../../src/evidence/stores/local.js'
import {verifyCase} from '../../../src/evidence/verify.js'
import {jsonArtifact, writeCase} from '../../support/evidence-case.js'
import {tempDir} from '../../support/temp.js'

const CASE = 'INC-STOP'
const ARTIFACTS = 200

async function bigCase(): Promise<LocalDirectoryStore> {
  const specs = Array.from({length: ARTIFACTS}, (_, i) => jsonArtifact('lambda.configuration', ['lambda', 'us-east-1', `fn-${i}`, 'configuration.json'], {FunctionName: `fn-${i}`}))
  return (await writeCase(path.join(await tempDir(), 'store'), CASE, specs)).store
}

/** A progress whose task named `label` stops the work (as Ctrl-C does) once it has advanced `after` times; it counts every advance. */
function stopAfter(label: string, after: number): {progress: Progress; signal: AbortSignal; advanced: () => number} {
  const stop = new AbortController()
  let advanced = 0
  const progress: Progress = {
    task: (name) => ({
      advance: () => {
        if (!name.startsWith(label)) return
        if (++advanced === after) stop.abort(interruption('SIGINT'))
      },
      setTotal() {},
      done() {},
    }),
  }
  return {progress, signal: stop.signal, advanced: () => advanced}
}

/** Counts the objects read from a store. */
function countReads(store: LocalDirectoryStore): () => number {
  let reads = 0
  const get = store.get.bind(store)
  store.get = (key, versionId) => (reads++, get(key, versionId))
  return () => reads
}

describe('verification and pull stop at Ctrl-C', () => {
  it('verify reads no more objects once stopped, and throws the interruption', async () => {
    const store = await bigCase()
    const {progress, signal, advanced} = stopAfter('verifying', 10)
    const task = progress.task('verifying')
    await expect(verifyCase(store, CASE, {progress: task, signal})).rejects.toMatchObject({code: 'interrupted'})
    // Those already under way (8 at once) finish; none starts after.
    expect(advanced()).toBeLessThan(10 + 8)
    expect((await verifyCase(store, CASE)).ok).toBe(true)
  })

  it('load stopped while it verifies reads nothing more and leaves no database', async () => {
    const store = await bigCase()
    const reads = countReads(store)
    const stop = new AbortController()
    stop.abort(interruption('SIGINT'))
    const dbPath = path.join(await tempDir(), 'case.duckdb')
    await expect(loadCase(store, CASE, {dbPath, signal: stop.signal})).rejects.toMatchObject({code: 'interrupted'})
    expect(reads()).toBe(0)
    expect(existsSync(dbPath)).toBe(false)
  })

  it('pull removes its partial copy, so the same pull runs again', async () => {
    const source = await bigCase()
    const to = path.join(await tempDir(), 'copy')
    const {progress, signal, advanced} = stopAfter('pulling', 20)
    await expect(pullCase(source, CASE, to, progress, signal)).rejects.toMatchObject({code: 'interrupted'})
    expect(advanced()).toBeLessThan(20 + 8)
    expect(existsSync(path.join(to, 'cases', CASE))).toBe(false)
    const again = await pullCase(source, CASE, to)
    expect(again.ok).toBe(true)
    expect(again.verification.artifacts).toHaveLength(ARTIFACTS)
  })
})
