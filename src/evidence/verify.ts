import {hashStream, sha256Hex} from './hashing.js'
import {JOURNAL_NAME, MANIFEST_NAME, casePrefix, parseKey} from './keys.js'
import {MANIFEST_SCHEMA, computeSelfDigest, type Manifest} from './manifest.js'
import type {EvidenceStore, ObjectInfo} from './store.js'

export type ArtifactStatus = 'ok' | 'missing' | 'altered' | 'extra' | 'overlaid' | 'unlocked'

export interface ArtifactCheck {
  key: string
  runId: string
  status: ArtifactStatus
  expectedSha256?: string
  actualSha256?: string
  versionId?: string
  detail?: string
}

export interface RunCheck {
  runId: string
  status: Manifest['status'] | 'unsealed'
  manifestSha256?: string
  artifacts: number
  problems: string[]
}

export interface CaseVerification {
  caseId: string
  store: string
  ok: boolean
  runs: RunCheck[]
  artifacts: ArtifactCheck[]
  /** Problems of the case as a whole: the chain between runs, warnings carried by manifests. */
  problems: string[]
  warnings: string[]
}

interface RunObjects {
  objects: Map<string, ObjectInfo[]>
}

/**
 * Re-reads every evidence object of a case, recomputes its SHA-256 and compares it with the
 * manifest (or, for a run that never sealed, with its journal); names every missing, altered,
 * extra or overlaid object; checks each manifest's own digest, its journal's hash chain and the
 * chain of manifests across runs. Read-only.
 */
export async function verifyCase(store: EvidenceStore, caseId: string): Promise<CaseVerification> {
  const runs = new Map<string, RunObjects>()
  const problems: string[] = []
  const warnings: string[] = []
  for await (const info of store.list(casePrefix(caseId))) {
    const parsed = parseKey(info.key)
    if (!parsed) {
      problems.push(`unexpected object ${info.key} outside any run`)
      continue
    }
    let run = runs.get(parsed.runId)
    if (!run) runs.set(parsed.runId, (run = {objects: new Map()}))
    const versions = run.objects.get(info.key) ?? []
    versions.push(info)
    run.objects.set(info.key, versions)
  }

  const result: CaseVerification = {caseId, store: store.location, ok: true, runs: [], artifacts: [], problems, warnings}
  const sealed: Array<{runId: string; manifest: Manifest; sha256: string}> = []

  for (const runId of [...runs.keys()].sort()) {
    const {objects} = runs.get(runId)!
    const prefix = `${casePrefix(caseId)}runs/${runId}/`
    const check: RunCheck = {runId, status: 'unsealed', artifacts: 0, problems: []}
    result.runs.push(check)
    const manifestKey = `${prefix}${MANIFEST_NAME}`
    const journalKey = `${prefix}${JOURNAL_NAME}`

    const journal = await readJournalChain(store, journalKey)
    check.problems.push(...journal.problems)

    let manifest: Manifest | undefined
    let allowUnlocked = false
    const manifestVersions = live(objects.get(manifestKey))
    if (manifestVersions.overlaid) check.problems.push(`manifest ${manifestKey}: ${manifestVersions.overlaid}`)
    if (manifestVersions.present) {
      const text = await readAll(store, manifestKey, originalVersion(objects.get(manifestKey)))
      const sha256 = sha256Hex(text)
      check.manifestSha256 = sha256
      try {
        manifest = JSON.parse(text) as Manifest
      } catch {
        check.problems.push(`manifest ${manifestKey} is not valid JSON`)
      }
      if (manifest) {
        if (manifest.schema !== MANIFEST_SCHEMA) check.problems.push(`manifest ${manifestKey} has unknown schema ${String(manifest.schema)}`)
        if (computeSelfDigest(manifest) !== manifest.selfDigest) check.problems.push(`manifest ${manifestKey} was edited: its content does not match its selfDigest`)
        if (manifest.runId !== runId || manifest.caseId !== caseId) check.problems.push(`manifest ${manifestKey} names run ${manifest.runId} of case ${manifest.caseId}`)
        if (journal.lastHash !== manifest.journal?.lastHash) check.problems.push(`journal ${journalKey} does not end where the manifest says (entries or hash differ)`)
        if (manifest.store?.allowUnlocked) {
          allowUnlocked = true
          warnings.push(`run ${runId} was written with --allow-unlocked: its objects were not protected by Object Lock`)
        }
        check.status = manifest.status
        sealed.push({runId, manifest, sha256})
      }
    } else {
      check.problems.push(`run ${runId} has no manifest: it never finished (crash or kill); checking what its journal recorded`)
    }

    const expected = manifest?.artifacts ?? journal.artifacts
    const known = new Set([manifestKey, journalKey])
    const journalSegments = `${journalKey}.d/`
    const unlockedSegments: string[] = []
    let segments = 0
    for (const [key, versions] of objects) {
      if (!key.startsWith(journalSegments)) continue
      known.add(key)
      segments++
      const state = live(versions)
      if (state.overlaid) check.problems.push(`journal segment ${key}: ${state.overlaid}`)
      if (store.checkObject && !allowUnlocked) {
        const issues = await store.checkObject(key, originalVersion(versions))
        if (issues.length > 0) unlockedSegments.push(`${key}: ${issues.map((i) => i.message).join('; ')}`)
      }
    }
    if (unlockedSegments.length > 0) {
      check.problems.push(`journal ${journalKey}: ${unlockedSegments.length} of ${segments} line object(s) not locked, first ${unlockedSegments[0]}`)
    }
    if (manifestVersions.present && store.checkObject && !allowUnlocked) {
      for (const issue of await store.checkObject(manifestKey, originalVersion(objects.get(manifestKey)))) check.problems.push(`manifest ${manifestKey}: ${issue.message}`)
    }
    for (const a of expected) {
      known.add(a.key)
      check.artifacts++
      const art: ArtifactCheck = {key: a.key, runId, status: 'ok', expectedSha256: a.sha256, ...(a.versionId === undefined ? {} : {versionId: a.versionId})}
      result.artifacts.push(art)
      const versions = objects.get(a.key)
      const state = live(versions, a.versionId)
      if (!state.present) {
        art.status = 'missing'
        continue
      }
      const actual = await hashStream(await store.get(a.key, a.versionId ?? originalVersion(versions)))
      art.actualSha256 = actual.sha256
      if (actual.sha256 !== a.sha256 || actual.size !== a.size) {
        art.status = 'altered'
        art.detail = `size ${actual.size}, expected ${a.size}`
        continue
      }
      if (state.overlaid) {
        art.status = 'overlaid'
        art.detail = state.overlaid
        continue
      }
      if (store.checkObject && !allowUnlocked) {
        const issues = await store.checkObject(a.key, a.versionId)
        if (issues.length > 0) {
          art.status = 'unlocked'
          art.detail = issues.map((i) => i.message).join('; ')
        }
      }
    }
    for (const key of objects.keys()) {
      if (known.has(key)) continue
      const detail = /\.partial-[0-9a-f]+$/.test(key) ? 'an unfinished write left behind by an interrupted run' : 'not listed in the manifest or journal'
      result.artifacts.push({key, runId, status: 'extra', detail})
    }
  }

  for (let i = 0; i < sealed.length; i++) {
    const {runId, manifest} = sealed[i]!
    const prev = manifest.previousManifest
    const expectedPrev = i === 0 ? undefined : sealed[i - 1]
    if (prev === null || prev === undefined) {
      if (expectedPrev) problems.push(`chain: run ${runId} links to no previous run, but run ${expectedPrev.runId} precedes it`)
      continue
    }
    const target = sealed.find((s) => s.runId === prev.runId)
    if (!target) problems.push(`chain: run ${runId} links to run ${prev.runId}, which is missing`)
    else if (target.sha256 !== prev.sha256) problems.push(`chain: manifest of run ${prev.runId} changed after run ${runId} recorded its hash`)
    else if (expectedPrev && expectedPrev.runId !== prev.runId) problems.push(`chain: run ${runId} links to ${prev.runId}, not to the run before it (${expectedPrev.runId}); runs ran concurrently or one was removed`)
  }

  result.ok = problems.length === 0 && result.runs.every((r) => r.problems.length === 0) && result.artifacts.every((a) => a.status === 'ok')
  return result
}

/**
 * Where a key's evidence version stands (the recorded one, else the original, oldest version):
 * present, and whether a newer version or a delete marker lies over it.
 */
function live(versions: ObjectInfo[] | undefined, versionId?: string): {present: boolean; current: boolean; overlaid?: string} {
  if (!versions || versions.length === 0) return {present: false, current: false}
  const unversioned = versions.every((v) => v.versionId === undefined)
  const target = versionId === undefined || unversioned ? original(versions) : versions.find((v) => v.versionId === versionId)
  if (!target || target.deleteMarker) return {present: false, current: false}
  const latest = versions.find((v) => v.isLatest !== false) ?? target
  if (latest.deleteMarker) return {present: true, current: false, overlaid: 'a delete marker lies over it'}
  if (latest !== target) return {present: true, current: false, overlaid: `a newer version ${latest.versionId ?? ''} lies over it`}
  return {present: true, current: true}
}

/** The oldest version that is not a delete marker: what was written first (versions come newest first). */
function original(versions: ObjectInfo[]): ObjectInfo | undefined {
  for (let i = versions.length - 1; i >= 0; i--) if (!versions[i]!.deleteMarker) return versions[i]
  return undefined
}

function originalVersion(versions: ObjectInfo[] | undefined): string | undefined {
  return versions === undefined ? undefined : original(versions)?.versionId
}

async function readAll(store: EvidenceStore, key: string, versionId?: string): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of await store.get(key, versionId)) chunks.push(Buffer.from(chunk as Uint8Array))
  return Buffer.concat(chunks).toString('utf8')
}

interface JournalArtifact {
  key: string
  sha256: string
  size: number
  versionId?: string
}

/** Reads a run's journal, checking its hash chain, and collects the artifacts it recorded. */
async function readJournalChain(
  store: EvidenceStore,
  key: string,
): Promise<{lastHash: string; artifacts: JournalArtifact[]; problems: string[]}> {
  const problems: string[] = []
  const artifacts: JournalArtifact[] = []
  let lastHash = ''
  let expectedSeq = 1
  for await (const line of store.readJournal(key)) {
    let entry: {seq?: number; prevHash?: string; type?: string; artifact?: JournalArtifact}
    try {
      entry = JSON.parse(line) as typeof entry
    } catch {
      problems.push(`journal ${key}: entry ${expectedSeq} is not valid JSON`)
      lastHash = sha256Hex(line)
      expectedSeq++
      continue
    }
    if (entry.seq !== expectedSeq || entry.prevHash !== lastHash) problems.push(`journal ${key}: entry ${expectedSeq} breaks the hash chain`)
    if (entry.type === 'artifact' && entry.artifact) artifacts.push(entry.artifact)
    lastHash = sha256Hex(line)
    expectedSeq++
  }
  if (expectedSeq === 1) problems.push(`journal ${key} is missing or empty`)
  return {lastHash, artifacts, problems}
}
