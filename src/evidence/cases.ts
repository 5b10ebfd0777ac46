import {CoronerError} from '../core/errors.js'
import {caseExists, indexCase, type IndexedRun} from './case-index.js'
import {MANIFEST_NAME, parseKey} from './keys.js'
import type {Manifest} from './manifest.js'
import {readObject, type EvidenceStore} from './store.js'

export interface RunSummary {
  runId: string
  status: Manifest['status'] | 'unsealed'
  command?: string
  startedAt?: string
  endedAt?: string
  artifacts: number
  gaps?: number
  user?: string
  caller?: string
}

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

/** The runs of one case, each with what its manifest says (or `unsealed` when it has none). */
export async function showCase(store: EvidenceStore, caseId: string): Promise<RunSummary[]> {
  const out: RunSummary[] = []
  for (const run of (await indexCase(store, caseId)).runs) {
    if (![...run.objects.values()].flat().some((v) => !v.deleteMarker)) continue
    if (!run.manifest) {
      out.push({runId: run.runId, status: 'unsealed', artifacts: currentObjects(run)})
      continue
    }
    const m = await readManifest(store, run.manifestKey, run.manifest.versionId)
    out.push({
      runId: run.runId,
      status: m.status,
      command: m.command,
      startedAt: m.startedAt,
      endedAt: m.endedAt,
      artifacts: m.artifacts.length,
      gaps: m.gaps,
      user: `${m.host.user}@${m.host.hostname}`,
      ...(m.caller?.arn ? {caller: m.caller.arn} : {}),
    })
  }
  return out
}

/** Objects of a run that stand (not overlaid, not deleted), the journal aside. */
const currentObjects = (run: IndexedRun): number =>
  [...run.objects.entries()].filter(([key, versions]) => !key.slice(run.prefix.length).startsWith('custody.jsonl') && versions.some((v) => !v.deleteMarker && v.isLatest !== false)).length

/** A run's manifest; one that is not a JSON manifest is an error naming it, not a bare SyntaxError. */
export async function readManifest(store: EvidenceStore, key: string, versionId?: string): Promise<Manifest> {
  let manifest: Manifest
  const bytes = await readObject(store, key, versionId)
  try {
    manifest = JSON.parse(bytes.toString('utf8')) as Manifest
  } catch (error) {
    throw unreadableManifest(store, key, `is not valid JSON (${(error as Error).message})`, error)
  }
  if (typeof manifest !== 'object' || manifest === null || !Array.isArray(manifest.artifacts)) throw unreadableManifest(store, key, 'has no artifacts list')
  return manifest
}

function unreadableManifest(store: EvidenceStore, key: string, what: string, cause?: unknown): CoronerError {
  const caseId = parseKey(key)?.caseId ?? '<case>'
  return new CoronerError('manifest-unreadable', `Manifest ${key} in ${store.location} ${what}: it was altered or damaged.`, {
    hint: `Run \`coroner evidence verify --case ${caseId}\` to see every problem; the artifacts it listed can still be checked against their journal.`,
    ...(cause === undefined ? {} : {cause}),
  })
}

export interface ListedArtifact {
  runId: string
  key: string
  kind: string
  size: number
  sha256: string
  versionId?: string
  source: string
  collectedAt: string
  /** True for artifacts of a run that never sealed, known only from its journal. */
  unsealed?: boolean
}

/** The artifacts of every sealed run of a case, from their manifests; undefined when the case has no run. */
export async function listArtifacts(store: EvidenceStore, caseId: string): Promise<ListedArtifact[] | undefined> {
  const index = await indexCase(store, caseId)
  if (!caseExists(index)) return undefined
  const out: ListedArtifact[] = []
  for (const run of index.runs) {
    if (!run.manifest) continue
    const m = await readManifest(store, run.manifestKey, run.manifest.versionId)
    for (const a of m.artifacts) {
      out.push({runId: m.runId, key: a.key, kind: a.kind, size: a.size, sha256: a.sha256, ...(a.versionId === undefined ? {} : {versionId: a.versionId}), source: a.source, collectedAt: a.collectedAt})
    }
  }
  return out
}
