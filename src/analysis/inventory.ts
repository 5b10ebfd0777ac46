import path from 'node:path'
import {CoronerError, usageError} from '../core/errors.js'
import {mapPool} from '../core/pool.js'
import {readManifest} from '../evidence/cases.js'
import {indexCase, type IndexedRun} from '../evidence/case-index.js'
import {hashStream} from '../evidence/hashing.js'
import {readJournalChain} from '../evidence/journal.js'
import {runPrefix} from '../evidence/keys.js'
import {LocalDirectoryStore} from '../evidence/stores/local.js'
import {computeSelfDigest, type ArtifactRecord} from '../evidence/manifest.js'
import type {EvidenceStore} from '../evidence/store.js'

/** Why an artifact is not read by the analysis. */
export type ArtifactState = 'verified' | 'altered' | 'missing' | 'untrusted'

/** One artifact of a case, as its manifest (or the journal of an unsealed run) records it, checked. */
export interface CaseArtifact extends ArtifactRecord {
  runId: string
  sealed: boolean
  state: ArtifactState
  /** Path of the verified file on disk. */
  path: string
  detail?: string
}

export interface CaseJournal {
  runId: string
  key: string
  path: string
  sealed: boolean
}

export interface CaseInventory {
  caseId: string
  root: string
  artifacts: CaseArtifact[]
  journals: CaseJournal[]
  warnings: string[]
}

/** The local directory behind a store; the analysis reads files with DuckDB's own readers. */
export function localRoot(store: EvidenceStore, caseId: string): string {
  if (store instanceof LocalDirectoryStore) return store.root
  throw usageError(
    'store-not-local',
    `The analysis reads evidence from a local folder; ${store.location} is a ${store.kind} store.`,
    `Run \`coroner evidence pull --case ${caseId} --to DIR\` first and pass --store DIR.`,
  )
}

/**
 * Every artifact of a case, from the manifests of sealed runs and the journals of unsealed ones,
 * each re-hashed against what was recorded when it was written: the analysis reads verified
 * evidence only. A run whose manifest was edited is not trusted at all.
 */
export async function inventoryCase(store: EvidenceStore, caseId: string): Promise<CaseInventory> {
  const root = localRoot(store, caseId)
  const index = await indexCase(store, caseId)
  if (index.runs.length === 0) {
    throw new CoronerError('unknown-case', `No case ${caseId} in ${store.location}.`, {
      hint: 'Run `coroner case list`, or check --store.',
    })
  }
  const inventory: CaseInventory = {caseId, root, artifacts: [], journals: [], warnings: []}
  const fileOf = (key: string): string => path.join(root, ...key.split('/'))
  for (const run of index.runs) {
    const {records, sealed, trusted} = await recordedArtifacts(store, run, inventory.warnings)
    if (run.hasJournal) inventory.journals.push({runId: run.runId, key: run.journalKey, path: fileOf(run.journalKey), sealed})
    // Re-hashing is bound by the files' latency more than by SHA-256 (which runs at GB/s): a few at once.
    const checked = await mapPool(records, VERIFY_CONCURRENCY, (record) => checkRecorded(store, caseId, run.runId, record, sealed, trusted))
    for (const [i, c] of checked.entries()) {
      if (!c.ok) throw c.error
      const artifact = c.value
      const record = records[i]!
      if (artifact.state === 'verified') artifact.path = fileOf(record.key)
      else inventory.warnings.push(`${artifact.state} artifact not loaded: ${record.key}${artifact.detail ? ` (${artifact.detail})` : ''}`)
      inventory.artifacts.push(artifact)
    }
  }
  return inventory
}

const VERIFY_CONCURRENCY = 8

/** What a run recorded: its manifest as first written (untrusted when edited), or the journal of a run that never sealed, up to its first break. */
async function recordedArtifacts(store: EvidenceStore, run: IndexedRun, warnings: string[]): Promise<{records: ArtifactRecord[]; sealed: boolean; trusted: boolean}> {
  if (run.manifest) {
    const manifest = await readManifest(store, run.manifestKey, run.manifest.versionId)
    const trusted = computeSelfDigest(manifest) === manifest.selfDigest
    if (!trusted) warnings.push(`manifest ${run.manifestKey} was edited after it was sealed: none of run ${run.runId}'s artifacts are loaded`)
    return {records: manifest.artifacts ?? [], sealed: true, trusted}
  }
  if (!run.hasJournal) return {records: [], sealed: false, trusted: true}
  warnings.push(`run ${run.runId} never sealed: loading the artifacts its journal records`)
  const chain = await readJournalChain(store, run.journalKey, {trustUntilBreak: true})
  warnings.push(...chain.problems)
  return {records: chain.artifacts, sealed: false, trusted: true}
}

/** One recorded artifact checked: inside its run, present, and the bytes it was recorded with. */
async function checkRecorded(store: EvidenceStore, caseId: string, runId: string, record: ArtifactRecord, sealed: boolean, trusted: boolean): Promise<CaseArtifact> {
  const artifact: CaseArtifact = {...record, runId, sealed, state: 'verified', path: ''}
  if (!trusted) return {...artifact, state: 'untrusted', detail: 'its manifest was edited'}
  // A run only ever writes under its own prefix: a record naming another case's (or run's)
  // object was put there by hand, and loading it would mix evidence across cases.
  if (typeof record.key !== 'string' || !record.key.startsWith(runPrefix(caseId, runId))) return {...artifact, state: 'untrusted', detail: `listed by run ${runId} but outside its prefix`}
  if (!(await store.exists(record.key))) return {...artifact, state: 'missing', detail: 'not in the store'}
  const actual = await hashStream(await store.get(record.key))
  if (actual.sha256 !== record.sha256 || actual.size !== record.size) {
    return {...artifact, state: 'altered', detail: `SHA-256 ${actual.sha256} (${actual.size} bytes), recorded ${record.sha256} (${record.size} bytes)`}
  }
  return artifact
}
