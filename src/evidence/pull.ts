import {readdir, rm} from 'node:fs/promises'
import path from 'node:path'
import type {Progress, ProgressTask} from '../core/progress.js'
import {CoronerError, usageError} from '../core/errors.js'
import {forEachBounded} from '../core/pool.js'
import {removeOnQuit} from '../core/quit.js'
import {firstWritten, indexCase, type IndexedRun} from './case-index.js'
import {SIGNATURE_NAME} from './signing.js'
import {journalLines} from './journal.js'
import {LocalDirectoryStore} from './stores/local.js'
import type {ArtifactRecord, Manifest} from './manifest.js'
import {EvidenceHashMismatchError, readObject, readUpTo, type EvidenceStore} from './store.js'
import {objectsToRead, verifyCase, type CaseVerification} from './verify.js'

export interface PullResult {
  caseId: string
  from: string
  to: string
  runs: number
  objects: number
  bytes: number
  /** Objects of the case in the source that no manifest or journal names, left behind. */
  notPulled: string[]
  /**
   * The source as verify sees it, its bytes aside (each is hashed as it is copied): versions laid
   * over the evidence, delete markers, locks, journals, manifests, signatures, the chain.
   */
  source: CaseVerification
  /** The copy, verified whole. */
  verification: CaseVerification
  /** Both hold. */
  ok: boolean
}

/** Artifacts copied at once. */
const PULL_CONCURRENCY = 8
/** An artifact up to this size is copied through memory (one write at the destination); a larger one is streamed. */
const IN_MEMORY_BYTES = 8 * 2 ** 20
/** Journal lines copied in one write. */
const JOURNAL_BATCH = 256
/** Journal text kept, across the case's runs, for the source's check after the copy; past it a journal is read again. */
const JOURNAL_KEEP_CHARS = 64 * 2 ** 20

type JournalArtifact = Pick<ArtifactRecord, 'key' | 'sha256' | 'size'> & {versionId?: string; contentType?: string}

/**
 * Copies a case from any store into a local directory that becomes a store of its own (same keys,
 * read-only files): each artifact is read by its recorded VersionId and written only if its
 * SHA-256 matches the manifest (or, for a run that never sealed, its journal). The first mismatch
 * stops the pull, naming the key. The source is verified by the one verifier (all but re-reading
 * the bytes the copy hashes), and the copy as a whole: what the source shows that the copy cannot
 * (a version laid over an object, a delete marker, an unlocked object) fails the pull too.
 * Stopped by `signal` (Ctrl-C), it reads nothing more, removes its partial copy (the case folder
 * it made; the source is untouched) so the same pull can run again, and throws the signal's reason.
 */
export async function pullCase(source: EvidenceStore, caseId: string, dir: string, progress?: Progress, signal?: AbortSignal): Promise<PullResult> {
  const target = path.resolve(dir)
  const caseDir = path.join(target, 'cases', caseId)
  if (await readdir(caseDir).then(() => true, () => false)) {
    throw usageError('pull-target-exists', `${caseDir} already exists; pull never overwrites evidence.`, 'Pull into an empty directory, or remove the earlier copy first.')
  }
  const index = await indexCase(source, caseId)
  if (index.runs.length === 0) throw usageError('unknown-case', `No case ${caseId} in ${source.location}.`, 'Run `coroner case list`, or check --store.')
  const dest = new LocalDirectoryStore(target)
  const result: Omit<PullResult, 'verification' | 'source' | 'ok'> = {caseId, from: source.location, to: dest.location, runs: index.runs.length, objects: 0, bytes: 0, notPulled: []}
  const task = progress?.task(`pulling ${caseId}`)
  task?.setTotal(...objectsToRead(index))
  const journals = new KeptLines(JOURNAL_KEEP_CHARS)
  const stop = signal === undefined ? {} : {signal}
  const forget = removeOnQuit(caseDir)
  try {
    try {
      for (const run of index.runs) {
        signal?.throwIfAborted()
        await pullRun(source, dest, caseId, run, result, journals, task, signal)
      }
    } finally {
      task?.done()
    }
    // After the copy, so the lock state each read returned serves the source's lock checks; the
    // listing and the journals just read are not read again.
    const sourceCheck = await verifyCase(source, caseId, {content: false, readAlready: {index, journals: journals.kept}, ...stop})
    const check = progress?.task(`verifying the copy of ${caseId}`)
    const verification = await verifyCase(dest, caseId, {...(check ? {progress: check} : {}), ...stop}).finally(() => check?.done())
    return {...result, source: sourceCheck, verification, ok: sourceCheck.ok && verification.ok}
  } catch (error) {
    if (!signal?.aborted) throw error
    await rm(caseDir, {recursive: true, force: true})
    throw signal.reason
  } finally {
    forget()
  }
}

/** One run: its journal line by line, each artifact it lists (hash checked), then its manifest as first written. */
async function pullRun(source: EvidenceStore, dest: EvidenceStore, caseId: string, run: IndexedRun, result: Omit<PullResult, 'verification' | 'source' | 'ok'>, journals: KeptLines, task: ProgressTask | undefined, signal: AbortSignal | undefined): Promise<void> {
  const journalArtifacts: JournalArtifact[] = []
  const journal = await dest.openJournal(run.journalKey)
  // Lines are copied as they are (a blank or CRLF line too), a batch to a write; verify names any that breaks the chain.
  const batch: string[] = []
  for await (const {line, entry} of journalLines(source, run.journalKey, journals.read(source, run.journalKey))) {
    batch.push(line)
    if (batch.length >= JOURNAL_BATCH) await journal.append(...batch.splice(0))
    if (entry?.type === 'artifact' && entry.artifact) journalArtifacts.push(entry.artifact)
  }
  await journal.append(...batch)
  await journal.close()
  const manifestText = run.manifest ? await (await readObject(source, run.manifestKey, run.manifest.versionId)).toString('utf8') : undefined
  let artifacts: JournalArtifact[] = journalArtifacts
  if (manifestText !== undefined) {
    try {
      artifacts = (JSON.parse(manifestText) as Manifest).artifacts
    } catch {
      // An unreadable manifest is copied as it is; the journal says what to pull.
    }
  }
  const pulled = new Set([run.journalKey, run.manifestKey])
  for (const a of artifacts) pulled.add(a.key)
  // A few at once, as verify reads: the first that does not hash as recorded stops the pull.
  await forEachBounded(artifacts, PULL_CONCURRENCY, signal, async (a) => {
    const size = await pullArtifact(source, dest, caseId, run, a)
    result.bytes += size
    result.objects++
    task?.advance(1, size)
  })
  signal?.throwIfAborted()
  if (manifestText !== undefined) {
    await dest.put(run.manifestKey, manifestText, {contentType: 'application/json'})
    result.objects++
  }
  const signatureKey = `${run.prefix}${SIGNATURE_NAME}`
  const signature = firstWritten(run.objects.get(signatureKey))
  if (signature) {
    // Copied as first written; the copy's verify checks it against the manifest.
    await dest.put(signatureKey, await readObject(source, signatureKey, signature.versionId), {contentType: 'application/json'})
    pulled.add(signatureKey)
    result.objects++
  }
  for (const key of run.objects.keys()) {
    if (!pulled.has(key) && !key.startsWith(`${run.journalKey}.d/`)) result.notPulled.push(key)
  }
}

/** Journals' raw lines read from a store, kept by key once read to the end, while their total stays under a budget (a journal that would pass it is not kept). */
class KeptLines {
  readonly kept = new Map<string, string[]>()
  private chars = 0

  constructor(private readonly budget: number) {}

  async *read(store: EvidenceStore, key: string): AsyncIterable<string> {
    let mine: string[] | undefined = []
    let chars = 0
    for await (const line of store.readJournal(key)) {
      chars += line.length
      if (this.chars + chars > this.budget) mine = undefined
      mine?.push(line)
      yield line
    }
    if (mine === undefined) return
    this.chars += chars
    this.kept.set(key, mine)
  }
}

/** Copies one artifact by its recorded version, only if its bytes hash as recorded; returns its size. */
async function pullArtifact(source: EvidenceStore, dest: EvidenceStore, caseId: string, run: IndexedRun, a: JournalArtifact): Promise<number> {
  // A run only ever writes under its own prefix; a listed key elsewhere was put there by hand.
  if (typeof a.key !== 'string' || !a.key.startsWith(run.prefix)) {
    throw new CoronerError('pull-key-outside-run', `Run ${run.runId} of case ${caseId} in ${source.location} lists artifact ${JSON.stringify(a.key)}, outside the run's own prefix ${run.prefix}; the pull stopped and it was not copied.`, {
      hint: `Run \`coroner evidence verify --case ${caseId}\` on the source store: its manifest or journal was altered.`,
    })
  }
  try {
    const stored = await dest.put(a.key, await readUpTo(source, a.key, a.versionId, IN_MEMORY_BYTES), {expectSha256: a.sha256, ...(a.contentType === undefined ? {} : {contentType: a.contentType})})
    return stored.size
  } catch (error) {
    if (error instanceof EvidenceHashMismatchError) {
      throw new CoronerError('pull-hash-mismatch', `Evidence object ${a.key}${a.versionId === undefined ? '' : ` (version ${a.versionId})`} in ${source.location} hashes to ${error.actual}, but the manifest records ${a.sha256}; the pull stopped and it was not copied.`, {
        hint: `Run \`coroner evidence verify --case ${caseId}\` on the source store to see every problem.`,
        cause: error,
      })
    }
    throw error
  }
}
