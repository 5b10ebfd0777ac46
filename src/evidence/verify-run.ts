import type {KeyObject} from 'node:crypto'
import {toCoronerError} from '../core/errors.js'
import type {ProgressTask} from '../core/progress.js'
import {mapPool} from '../core/pool.js'
import {firstWritten, type IndexedRun} from './case-index.js'
import {sha256Hex} from './hashing.js'
import {readJournalChain, type JournalChain} from './journal.js'
import {MANIFEST_SCHEMA, computeSelfDigest, type ArtifactRecord, type Manifest} from './manifest.js'
import {SIGNATURE_NAME} from './signing.js'
import {readObject, type EvidenceStore} from './store.js'
import type {CaseVerification, IssueLog, RunCheck} from './verify-issues.js'
import {compareJournalWithManifest} from './verify-journal.js'
import {checkArtifact, live, modeIssue, readableObject, type ArtifactLog} from './verify-objects.js'
import {checkSignature} from './verify-signature.js'

/** One run as verify found it: what it recorded, and whether its manifest and signature hold. */
export interface ExaminedRun {
  runId: string
  prefix: string
  journalKey: string
  manifestKey: string
  /** Whether the run has a readable manifest. */
  sealed: boolean
  manifest?: Manifest
  /** SHA-256 of the manifest as first written. */
  manifestSha256?: string
  /** What its artifacts were checked against: its manifest's records, or its journal's for a run that never sealed. */
  records: ArtifactRecord[]
  hasJournal: boolean
  /** No manifest at all (never sealed), as opposed to one that cannot be read. */
  noManifest: boolean
  /** SHA-256 of the journal's last line, as read now. */
  journalLastHash: string
  /** The run this one resumed (a playbook's `--resume`), with the last journal line it built on. */
  resumeOf?: {runId: string; journalLastHash: string}
  /** Fingerprint of the key whose signature on the manifest holds. */
  signedBy?: string
}

export interface RunContext {
  log: IssueLog
  v: CaseVerification
  content: boolean
  /** This is the run doing the verification, still open (no manifest yet, by design). */
  open: boolean
  publicKey?: KeyObject
  /** Told of every artifact read back, with its size. */
  progress?: ProgressTask
  /** The journal's raw lines, when the caller has read them from this store already. */
  journal?: readonly string[]
  /** Ctrl-C: objects not yet read are not read, and the run's check throws the signal's reason. */
  signal?: AbortSignal
}

/** One run: its journal byte for byte, its manifest as first written, the two against each other, its signature, locks, and each artifact it records. */
export async function verifyRun(store: EvidenceStore, caseId: string, run: IndexedRun, ctx: RunContext): Promise<ExaminedRun> {
  const {log} = ctx
  const check = log.openRun({runId: run.runId, status: ctx.open ? 'open' : 'unsealed', artifacts: 0, problems: []})
  const out: ExaminedRun = {runId: run.runId, prefix: run.prefix, journalKey: run.journalKey, manifestKey: run.manifestKey, sealed: false, records: [], hasJournal: run.hasJournal, noManifest: !live(run.objects.get(run.manifestKey)).present, journalLastHash: ''}
  const journal = await readJournal(store, run, log, ctx.journal)
  const manifest = await readManifest(store, caseId, run, check, log)
  out.journalLastHash = journal.lastHash
  const resumeOf = resumedRun(manifest ? manifest.manifest.parameters : journal.started?.parameters)
  if (resumeOf) out.resumeOf = resumeOf
  if (manifest) {
    Object.assign(out, {sealed: true, manifest: manifest.manifest, manifestSha256: manifest.sha256})
    if (journal.entries > 0) for (const m of compareJournalWithManifest(manifest.manifest, journal, run.journalKey)) log.run(run.runId, 'journal-manifest-mismatch', m.message, m.key)
    if (manifest.manifest.store?.allowUnlocked) log.warn(`run ${run.runId} was written with --allow-unlocked: its objects were not protected by Object Lock`)
    const signedBy = await checkSignature(store, run, manifest, {log, ...(ctx.publicKey === undefined ? {} : {publicKey: ctx.publicKey})}, check)
    if (signedBy !== undefined) out.signedBy = signedBy
  }
  const locked = store.checkObject !== undefined && !manifest?.manifest.store?.allowUnlocked
  await checkJournalSegments(store, run, locked, log, ctx.signal)
  if (locked && run.manifest) for (const issue of await store.checkObject!(run.manifestKey, run.manifest.versionId)) log.run(run.runId, 'unlocked', `manifest ${run.manifestKey}: ${issue.message}`, run.manifestKey)
  out.records = manifest?.manifest.artifacts ?? journal.artifacts
  await checkRecorded(store, caseId, run, out.records, {log, locked, content: ctx.content, ...(ctx.progress === undefined ? {} : {progress: ctx.progress}), ...(ctx.signal === undefined ? {} : {signal: ctx.signal})}, check)
  checkUnlisted(run, out.records, log)
  return out
}

/** What a run's parameters say it resumed: a playbook's `resumeOf`, naming the run and its last journal line. */
function resumedRun(parameters: unknown): ExaminedRun['resumeOf'] {
  const r = (parameters as {resumeOf?: {runId?: unknown; journalLastHash?: unknown}} | null | undefined)?.resumeOf
  return typeof r?.runId === 'string' && typeof r.journalLastHash === 'string' ? {runId: r.runId, journalLastHash: r.journalLastHash} : undefined
}

/** The run's journal, unless it is a link (never read through one); every problem in it named. */
async function readJournal(store: EvidenceStore, run: IndexedRun, log: IssueLog, lines?: readonly string[]): Promise<JournalChain> {
  const empty: JournalChain = {lastHash: '', entries: 0, artifacts: [], gaps: 0, warnings: [], problems: []}
  const state = live(run.objects.get(run.journalKey))
  if (state.present && !readableObject(log, run, run.journalKey, state, 'journal')) return empty
  let journal: JournalChain
  try {
    journal = await readJournalChain(store, run.journalKey, lines)
  } catch (error) {
    log.run(run.runId, 'journal-missing', `journal ${run.journalKey} could not be read: ${toCoronerError(error).message}`, run.journalKey)
    return empty
  }
  for (const p of journal.problems) log.run(run.runId, p.code, p.message, run.journalKey)
  if (journal.entries === 0) log.run(run.runId, 'journal-missing', `journal ${run.journalKey} is missing or empty`, run.journalKey)
  return journal
}

/** The manifest as first written: readable, of our schema, untouched since sealed, naming this run, ending where the journal ends. */
async function readManifest(store: EvidenceStore, caseId: string, run: IndexedRun, check: RunCheck, log: IssueLog): Promise<{manifest: Manifest; sha256: string; text: string} | undefined> {
  const key = run.manifestKey
  const state = live(run.objects.get(key))
  if (state.overlaid) log.run(run.runId, 'overlaid', `manifest ${key}: ${state.overlaid}`, key)
  // A run without a manifest is named across runs (checkUnsealed): a later run may have resumed it.
  if (!state.present) return undefined
  if (!readableObject(log, run, key, state, 'manifest')) return undefined
  const mode = modeIssue(state.target)
  if (mode) log.run(run.runId, 'mode-changed', `manifest ${key}: ${mode}`, key)
  let text: string
  try {
    text = (await readObject(store, key, run.manifest?.versionId)).toString('utf8')
  } catch (error) {
    log.run(run.runId, 'manifest-invalid', `manifest ${key} could not be read: ${(error as Error).message}`, key)
    return undefined
  }
  const sha256 = sha256Hex(text)
  check.manifestSha256 = sha256
  let manifest: Manifest
  try {
    manifest = JSON.parse(text) as Manifest
    if (typeof manifest !== 'object' || manifest === null || !Array.isArray(manifest.artifacts)) throw new Error('no artifacts list')
  } catch {
    log.run(run.runId, 'manifest-invalid', `manifest ${key} is not a valid manifest (not JSON, or no artifacts list)`, key)
    return undefined
  }
  if (manifest.schema !== MANIFEST_SCHEMA) log.run(run.runId, 'manifest-invalid', `manifest ${key} has unknown schema ${String(manifest.schema)}`, key)
  if (computeSelfDigest(manifest) !== manifest.selfDigest) log.run(run.runId, 'manifest-edited', `manifest ${key} was edited: its content does not match its selfDigest`, key)
  if (manifest.runId !== run.runId || manifest.caseId !== caseId) log.run(run.runId, 'manifest-misnamed', `manifest ${key} names run ${String(manifest.runId)} of case ${String(manifest.caseId)}`, key)
  check.status = manifest.status
  return {manifest, sha256, text}
}

/** Journal line objects (S3 writes one per line): none overlaid and, where the store locks, each locked. */
async function checkJournalSegments(store: EvidenceStore, run: IndexedRun, locked: boolean, log: IssueLog, signal: AbortSignal | undefined): Promise<void> {
  const segments = [...run.objects].filter(([key]) => key.startsWith(`${run.journalKey}.d/`))
  for (const [key, versions] of segments) {
    const state = live(versions)
    if (state.overlaid) log.run(run.runId, 'overlaid', `journal segment ${key}: ${state.overlaid}`, key)
  }
  const checked = locked ? await mapPool(segments, VERIFY_CONCURRENCY, ([key, versions]) => store.checkObject!(key, firstWritten(versions)?.versionId), signal) : []
  const unlocked: string[] = []
  for (const [i, c] of checked.entries()) {
    if (!c.ok) throw c.error
    if (c.value.length > 0) unlocked.push(`${segments[i]![0]}: ${c.value.map((issue) => issue.message).join('; ')}`)
  }
  if (unlocked.length > 0) log.run(run.runId, 'unlocked', `journal ${run.journalKey}: ${unlocked.length} of ${segments.length} line object(s) not locked, first ${unlocked[0]}`, run.journalKey)
  const journal = live(run.objects.get(run.journalKey))
  const mode = modeIssue(journal.target)
  // A run killed before it sealed never closed (nor made read-only) its journal.
  if (mode && run.manifest !== undefined) log.run(run.runId, 'mode-changed', `journal ${run.journalKey}: ${mode}`, run.journalKey)
}

/** Every artifact the run records: inside the run, then present, intact, locked. */
async function checkRecorded(store: EvidenceStore, caseId: string, run: IndexedRun, records: readonly ArtifactRecord[], opts: {log: IssueLog; locked: boolean; content: boolean; progress?: ProgressTask; signal?: AbortSignal}, check: RunCheck): Promise<void> {
  check.artifacts += records.length
  // Re-hashing is bound by the files' latency more than by SHA-256 (which runs at GB/s): a few at once, reported in record order.
  const checked = await mapPool(records, VERIFY_CONCURRENCY, async (a) => {
    const reported: Array<Parameters<IssueLog['artifact']>> = []
    const log: ArtifactLog = {artifact: (art, problem) => (reported.push([art, problem]), art)}
    // A run only ever writes under its own prefix: a record naming another case's (or run's) object was put there by hand.
    if (typeof a.key !== 'string' || !a.key.startsWith(run.prefix)) {
      log.artifact(
        {key: String(a.key), runId: run.runId, status: 'outside-run', detail: `outside the run's prefix ${run.prefix}`},
        {code: 'artifact-outside-run', message: `run ${run.runId} of case ${caseId} records artifact ${JSON.stringify(a.key)}, outside its own prefix: it is not read`},
      )
    } else await checkArtifact(store, run, a, {...opts, log})
    opts.progress?.advance(1, typeof a.size === 'number' ? a.size : 0)
    return reported
  }, opts.signal)
  for (const c of checked) {
    if (!c.ok) throw c.error
    for (const [art, problem] of c.value) opts.log.artifact(art, problem)
  }
}

const VERIFY_CONCURRENCY = 8

/** Objects of the run that nothing records: planted, or left by an interrupted write. */
function checkUnlisted(run: IndexedRun, records: readonly ArtifactRecord[], log: IssueLog): void {
  const known = new Set([run.manifestKey, run.journalKey, `${run.prefix}${SIGNATURE_NAME}`, ...records.map((a) => a.key)])
  for (const key of run.objects.keys()) {
    if (known.has(key) || key.startsWith(`${run.journalKey}.d/`)) continue
    if (!live(run.objects.get(key)).present) continue
    const detail = /\.partial-[0-9a-f]+$/.test(key) ? 'an unfinished write left behind by an interrupted run' : 'not listed in the manifest or journal'
    log.artifact({key, runId: run.runId, status: 'extra', detail}, {code: 'object-extra', message: `${key}: ${detail}`})
  }
}
