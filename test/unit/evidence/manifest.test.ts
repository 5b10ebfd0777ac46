import {createHash} from 'node:crypto'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {fixedClock} from '../../../src/core/clock.js'
import {LocalDirectoryStore} from '../../../src/evidence/stores/local.js'
import {canonicalJson, computeSelfDigest, serializeManifest, serializedManifestPieces, type ArtifactRecord, type Manifest} from '../../../src/evidence/manifest.js'
import {EvidenceRun} from '../../../src/evidence/run.js'
import {tempDir} from '../../support/temp.js'

// The definitions the manifest format was written with: the whole text at once.
const wholeText = (m: Manifest): string => `${JSON.stringify(JSON.parse(canonicalJson(m)), null, 2)}\n`
const wholeDigest = (m: Manifest): string => {
  const {selfDigest: _ignored, ...rest} = m
  return createHash('sha256').update(canonicalJson(rest)).digest('hex')
}

function artifact(i: number): ArtifactRecord {
  return {
    key: `cases/INC-1/runs/r/cloudtrail/us-east-1/111122223333/file-${i}.json.gz`,
    sha256: 'ab'.repeat(32),
    size: 1000 + i,
    kind: 'cloudtrail.delivery-file',
    contentType: 'application/gzip',
    source: `s3://bucket/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/10/file-${i}.json.gz`,
    collector: 'cloudtrail-archive',
    collectedAt: '2026-11-25T10:00:00.000Z',
    ...(i % 2 === 0 ? {region: 'us-east-1', records: 8} : {}),
    attributes: {z: [1, {b: 2, a: 'line\nbreak "quoted" ünï'}], a: null, empty: {}, none: [], when: new Date(Date.UTC(2026, 10, 10))},
  }
}

function manifest(artifacts: ArtifactRecord[]): Manifest {
  return {
    schema: 'coroner.manifest/v1',
    caseId: 'INC-1',
    runId: 'r',
    command: 'collect cloudtrail',
    status: 'complete',
    startedAt: '2026-11-25T10:00:00.000Z',
    endedAt: '2026-11-25T10:01:00.000Z',
    tool: {name: 'coroner', version: '0.1.0'},
    host: {hostname: 'h', user: 'u', platform: 'linux-x64', node: 'v20', pid: 1},
    caller: null,
    parameters: {since: '2026-11-10T00:00:00.000Z', nested: {b: [], a: {}}},
    store: {kind: 'local', location: 'file:///x', immutable: false, note: 'n'},
    previousManifest: null,
    artifacts,
    journal: {key: 'cases/INC-1/runs/r/custody.jsonl', entries: 3, lastHash: 'cd'.repeat(32)},
    gaps: 0,
    warnings: ['one', 'two'],
    selfDigest: 'placeholder',
  }
}

describe('manifest serialisation in pieces', () => {
  it.each([0, 1, 3, 50])('matches the whole-text definition with %i artifact(s)', (n) => {
    const m = manifest(Array.from({length: n}, (_, i) => artifact(i)))
    expect(serializeManifest(m)).toBe(wholeText(m))
    expect([...serializedManifestPieces(m)].join('')).toBe(wholeText(m))
    expect(computeSelfDigest(m)).toBe(wholeDigest(m))
  })

  it('writes a run\'s manifest as those bytes and names their SHA-256', async () => {
    const dir = await tempDir()
    const run = await EvidenceRun.begin({store: new LocalDirectoryStore(dir), caseId: 'INC-1', command: 'test', parameters: {}, clock: fixedClock('2026-11-25T10:00:00Z', 1)})
    for (let i = 0; i < 300; i++) {
      await run.putArtifact(['x', `a-${i}.json`], JSON.stringify({i}), {kind: 'test', contentType: 'application/json', source: `src-${i}`, collector: 'test', attributes: {i}})
    }
    const sealed = await run.finish()
    const bytes = await readFile(path.join(dir, ...sealed.manifestKey.split('/')))
    const stored = JSON.parse(bytes.toString('utf8')) as Manifest
    expect(bytes.toString('utf8')).toBe(wholeText(stored))
    expect(sealed.manifestSha256).toBe(createHash('sha256').update(bytes).digest('hex'))
    expect(sealed.manifest.selfDigest).toBe(wholeDigest(stored))
    expect({...stored, artifacts: undefined}).toEqual({...sealed.manifest, artifacts: undefined})
    // The records were streamed from the run's spool, in the order written; the run holds none of them.
    expect(stored.artifacts.map((a) => a.attributes?.i)).toEqual(Array.from({length: 300}, (_, i) => i))
    expect(sealed.artifacts).toBe(300)
    expect('artifacts' in sealed.manifest).toBe(false)
  })
})
