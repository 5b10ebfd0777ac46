import path from 'node:path'
import {CoronerError, ExitCode, usageError} from '../core/errors.js'
import {readManifest} from '../evidence/cases.js'
import {hashStream, sha256Hex} from '../evidence/hashing.js'
import {JOURNAL_NAME, MANIFEST_NAME, casePrefix, parseKey, runPrefix} from '../evidence/keys.js'
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
  const runs = new Map<string, {manifest?: string; journal?: string}>()
  for await (const info of store.list(casePrefix(caseId))) {
    const parsed = parseKey(info.key)
    if (!parsed) continue
    const r = runs.get(parsed.runId) ?? {}
    if (parsed.rest === MANIFEST_NAME) r.manifest = info.key
    else if (parsed.rest === JOURNAL_NAME) r.journal = info.key
    runs.set(parsed.runId, r)
  }
  if (runs.size === 0) {
    throw new CoronerError('unknown-case', `No case ${caseId} in ${store.location}.`, {
      exitCode: ExitCode.usage,
      hint: 'Run `coroner case list`, or check --store.',
    })
  }
  const inventory: CaseInventory = {caseId, root, artifacts: [], journals: [], warnings: []}
  const fileOf = (key: string): string => path.join(root, ...key.split('/'))
  for (const runId of [...runs.keys()].sort()) {
    const r = runs.get(runId)!
    let records: ArtifactRecord[] = []
    let sealed = false
    let trusted = true
    if (r.manifest) {
      sealed = true
      const manifest = await readManifest(store, r.manifest)
      if (computeSelfDigest(manifest) !== manifest.selfDigest) {
        trusted = false
        inventory.warnings.push(`manifest ${r.manifest} was edited after it was sealed: none of run ${runId}'s artifacts are loaded`)
      }
      records = manifest.artifacts ?? []
    } else if (r.journal) {
      inventory.warnings.push(`run ${runId} never sealed: loading the artifacts its journal records`)
      records = await journalArtifacts(store, r.journal, inventory.warnings)
    }
    if (r.journal) inventory.journals.push({runId, key: r.journal, path: fileOf(r.journal), sealed})
    for (const record of records) {
      const artifact: CaseArtifact = {...record, runId, sealed, state: 'verified', path: ''}
      if (!trusted) {
        artifact.state = 'untrusted'
        artifact.detail = 'its manifest was edited'
      } else if (typeof record.key !== 'string' || !record.key.startsWith(runPrefix(caseId, runId))) {
        // A run only ever writes under its own prefix: a record naming another case's (or run's)
        // object was put there by hand, and loading it would mix evidence across cases.
        artifact.state = 'untrusted'
        artifact.detail = `listed by run ${runId} but outside its prefix`
      } else if (!(await store.exists(record.key))) {
        artifact.state = 'missing'
        artifact.detail = 'not in the store'
      } else {
        const actual = await hashStream(await store.get(record.key))
        if (actual.sha256 !== record.sha256 || actual.size !== record.size) {
          artifact.state = 'altered'
          artifact.detail = `SHA-256 ${actual.sha256} (${actual.size} bytes), recorded ${record.sha256} (${record.size} bytes)`
        }
      }
      if (artifact.state === 'verified') artifact.path = fileOf(record.key)
      if (artifact.state !== 'verified') inventory.warnings.push(`${artifact.state} artifact not loaded: ${record.key}${artifact.detail ? ` (${artifact.detail})` : ''}`)
      inventory.artifacts.push(artifact)
    }
  }
  return inventory
}

/** The artifact records a journal holds, stopping trust at the first line that breaks its hash chain. */
async function journalArtifacts(store: EvidenceStore, key: string, warnings: string[]): Promise<ArtifactRecord[]> {
  const out: ArtifactRecord[] = []
  let prev = ''
  let seq = 1
  for await (const line of store.readJournal(key)) {
    let entry: {seq?: number; prevHash?: string; type?: string; artifact?: ArtifactRecord}
    try {
      entry = JSON.parse(line) as typeof entry
    } catch {
      warnings.push(`journal ${key}: entry ${seq} is not valid JSON; later entries are not trusted`)
      break
    }
    if (entry.seq !== seq || entry.prevHash !== prev) {
      warnings.push(`journal ${key}: entry ${seq} breaks the hash chain; later entries are not trusted`)
      break
    }
    if (entry.type === 'artifact' && entry.artifact) out.push(entry.artifact)
    prev = sha256Hex(line)
    seq++
  }
  return out
}
