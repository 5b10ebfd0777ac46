import {appendFile, chmod, readFile, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {fixedClock} from '../../../src/core/clock.js'
import {LocalDirectoryStore} from '../../../src/evidence/stores/local.js'
import {EvidenceRun} from '../../../src/evidence/run.js'
import {verifyCase} from '../../../src/evidence/verify.js'
import {tempDir} from '../../support/temp.js'

async function caseWithRuns(runs = 2): Promise<{dir: string; store: LocalDirectoryStore; keys: string[]; manifests: string[]}> {
  const dir = await tempDir()
  const store = new LocalDirectoryStore(dir)
  const keys: string[] = []
  const manifests: string[] = []
  for (let i = 0; i < runs; i++) {
    const clock = fixedClock(`2026-11-2${i}T10:00:00Z`, 1000)
    const run = await EvidenceRun.begin({store, caseId: 'INC-1', command: 'test', parameters: {i}, clock})
    for (const name of ['a.json', 'b.json']) {
      const a = await run.putArtifact(['lambda', 'us-east-1', 'fn', name], JSON.stringify({run: i, name}), {
        kind: 'test',
        contentType: 'application/json',
        source: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
        collector: 'test',
      })
      keys.push(a.key)
    }
    manifests.push((await run.finish()).manifestKey)
  }
  return {dir, store, keys, manifests}
}

const file = (dir: string, key: string): string => path.join(dir, ...key.split('/'))

async function writable(p: string): Promise<void> {
  await chmod(p, 0o644)
}

describe('verifyCase on the local store', () => {
  it('passes an untouched case and links each manifest to the one before', async () => {
    const {store, manifests} = await caseWithRuns(3)
    const v = await verifyCase(store, 'INC-1')
    expect(v.problems).toEqual([])
    expect(v.runs.map((r) => r.problems)).toEqual([[], [], []])
    expect(v.artifacts.every((a) => a.status === 'ok')).toBe(true)
    expect(v.ok).toBe(true)
    const second = JSON.parse(await readFile(file(store.root, manifests[1]!), 'utf8')) as {previousManifest: {runId: string}}
    expect(second.previousManifest.runId).toBe(v.runs[0]!.runId)
  })

  it('names an artifact with one byte changed', async () => {
    const {dir, store, keys} = await caseWithRuns()
    const p = file(dir, keys[1]!)
    await writable(p)
    const bytes = await readFile(p)
    bytes[0] = bytes[0]! ^ 1
    await writeFile(p, bytes)
    const v = await verifyCase(store, 'INC-1')
    expect(v.ok).toBe(false)
    expect(v.artifacts.filter((a) => a.status !== 'ok')).toEqual([expect.objectContaining({key: keys[1], status: 'altered'})])
  })

  it('names a deleted artifact', async () => {
    const {dir, store, keys} = await caseWithRuns()
    await rm(file(dir, keys[2]!))
    const v = await verifyCase(store, 'INC-1')
    expect(v.ok).toBe(false)
    expect(v.artifacts.filter((a) => a.status !== 'ok')).toEqual([expect.objectContaining({key: keys[2], status: 'missing'})])
  })

  it('names a file added to a run', async () => {
    const {dir, store, keys} = await caseWithRuns()
    const extra = keys[0]!.replace('a.json', 'planted.json')
    await writeFile(file(dir, extra), '{}')
    const v = await verifyCase(store, 'INC-1')
    expect(v.ok).toBe(false)
    expect(v.artifacts.filter((a) => a.status !== 'ok')).toEqual([expect.objectContaining({key: extra, status: 'extra'})])
  })

  it('names an edited manifest, even the last one, and a broken chain', async () => {
    const {dir, store, manifests} = await caseWithRuns()
    for (const m of manifests) {
      const p = file(dir, m)
      await writable(p)
      await writeFile(p, (await readFile(p, 'utf8')).replace('"command": "test"', '"command": "edited"'))
    }
    const v = await verifyCase(store, 'INC-1')
    expect(v.ok).toBe(false)
    expect(v.runs.every((r) => r.problems.some((p) => /was edited/.test(p)))).toBe(true)
    expect(v.problems.some((p) => /changed after run/.test(p))).toBe(true)
  })

  it('names an edited custody journal', async () => {
    const {dir, store, manifests} = await caseWithRuns(1)
    const j = file(dir, manifests[0]!.replace('manifest.json', 'custody.jsonl'))
    await writable(j)
    await writeFile(j, (await readFile(j, 'utf8')).replace('"command":"test"', '"command":"other"'))
    const v = await verifyCase(store, 'INC-1')
    expect(v.ok).toBe(false)
    expect(v.runs[0]!.problems.join('\n')).toMatch(/breaks the hash chain|does not end where the manifest says/)
  })

  it('names a run removed from the middle of the chain', async () => {
    const {dir, store} = await caseWithRuns(3)
    const before = await verifyCase(store, 'INC-1')
    await rm(path.join(dir, 'cases/INC-1/runs', before.runs[1]!.runId), {recursive: true, force: true})
    const v = await verifyCase(store, 'INC-1')
    expect(v.ok).toBe(false)
    expect(v.problems.join('\n')).toMatch(new RegExp(`links to run ${before.runs[1]!.runId}, which is missing`))
  })

  it('checks a run that never sealed against its journal and says so', async () => {
    const dir = await tempDir()
    const store = new LocalDirectoryStore(dir)
    const run = await EvidenceRun.begin({store, caseId: 'INC-2', command: 'test', parameters: {}, clock: fixedClock('2026-11-20T10:00:00Z')})
    const a = await run.putArtifact(['x', 'y', 'z', 'kept.json'], '{"kept":true}', {kind: 'test', contentType: 'application/json', source: 's', collector: 'test'})
    // No finish(): the process died here.
    let v = await verifyCase(store, 'INC-2')
    expect(v.runs[0]!.status).toBe('unsealed')
    expect(v.runs[0]!.problems.join()).toMatch(/never finished/)
    expect(v.artifacts).toEqual([expect.objectContaining({key: a.key, status: 'ok'})])
    await appendFile(file(dir, a.key), 'x').catch(async () => {
      await writable(file(dir, a.key))
      await appendFile(file(dir, a.key), 'x')
    })
    v = await verifyCase(store, 'INC-2')
    expect(v.artifacts).toEqual([expect.objectContaining({key: a.key, status: 'altered'})])
  })
})
