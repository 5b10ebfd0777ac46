import {createHash} from 'node:crypto'
import os from 'node:os'
import type {Clock} from '../core/clock.js'
import {toCoronerError} from '../core/errors.js'
import {TOOL} from '../core/version.js'
import {hashStream, sha256Hex} from './hashing.js'
import {indexCase, runIsPresent} from './case-index.js'
import {formatHead} from './case-head.js'
import {JOURNAL_NAME, MANIFEST_NAME, keySegment, newRunId, runPrefix} from './keys.js'
import {ArtifactSpool} from './artifact-spool.js'
import {
  MANIFEST_SCHEMA,
  streamedManifestPieces,
  streamedSelfDigest,
  type ArtifactRecord,
  type CallerRecord,
  type HostInfo,
  type Manifest,
  type RunStatus,
} from './manifest.js'
import type {Gap} from './gap.js'
import {SIGNATURE_NAME, SIGNATURE_SCHEMA, signedMessage, type ManifestSignature, type SignerIdentity} from './signing.js'
import type {BodySource, EvidenceStore, JournalWriter} from './store.js'

/** What a collector says about an artifact it hands to the run. */
export interface ArtifactMeta {
  kind: string
  contentType: string
  source: string
  collector: string
  region?: string
  records?: number
  attributes?: Record<string, unknown>
  /** SHA-256 (hex) the bytes must have, e.g. Lambda's CodeSha256 converted to hex. */
  expectSha256?: string
  /**
   * What is known only once the body is written (a streamed body's record count and what it met),
   * asked for after the store has taken every byte and laid over `records` and `attributes`.
   */
  completed?: () => Pick<ArtifactMeta, 'records' | 'attributes'>
}

/** What a step's journal entries carry beside its name, parameters, outcome and duration. */
export interface StepJournalOptions<T> {
  fields?: Record<string, unknown>
  ended?: (result: T) => Record<string, unknown>
}

export interface BeginRunOptions {
  store: EvidenceStore
  caseId: string
  command: string
  parameters: Record<string, unknown>
  clock: Clock
  caller?: CallerRecord | null
  storeAttributes?: {allowUnlocked?: boolean}
}

/** A sealed manifest as the run returns it: every field but the artifact records, which were streamed to the store and are read back from it. */
export type SealedManifest = Omit<Manifest, 'artifacts'>

export interface FinishedRun {
  manifest: SealedManifest
  /** How many artifacts the manifest lists. */
  artifacts: number
  manifestKey: string
  manifestSha256: string
  /** The case head after this run (docs/evidence-format.md): record it outside the store. */
  head: string
  /** The signature written beside the manifest, when the store signs. */
  signature?: {key: string; keyId: string; publicKeySha256: string}
  /** What went wrong sealing the run without losing it: a signature that could not be made. */
  warnings: string[]
}

/** Where a new run stands in its case: the latest sealed run before it (for the chain) and how many runs came before. */
interface ChainPosition {
  previous: Manifest['previousManifest']
  runsBefore: number
}

/** Facts about the machine and person running coroner, for the custody journal. */
export function hostInfo(): HostInfo {
  let user = 'unknown'
  try {
    user = os.userInfo().username
  } catch {
    // Containers without a passwd entry for the uid have no user name.
  }
  return {hostname: os.hostname(), user, platform: `${process.platform}-${process.arch}`, node: process.version, pid: process.pid}
}

/**
 * One run of a case: every artifact written through it is hashed and journalled as it lands, and
 * `finish` writes the manifest last, linked by hash to the previous run's. The journal is
 * append-only and hash-chained, so a run cut short still says what it wrote.
 */
export class EvidenceRun {
  readonly caseId: string
  readonly runId: string
  readonly prefix: string
  readonly store: EvidenceStore
  private readonly clock: Clock
  private readonly journal: JournalWriter
  private readonly startedAt: string
  /** The artifact records, kept on disk rather than in memory until the manifest is sealed. */
  private readonly artifacts = new ArtifactSpool()
  private readonly warnings: string[] = []
  /** The keys of the run's artifacts so far, each by the first 16 bytes of its SHA-256: a run of 100,000 artifacts keeps 4 MB, not 20. */
  private readonly usedKeys = new Set<string>()
  private seq = 0
  private lastHash = ''
  /** Appends in the order entries were chained, however many collectors write at once. */
  private appending: Promise<void> = Promise.resolve()
  /** The lines waiting for the write in flight to end, to go out together. */
  private batch: {lines: string[]; written: Promise<void>} | undefined
  private readonly gapRecords: Gap[] = []
  private failedSteps = 0
  private finished: FinishedRun | undefined

  private constructor(
    private readonly options: BeginRunOptions,
    runId: string,
    journal: JournalWriter,
    private readonly position: ChainPosition,
    private readonly signing: SignerIdentity | undefined,
  ) {
    this.caseId = options.caseId
    this.runId = runId
    this.prefix = runPrefix(options.caseId, runId)
    this.store = options.store
    this.clock = options.clock
    this.journal = journal
    this.startedAt = this.clock.now().toISOString()
  }

  /** Opens a new run in a case: finds the previous manifest for the chain and starts the journal. */
  static async begin(options: BeginRunOptions): Promise<EvidenceRun> {
    const runId = newRunId(options.clock)
    // The signer is asked who it is before anything is written: a key KMS refuses stops the run here.
    const signing = await options.store.signer?.identity()
    const position = await chainPosition(options.store, options.caseId, runId)
    const journal = await options.store.openJournal(`${runPrefix(options.caseId, runId)}${JOURNAL_NAME}`)
    const run = new EvidenceRun(options, runId, journal, position, signing)
    await run.record('run-started', {
      caseId: options.caseId,
      runId,
      command: options.command,
      parameters: options.parameters,
      tool: TOOL,
      host: hostInfo(),
      caller: options.caller ?? null,
      store: {kind: options.store.kind, location: options.store.location},
      previousManifest: position.previous,
      runsBefore: position.runsBefore,
      ...(signing === undefined ? {} : {signing: signedBy(signing)}),
    })
    return run
  }

  /** Every gap recorded so far, in the order recorded. */
  get gaps(): readonly Gap[] {
    return this.gapRecords
  }

  /** The artifacts written so far, as journalled, in order: what a later step of the same run reads (e.g. the hashes digest validation checks). */
  artifactRecords(): AsyncIterable<ArtifactRecord> {
    return this.artifacts.records()
  }

  get artifactCount(): number {
    return this.artifacts.size
  }

  /** The status the run would end with now. */
  get status(): RunStatus {
    return this.gapRecords.length > 0 || this.failedSteps > 0 ? 'partial' : 'complete'
  }

  /**
   * Writes one artifact under `<run>/<segments…>`; each segment is made key-safe, so names taken
   * from AWS or from an attacker never become paths.
   */
  async putArtifact(segments: readonly string[], body: BodySource, meta: ArtifactMeta): Promise<ArtifactRecord> {
    const key = this.uniqueKey(segments)
    const collectedAt = this.clock.now().toISOString()
    const stored = await this.store.put(key, body, {
      contentType: meta.contentType,
      metadata: {source: meta.source.slice(0, 512), collector: meta.collector, 'collected-at': collectedAt},
      ...(meta.expectSha256 === undefined ? {} : {expectSha256: meta.expectSha256}),
    })
    const late = meta.completed?.() ?? {}
    const records = late.records ?? meta.records
    const attributes = late.attributes ?? meta.attributes
    const record: ArtifactRecord = {
      key: stored.key,
      sha256: stored.sha256,
      size: stored.size,
      ...(stored.versionId === undefined ? {} : {versionId: stored.versionId}),
      kind: meta.kind,
      contentType: meta.contentType,
      source: meta.source,
      collector: meta.collector,
      collectedAt,
      ...(meta.region === undefined ? {} : {region: meta.region}),
      ...(records === undefined ? {} : {records}),
      ...(attributes === undefined ? {} : {attributes}),
    }
    // Spooled and journalled in the same order, so the manifest lists artifacts as the journal does.
    await Promise.all([this.artifacts.add(record), this.record('artifact', {artifact: record})])
    return record
  }

  /**
   * Runs one step of work, journalling its start, end, duration and outcome. A failure is rethrown.
   * `fields` go into both entries (a playbook marks its own steps so); `ended` adds to the end
   * entry what the result says (a playbook step's outcome and result).
   */
  async step<T>(name: string, parameters: Record<string, unknown>, work: () => Promise<T>, options: StepJournalOptions<T> = {}): Promise<T> {
    const started = Date.now()
    await this.record('step-started', {step: name, ...options.fields, parameters})
    try {
      const result = await work()
      await this.record('step-ended', {step: name, ...options.fields, outcome: 'done', durationMs: Date.now() - started, ...options.ended?.(result)})
      return result
    } catch (error) {
      this.failedSteps++
      const e = toCoronerError(error)
      await this.record('step-ended', {
        step: name,
        ...options.fields,
        outcome: 'failed',
        durationMs: Date.now() - started,
        error: {code: e.code, message: e.message},
      })
      throw error
    }
  }

  /** Records a step that was deliberately not run, and why. */
  async skip(name: string, reason: string, fields: Record<string, unknown> = {}): Promise<void> {
    await this.record('step-ended', {step: name, ...fields, outcome: 'skipped', reason})
  }

  /** Records a step that ended in an earlier run this one continues, with what it ended as there. */
  async carryStep(name: string, fields: Record<string, unknown> & {outcome: string; carriedFrom: string}): Promise<void> {
    await this.record('step-ended', {step: name, ...fields})
  }

  async gap(gap: Gap): Promise<void> {
    this.gapRecords.push(gap)
    await this.record('gap', {gap})
  }

  async warn(message: string): Promise<void> {
    this.warnings.push(message)
    await this.record('warning', {message})
  }

  async note(message: string, data: Record<string, unknown> = {}): Promise<void> {
    await this.record('note', {message, ...data})
  }

  /**
   * Seals the run: closes the journal and writes the manifest, the last object of a run. Safe to
   * call more than once (the first call wins), so it can sit in a `finally` and a signal handler.
   */
  async finish(status: RunStatus = this.status): Promise<FinishedRun> {
    if (this.finished) return this.finished
    const endedAt = this.clock.now().toISOString()
    await this.record('run-ended', {status, artifacts: this.artifacts.size, gaps: this.gapRecords.length})
    await this.journal.close()
    const o = this.options
    const allowUnlocked = o.storeAttributes?.allowUnlocked ?? o.store.storeAttributes?.allowUnlocked
    const body: Omit<SealedManifest, 'selfDigest'> = {
      schema: MANIFEST_SCHEMA,
      caseId: this.caseId,
      runId: this.runId,
      command: o.command,
      status,
      startedAt: this.startedAt,
      endedAt,
      tool: TOOL,
      host: hostInfo(),
      caller: o.caller ?? null,
      parameters: o.parameters,
      store: {
        kind: o.store.kind,
        location: o.store.location,
        immutable: o.store.guarantee.immutable,
        note: o.store.guarantee.note,
        ...(allowUnlocked === undefined ? {} : {allowUnlocked}),
      },
      previousManifest: this.position.previous,
      runsBefore: this.position.runsBefore,
      ...(this.signing === undefined ? {} : {signing: signedBy(this.signing)}),
      journal: {key: `${this.prefix}${JOURNAL_NAME}`, entries: this.seq, lastHash: this.lastHash},
      gaps: this.gapRecords.length,
      warnings: this.warnings,
    }
    const manifestKey = `${this.prefix}${MANIFEST_NAME}`
    let manifest: SealedManifest
    let stored: {sha256: string}
    try {
      manifest = {...body, selfDigest: await streamedSelfDigest(body, this.artifacts.records())}
      stored = await this.store.put(manifestKey, manifestBytes(streamedManifestPieces(manifest, this.artifacts.records())), {contentType: 'application/json'})
    } finally {
      await this.artifacts.dispose()
    }
    const finished: FinishedRun = {manifest, manifestKey, artifacts: this.artifacts.size, manifestSha256: stored.sha256, head: formatHead(this.position.runsBefore + 1, stored.sha256), warnings: []}
    if (this.signing) await this.sign(finished, this.signing)
    this.finished = finished
    return finished
  }

  /**
   * Signs the sealed manifest and writes the signature beside it. A signature that cannot be made
   * (KMS refused, unreachable) loses nothing: the run stays sealed, says so, and verify names the
   * missing signature.
   */
  private async sign(finished: FinishedRun, identity: SignerIdentity): Promise<void> {
    const key = `${this.prefix}${SIGNATURE_NAME}`
    try {
      const signature = await this.store.signer!.sign(signedMessage(finished.manifestSha256))
      const record: ManifestSignature = {
        schema: SIGNATURE_SCHEMA,
        caseId: this.caseId,
        runId: this.runId,
        manifestKey: finished.manifestKey,
        manifestSha256: finished.manifestSha256,
        ...identity,
        signature: Buffer.from(signature).toString('base64'),
        signedAt: this.clock.now().toISOString(),
      }
      await this.store.put(key, `${JSON.stringify(record, null, 2)}\n`, {contentType: 'application/json'})
      finished.signature = {key, keyId: identity.keyId, publicKeySha256: identity.publicKeySha256}
    } catch (error) {
      finished.warnings.push(`the manifest of run ${this.runId} could not be signed with ${identity.keyId}: ${toCoronerError(error).message}; verify will name the missing signature`)
    }
  }

  private uniqueKey(segments: readonly string[]): string {
    const safe = segments.map((s) => keySegment(s))
    let key = `${this.prefix}${safe.join('/')}`
    for (let n = 2; this.usedKeys.has(keyDigest(key)); n++) {
      const last = safe.length - 1
      const name = safe[last] ?? 'artifact'
      const dot = name.indexOf('.', 1)
      const renamed = dot > 0 ? `${name.slice(0, dot)}~${n}${name.slice(dot)}` : `${name}~${n}`
      key = `${this.prefix}${[...safe.slice(0, last), renamed].join('/')}`
    }
    this.usedKeys.add(keyDigest(key))
    return key
  }

  private async record(type: string, data: Record<string, unknown>): Promise<void> {
    const entry = {seq: ++this.seq, at: this.clock.now().toISOString(), type, prevHash: this.lastHash, ...data}
    const line = JSON.stringify(entry)
    this.lastHash = sha256Hex(line)
    await this.append(line)
  }

  /**
   * Group commit: lines chained while a write is in flight go out together in the next write (one
   * sync of a local journal, one S3 object), so collectors writing side by side are not held to
   * one journal write per artifact. Lines keep their chain order; each call resolves once its
   * line is durable.
   */
  private append(line: string): Promise<void> {
    if (this.batch === undefined) {
      const batch: {lines: string[]; written: Promise<void>} = {lines: [], written: Promise.resolve()}
      batch.written = this.appending.then(() => {
        if (this.batch === batch) this.batch = undefined
        return this.journal.append(...batch.lines)
      })
      this.appending = batch.written.catch(() => {})
      this.batch = batch
    }
    this.batch.lines.push(line)
    return this.batch.written
  }
}

/**
 * A manifest's stored bytes in blocks of about 64 KiB: the manifest of a run with many thousand
 * artifacts is written without its text ever being whole in memory.
 */
async function* manifestBytes(pieces: AsyncIterable<string>): AsyncGenerator<Buffer> {
  let pending: string[] = []
  let length = 0
  for await (const piece of pieces) {
    pending.push(piece)
    length += piece.length
    if (length >= 64 * 1024) {
      yield Buffer.from(pending.join(''), 'utf8')
      pending = []
      length = 0
    }
  }
  if (pending.length > 0) yield Buffer.from(pending.join(''), 'utf8')
}

/** What a manifest says of its signing key (the signature itself lies beside it). */
const signedBy = (s: SignerIdentity): NonNullable<Manifest['signing']> => ({keyId: s.keyId, algorithm: s.algorithm, publicKeySha256: s.publicKeySha256})

/**
 * The latest sealed run of a case before `runId`, with its manifest's SHA-256 as first written (the
 * chain), and how many runs the case holds before it, sealed or not (so a run removed later is missed).
 */
async function chainPosition(store: EvidenceStore, caseId: string, beforeRunId: string): Promise<ChainPosition> {
  const earlier = (await indexCase(store, caseId)).runs.filter((r) => r.runId < beforeRunId && runIsPresent(r))
  // A manifest that is a link (or other than a file) is never read: the new run does not link to it, and verify names it.
  const last = earlier.filter((r) => r.manifest !== undefined && r.manifest.fileType === undefined).at(-1)
  if (!last) return {previous: null, runsBefore: earlier.length}
  const {sha256} = await hashStream(await store.get(last.manifestKey, last.manifest!.versionId))
  return {previous: {runId: last.runId, key: last.manifestKey, sha256}, runsBefore: earlier.length}
}

/** A key by the first 16 bytes of its SHA-256 (a chance of two of 100,000 keys colliding below 10^-28). */
const keyDigest = (key: string): string => createHash('sha256').update(key).digest().subarray(0, 16).toString('latin1')
