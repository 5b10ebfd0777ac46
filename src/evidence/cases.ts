import {CoronerError} from '../core/errors.js'
import {caseExists, indexCase} from './case-index.js'
import {MANIFEST_NAME, parseKey} from './keys.js'
import type {ArtifactRecord, Manifest} from './manifest.js'
import {readObject, type EvidenceStore} from './store.js'

export interface CaseSummary {
  caseId: string
  runs: number
  firstRun: string
  lastRun: string
  artifacts: number
  unsealed: number
}

/** Every case in a store with its run count; reads the listing only. */
export async function listCases(store: EvidenceStore): Promise<CaseSummary[]> {
  const cases = new Map<string, {runs: Set<string>; artifacts: number; sealed: Set<string>}>()
  for await (const info of store.list('cases/')) {
    if (info.deleteMarker || info.isLatest === false) continue
    const parsed = parseKey(info.key)
    if (!parsed) continue
    let c = cases.get(parsed.caseId)
    if (!c) cases.set(parsed.caseId, (c = {runs: new Set(), artifacts: 0, sealed: new Set()}))
    c.runs.add(parsed.runId)
    if (parsed.rest === MANIFEST_NAME) c.sealed.add(parsed.runId)
    else if (!parsed.rest.startsWith('custody.jsonl')) c.artifacts++
  }
  return [...cases.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([caseId, c]) => {
      const runs = [...c.runs].sort()
      return {caseId, runs: runs.length, firstRun: runs[0]!, lastRun: runs.at(-1)!, artifacts: c.artifacts, unsealed: runs.length - c.sealed.size}
    })
}

/** A run's manifest; one that is not a JSON manifest is an error naming it, not a bare SyntaxError. */
export async function readManifest(store: EvidenceStore, key: string, versionId?: string): Promise<Manifest> {
  return parseManifest(store, key, await readManifestText(store, key, versionId))
}

/** A manifest's text parsed; one that is not a JSON manifest is a `manifest-unreadable` error naming it. */
export function parseManifest(store: EvidenceStore, key: string, text: string): Manifest {
  let manifest: Manifest
  try {
    manifest = JSON.parse(text) as Manifest
  } catch (error) {
    throw unreadableManifest(store, key, `is not valid JSON (${(error as Error).message})`, error)
  }
  if (typeof manifest !== 'object' || manifest === null || !Array.isArray(manifest.artifacts)) throw unreadableManifest(store, key, 'has no artifacts list')
  return manifest
}

/** A manifest's bytes as stored (what its SHA-256 is taken over), as text. */
export async function readManifestText(store: EvidenceStore, key: string, versionId?: string): Promise<string> {
  return (await readObject(store, key, versionId)).toString('utf8')
}

function unreadableManifest(store: EvidenceStore, key: string, what: string, cause?: unknown): CoronerError {
  const caseId = parseKey(key)?.caseId ?? '<case>'
  return new CoronerError('manifest-unreadable', `Manifest ${key} in ${store.location} ${what}: it was altered or damaged.`, {
    hint: `Run \`coroner evidence verify --case ${caseId}\` to see every problem; the artifacts it listed can still be checked against their journal.`,
    ...(cause === undefined ? {} : {cause}),
  })
}

/** An artifact of a case as its run's manifest records it, with the run. */
export type ListedArtifact = ArtifactRecord & {runId: string}

/** The artifacts of every sealed run of a case, from their manifests; undefined when the case has no run. */
export async function listArtifacts(store: EvidenceStore, caseId: string): Promise<ListedArtifact[] | undefined> {
  const index = await indexCase(store, caseId)
  if (!caseExists(index)) return undefined
  const out: ListedArtifact[] = []
  for (const run of index.runs) {
    if (!run.manifest) continue
    const m = await readManifest(store, run.manifestKey, run.manifest.versionId)
    for (const a of m.artifacts) {
      out.push({runId: m.runId, ...a})
    }
  }
  return out
}
