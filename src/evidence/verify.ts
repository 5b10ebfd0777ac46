import type {ProgressTask} from '../core/progress.js'
import {firstWritten, indexCase, type CaseIndex, type IndexedRun} from './case-index.js'
import {hashStream, sha256Hex} from './hashing.js'
import {readJournalChain} from './journal.js'
import {MANIFEST_SCHEMA, computeSelfDigest, type ArtifactRecord, type Manifest} from './manifest.js'
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
  /** `open`: the run doing the verification (a playbook's), checked against its journal so far. */
  status: Manifest['status'] | 'unsealed' | 'open'
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

/**
 * Re-reads every evidence object of a case, recomputes its SHA-256 and compares it with the
 * manifest (or, for a run that never sealed, with its journal); names every missing, altered,
 * extra or overlaid object; checks each manifest's own digest, its journal's hash chain and the
 * chain of manifests across runs. Read-only.
 */
export async function verifyCase(store: EvidenceStore, caseId: string, options: VerifyOptions = {}): Promise<CaseVerification> {
  const index = await indexCase(store, caseId)
  const progress = options.progress
  if (progress) progress.setTotal(...objectsToRead(index))
  const result: CaseVerification = {caseId, store: store.location, ok: true, runs: [], artifacts: [], problems: [], warnings: []}
  for (const o of index.stray) result.problems.push(`unexpected object ${o.key} outside any run`)
  const sealed: SealedRun[] = []
  for (const run of index.runs) {
    const checked = await verifyRun(store, caseId, run, result, run.runId === options.openRun, progress)
    if (checked) sealed.push(checked)
  }
  result.problems.push(...chainProblems(sealed))
  result.ok = result.problems.length === 0 && result.runs.every((r) => r.problems.length === 0) && result.artifacts.every((a) => a.status === 'ok')
  return result
}

export interface VerifyOptions {
  /** The run in progress (a playbook verifying its own case): not yet sealed, reported as open. */
  openRun?: string | undefined
  /** Told of every object read back, with its size: per-object progress (count, bytes, rate, time left). */
  progress?: ProgressTask
}

/** The objects verify reads back and their bytes, from the listing (the manifests may list fewer). */
export function objectsToRead(index: CaseIndex): [number, number] {
  let objects = 0
  let bytes = 0
  for (const run of index.runs) {
    for (const [key, versions] of run.objects) {
      const first = firstWritten(versions)
      if (!first || key === run.manifestKey || key === run.journalKey || key.startsWith(`${run.journalKey}.d/`)) continue
      objects++
      bytes += first.size
    }
  }
  return [objects, bytes]
}

interface SealedRun {
  runId: string
  manifest: Manifest
  sha256: string
}

/** One run: its journal's chain, its manifest as first written, the lock of both, and each artifact it lists. */
async function verifyRun(store: EvidenceStore, caseId: string, run: IndexedRun, result: CaseVerification, open: boolean, progress?: ProgressTask): Promise<SealedRun | undefined> {
  const check: RunCheck = {runId: run.runId, status: open ? 'open' : 'unsealed', artifacts: 0, problems: []}
  result.runs.push(check)
  const journal = await readJournalChain(store, run.journalKey)
  if (journal.entries === 0) journal.problems.push(`journal ${run.journalKey} is missing or empty`)
  check.problems.push(...journal.problems)
  const sealed = await checkManifest(store, caseId, run, journal.lastHash, check)
  if (sealed?.manifest.store?.allowUnlocked) result.warnings.push(`run ${run.runId} was written with --allow-unlocked: its objects were not protected by Object Lock`)
  const locked = store.checkObject !== undefined && !sealed?.manifest.store?.allowUnlocked
  await checkJournalSegments(store, run, check, locked)
  if (locked && run.manifest) for (const issue of await store.checkObject!(run.manifestKey, run.manifest?.versionId)) check.problems.push(`manifest ${run.manifestKey}: ${issue.message}`)
  const known = new Set([run.manifestKey, run.journalKey])
  for (const key of run.objects.keys()) if (key.startsWith(`${run.journalKey}.d/`)) known.add(key)
  for (const a of sealed?.manifest.artifacts ?? journal.artifacts) {
    known.add(a.key)
    check.artifacts++
    result.artifacts.push(await checkArtifact(store, run, a, locked))
    progress?.advance(1, a.size)
  }
  for (const key of run.objects.keys()) {
    if (known.has(key)) continue
    const detail = /\.partial-[0-9a-f]+$/.test(key) ? 'an unfinished write left behind by an interrupted run' : 'not listed in the manifest or journal'
    result.artifacts.push({key, runId: run.runId, status: 'extra', detail})
  }
  return sealed
}

/** The manifest as first written: readable, of our schema, untouched since sealed, naming this run, ending where the journal ends. */
async function checkManifest(store: EvidenceStore, caseId: string, run: IndexedRun, journalLastHash: string, check: RunCheck): Promise<SealedRun | undefined> {
  const key = run.manifestKey
  const state = live(run.objects.get(key))
  if (state.overlaid) check.problems.push(`manifest ${key}: ${state.overlaid}`)
  if (!state.present) {
    if (check.status !== 'open') check.problems.push(`run ${run.runId} has no manifest: it never finished (crash or kill); checking what its journal recorded`)
    return undefined
  }
  const text = await readAll(store, key, run.manifest?.versionId)
  const sha256 = sha256Hex(text)
  check.manifestSha256 = sha256
  let manifest: Manifest
  try {
    manifest = JSON.parse(text) as Manifest
  } catch {
    check.problems.push(`manifest ${key} is not valid JSON`)
    return undefined
  }
  if (manifest.schema !== MANIFEST_SCHEMA) check.problems.push(`manifest ${key} has unknown schema ${String(manifest.schema)}`)
  if (computeSelfDigest(manifest) !== manifest.selfDigest) check.problems.push(`manifest ${key} was edited: its content does not match its selfDigest`)
  if (manifest.runId !== run.runId || manifest.caseId !== caseId) check.problems.push(`manifest ${key} names run ${manifest.runId} of case ${manifest.caseId}`)
  if (journalLastHash !== manifest.journal?.lastHash) check.problems.push(`journal ${run.journalKey} does not end where the manifest says (entries or hash differ)`)
  check.status = manifest.status
  return {runId: run.runId, manifest, sha256}
}

/** Journal line objects (S3 writes one per line): none overlaid and, where the store locks, each locked. */
async function checkJournalSegments(store: EvidenceStore, run: IndexedRun, check: RunCheck, locked: boolean): Promise<void> {
  const unlocked: string[] = []
  let segments = 0
  for (const [key, versions] of run.objects) {
    if (!key.startsWith(`${run.journalKey}.d/`)) continue
    segments++
    const state = live(versions)
    if (state.overlaid) check.problems.push(`journal segment ${key}: ${state.overlaid}`)
    if (!locked) continue
    const issues = await store.checkObject!(key, firstWritten(versions)?.versionId)
    if (issues.length > 0) unlocked.push(`${key}: ${issues.map((i) => i.message).join('; ')}`)
  }
  if (unlocked.length > 0) check.problems.push(`journal ${run.journalKey}: ${unlocked.length} of ${segments} line object(s) not locked, first ${unlocked[0]}`)
}

/** One recorded artifact: present, the same bytes, not overlaid, locked. */
async function checkArtifact(store: EvidenceStore, run: IndexedRun, a: Pick<ArtifactRecord, 'key' | 'sha256' | 'size' | 'versionId'>, locked: boolean): Promise<ArtifactCheck> {
  const art: ArtifactCheck = {key: a.key, runId: run.runId, status: 'ok', expectedSha256: a.sha256, ...(a.versionId === undefined ? {} : {versionId: a.versionId})}
  const versions = run.objects.get(a.key)
  const state = live(versions, a.versionId)
  if (!state.present) return {...art, status: 'missing'}
  const actual = await hashStream(await store.get(a.key, a.versionId ?? firstWritten(versions)?.versionId))
  art.actualSha256 = actual.sha256
  if (actual.sha256 !== a.sha256 || actual.size !== a.size) return {...art, status: 'altered', detail: `size ${actual.size}, expected ${a.size}`}
  if (state.overlaid) return {...art, status: 'overlaid', detail: state.overlaid}
  if (locked) {
    const issues = await store.checkObject!(a.key, a.versionId)
    if (issues.length > 0) return {...art, status: 'unlocked', detail: issues.map((i) => i.message).join('; ')}
  }
  return art
}

/** The chain of manifests: each links to the one before it, by the hash it had when the next run began. */
function chainProblems(sealed: readonly SealedRun[]): string[] {
  const problems: string[] = []
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
  return problems
}

/**
 * Where a key's evidence version stands (the recorded one, else the original, oldest version):
 * present, and whether a newer version or a delete marker lies over it.
 */
function live(versions: ObjectInfo[] | undefined, versionId?: string): {present: boolean; current: boolean; overlaid?: string} {
  if (!versions || versions.length === 0) return {present: false, current: false}
  const unversioned = versions.every((v) => v.versionId === undefined)
  const target = versionId === undefined || unversioned ? firstWritten(versions) : versions.find((v) => v.versionId === versionId)
  if (!target || target.deleteMarker) return {present: false, current: false}
  const latest = versions.find((v) => v.isLatest !== false) ?? target
  if (latest.deleteMarker) return {present: true, current: false, overlaid: 'a delete marker lies over it'}
  if (latest !== target) return {present: true, current: false, overlaid: `a newer version ${latest.versionId ?? ''} lies over it`}
  return {present: true, current: true}
}

async function readAll(store: EvidenceStore, key: string, versionId?: string): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of await store.get(key, versionId)) chunks.push(Buffer.from(chunk as Uint8Array))
  return Buffer.concat(chunks).toString('utf8')
}
