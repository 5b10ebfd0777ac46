import {hashStream, sha256Hex} from './hashing.js'
import {JOURNAL_NAME, MANIFEST_NAME, casePrefix, parseKey, runPrefix} from './keys.js'
import {readObject, type EvidenceStore, type ObjectInfo} from './store.js'

/** One run of a case as the store lists it. */
export interface IndexedRun {
  runId: string
  prefix: string
  manifestKey: string
  journalKey: string
  /** The manifest as first written; undefined for a run that never sealed (or whose manifest was deleted). */
  manifest?: ObjectInfo
  /** Whether the run has a journal (one object, or one object per line on S3). */
  hasJournal: boolean
  /** Every object of the run with its versions, newest first, delete markers included. */
  objects: Map<string, ObjectInfo[]>
}

/** A case's runs, in run order, and any object under the case that belongs to no run. */
export interface CaseIndex {
  caseId: string
  runs: IndexedRun[]
  stray: ObjectInfo[]
}

/**
 * Lists a case once: its runs with their manifests as first written, journals and every object
 * version. The one view of a case that verify, pull, hold, load and every `--resume` stand on, so
 * they can never disagree on which manifest or object counts.
 */
export async function indexCase(store: EvidenceStore, caseId: string): Promise<CaseIndex> {
  const byRun = new Map<string, Map<string, ObjectInfo[]>>()
  const stray: ObjectInfo[] = []
  for await (const info of store.list(casePrefix(caseId))) {
    const parsed = parseKey(info.key)
    if (!parsed) {
      stray.push(info)
      continue
    }
    let objects = byRun.get(parsed.runId)
    if (!objects) byRun.set(parsed.runId, (objects = new Map()))
    objects.set(info.key, [...(objects.get(info.key) ?? []), info])
  }
  const runs = [...byRun.keys()].sort().map((runId): IndexedRun => {
    const objects = byRun.get(runId)!
    const prefix = runPrefix(caseId, runId)
    const manifestKey = `${prefix}${MANIFEST_NAME}`
    const journalKey = `${prefix}${JOURNAL_NAME}`
    const manifest = firstWritten(objects.get(manifestKey))
    const hasJournal = [...objects.keys()].some((k) => k === journalKey || k.startsWith(`${journalKey}.d/`))
    return {runId, prefix, manifestKey, journalKey, ...(manifest === undefined ? {} : {manifest}), hasJournal, objects}
  })
  return {caseId, runs, stray}
}

/** The version written first: the oldest that is not a delete marker (versions are listed newest first). */
export function firstWritten(versions: readonly ObjectInfo[] | undefined): ObjectInfo | undefined {
  if (!versions) return undefined
  for (let i = versions.length - 1; i >= 0; i--) if (!versions[i]!.deleteMarker) return versions[i]
  return undefined
}

/** Whether a run has any object at all (a delete marker alone does not count). */
export const runIsPresent = (run: IndexedRun): boolean => [...run.objects.values()].some((v) => v.some((i) => !i.deleteMarker))

/** Whether a case has any object at all (a delete marker alone does not count). */
export const caseExists = (index: CaseIndex): boolean => index.runs.some(runIsPresent)

/** A run of a case as a database built from it remembers it: sealed or not, and its manifest's SHA-256 as first written. */
export interface RunFingerprint {
  runId: string
  sealed: boolean
  manifestSha256: string | null
  /** For the runs asked for: the artifacts its manifest lists, as one digest (artifactSetDigest). */
  artifactsDigest?: string
}

/** A set of artifact records as one digest: each key with its SHA-256, sorted, so order never matters. */
export const artifactSetDigest = (records: ReadonlyArray<{key: string; sha256: string}>): string =>
  sha256Hex(records.map((r) => `${r.key} ${r.sha256}\n`).sort().join(''))

/**
 * The runs of a case with their manifest hashes (as first written), from the listing and the
 * manifests alone: what tells a case database built from older evidence (a run sealed, removed or
 * replaced since) from a current one, without verifying every artifact again.
 */
export async function runFingerprints(store: EvidenceStore, caseId: string, options: {artifactsOf?: ReadonlySet<string>} = {}): Promise<RunFingerprint[]> {
  const out: RunFingerprint[] = []
  for (const run of (await indexCase(store, caseId)).runs) {
    if (!runIsPresent(run)) continue
    const manifest = run.manifest
    if (manifest === undefined || manifest.fileType !== undefined) {
      out.push({runId: run.runId, sealed: false, manifestSha256: null})
      continue
    }
    const {sha256} = await hashStream(await store.get(run.manifestKey, manifest.versionId))
    const fingerprint: RunFingerprint = {runId: run.runId, sealed: true, manifestSha256: sha256}
    if (options.artifactsOf?.has(run.runId)) {
      const digest = await manifestArtifactsDigest(store, run.manifestKey, manifest.versionId)
      if (digest !== undefined) fingerprint.artifactsDigest = digest
    }
    out.push(fingerprint)
  }
  return out
}

/** The digest of the artifacts a manifest lists; undefined for one that does not read as a manifest (verify names it). */
async function manifestArtifactsDigest(store: EvidenceStore, key: string, versionId: string | undefined): Promise<string | undefined> {
  try {
    const manifest = JSON.parse((await readObject(store, key, versionId)).toString('utf8')) as {artifacts?: unknown}
    return Array.isArray(manifest.artifacts) ? artifactSetDigest(manifest.artifacts as Array<{key: string; sha256: string}>) : undefined
  } catch {
    return undefined
  }
}
