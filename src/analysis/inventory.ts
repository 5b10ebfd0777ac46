import path from 'node:path'
import {CoronerError, usageError} from '../core/errors.js'
import type {ArtifactRecord} from '../evidence/manifest.js'
import {LocalDirectoryStore} from '../evidence/stores/local.js'
import type {EvidenceStore} from '../evidence/store.js'
import {examineCase, type ArtifactCheck, type CaseVerification, type VerifyIssue, type VerifyOptions} from '../evidence/verify.js'

/**
 * Whether and how the analysis reads an artifact: `verified` and `damaged` ones are loaded (a
 * damaged one, only with --accept-damaged, its rows marked); the others cannot be read at all.
 */
export type ArtifactState = 'verified' | 'damaged' | 'missing' | 'untrusted' | 'unreadable' | 'linked'

/** One artifact of a case, as its manifest (or the journal of an unsealed run) records it, checked. */
export interface CaseArtifact extends ArtifactRecord {
  runId: string
  sealed: boolean
  state: ArtifactState
  /** Path of the file on disk, for artifacts that are read. */
  path: string
  /** What verify found wrong with it or its run, for every row it gives. */
  detail?: string
}

export interface CaseJournal {
  runId: string
  key: string
  path: string
  sealed: boolean
  /** What verify found wrong with the run, for every custody row of it. */
  damage?: string
}

export interface CaseInventory {
  caseId: string
  root: string
  artifacts: CaseArtifact[]
  journals: CaseJournal[]
  warnings: string[]
  verification: CaseVerification
  /** Every problem verify named, when the case was loaded with --accept-damaged. */
  damage: VerifyIssue[]
}

export interface InventoryOptions extends Pick<VerifyOptions, 'expect' | 'publicKey' | 'openRun' | 'signal'> {
  /** Load a case that does not verify, marking every row of the evidence the problems touch. */
  acceptDamaged?: boolean
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

/** Statuses whose bytes are what was recorded (the problem lies elsewhere: a lock, a permission, an overlay). */
const INTACT = new Set(['ok', 'writable', 'overlaid', 'unlocked'])
const NOT_READ: Record<string, ArtifactState> = {missing: 'missing', 'outside-run': 'untrusted', unreadable: 'unreadable', linked: 'linked'}

/**
 * What the analysis may read of a case, decided by the one verifier (evidence/verify.ts): a case
 * that does not verify is refused whole, naming every problem, unless the user accepts the damage;
 * then each artifact carries the problems of its own bytes and of its run.
 */
export async function inventoryCase(store: EvidenceStore, caseId: string, options: InventoryOptions = {}): Promise<CaseInventory> {
  const root = localRoot(store, caseId)
  const {verification: v, runs} = await examineCase(store, caseId, {
    ...(options.expect === undefined ? {} : {expect: options.expect}),
    ...(options.publicKey === undefined ? {} : {publicKey: options.publicKey}),
    ...(options.openRun === undefined ? {} : {openRun: options.openRun}),
    ...(options.signal === undefined ? {} : {signal: options.signal}),
  })
  if (runs.length === 0) throw new CoronerError('unknown-case', `No case ${caseId} in ${store.location}.`, {hint: 'Run `coroner case list`, or check --store.'})
  if (!v.ok && !options.acceptDamaged) throw unverified(v)
  const fileOf = (key: string): string => path.join(root, ...key.split('/'))
  const checks = new Map(v.artifacts.map((a) => [`${a.runId}\n${a.key}`, a]))
  const recorded = new Set(runs.flatMap((r) => r.records.map((a) => String(a.key))))
  const damageOf = (runId: string, key?: string): string | undefined => {
    const hits = v.issues.filter((i) => (key !== undefined && i.key === key) || (i.runId === runId && i.code !== 'object-extra' && (i.key === undefined || !recorded.has(i.key))) || (i.runId === undefined && i.key === undefined))
    return hits.length === 0 ? undefined : hits.map((i) => `${i.code}: ${i.message}`).join('; ')
  }
  const inventory: CaseInventory = {caseId, root, artifacts: [], journals: [], warnings: [...v.warnings], verification: v, damage: v.ok ? [] : v.issues}
  for (const run of runs) {
    const journalLinked = v.issues.some((i) => i.code === 'symlink' && i.key === run.journalKey)
    const runDamage = damageOf(run.runId)
    if (run.hasJournal && !journalLinked) inventory.journals.push({runId: run.runId, key: run.journalKey, path: fileOf(run.journalKey), sealed: run.sealed, ...(runDamage === undefined ? {} : {damage: runDamage})})
    for (const record of run.records) {
      const artifact = stateOf(record, run.runId, run.sealed, checks.get(`${run.runId}\n${String(record.key)}`), damageOf(run.runId, String(record.key)))
      if (artifact.state === 'verified' || artifact.state === 'damaged') artifact.path = fileOf(record.key)
      else inventory.warnings.push(`${artifact.state} artifact not loaded: ${String(record.key)}${artifact.detail ? ` (${artifact.detail})` : ''}`)
      inventory.artifacts.push(artifact)
    }
  }
  if (!v.ok) inventory.warnings.push(`case ${caseId} does not verify (${v.issues.length} problem(s)); loaded with --accept-damaged: every row of the evidence concerned is marked in evidence_damage`)
  return inventory
}

function stateOf(record: ArtifactRecord, runId: string, sealed: boolean, check: ArtifactCheck | undefined, damage: string | undefined): CaseArtifact {
  const base: CaseArtifact = {...record, runId, sealed, state: 'verified', path: ''}
  const status = check?.status ?? 'missing'
  const notRead = NOT_READ[status]
  if (notRead) return {...base, state: notRead, detail: damage ?? check?.detail ?? status}
  // Altered bytes are read only when the damage was accepted, and marked like everything else.
  if (damage !== undefined || !INTACT.has(status)) return {...base, state: 'damaged', detail: damage ?? status}
  return base
}

/** The refusal of a case that does not verify, naming its problems. */
function unverified(v: CaseVerification): CoronerError {
  const shown = v.issues.slice(0, 20).map((i) => `  [${i.code}] ${i.message}`)
  const more = v.issues.length > shown.length ? [`  … and ${v.issues.length - shown.length} more`] : []
  return new CoronerError('evidence-unverified', [`Case ${v.caseId} in ${v.store} does not verify (${v.issues.length} problem(s)); nothing was loaded:`, ...shown, ...more].join('\n'), {
    hint: `Run \`coroner evidence verify --case ${v.caseId}\` to see every problem; \`coroner load --case ${v.caseId} --accept-damaged\` loads it anyway, every row of the damaged evidence marked.`,
  })
}
