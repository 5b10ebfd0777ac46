import {CoronerError, usageError} from '../core/errors.js'
import {indexCase} from '../evidence/case-index.js'
import {readManifest} from '../evidence/cases.js'
import {hashStream, sha256Hex} from '../evidence/hashing.js'
import {journalLines} from '../evidence/journal.js'
import {isRunId} from '../evidence/keys.js'
import type {RunStatus} from '../evidence/manifest.js'
import type {EvidenceStore} from '../evidence/store.js'
import type {StepOutcome} from './resolve.js'

/** Marks the journal entries of a playbook's own steps (the steps a step runs inside carry none). */
export const PLAYBOOK_SCOPE = 'playbook'

/** How a step ended in an earlier run, as its journal says. */
export interface PriorStep {
  outcome: StepOutcome
  /** Why it was skipped: `when` (final), or stopped, interrupted, unavailable, store-not-local… (run again on a resume). */
  cause?: string
  result?: unknown
  outputs?: Record<string, unknown>
  /** The result was too large to journal. */
  resultOmitted?: boolean
}

/** An earlier run of a playbook, read back from its custody journal (and manifest, when it sealed). */
export interface PriorRun {
  runId: string
  playbook: {id: string; sha256: string}
  params: Record<string, unknown>
  apply: boolean
  steps: Map<string, PriorStep>
  /** Steps that started and did not finish (interrupted, killed or failed): they resume from their checkpoints. */
  started: Set<string>
  status: RunStatus | 'unsealed'
  journalLastHash: string
  manifestSha256: string | null
}

/** The fields of the entries a resume reads. */
interface JournalEntry {
  type?: string
  step?: string
  scope?: string
  outcome?: string
  cause?: string
  result?: unknown
  outputs?: Record<string, unknown>
  resultOmitted?: boolean
  command?: string
  parameters?: {playbook?: {id?: string; sha256?: string}; params?: Record<string, unknown>; apply?: boolean}
  status?: RunStatus
}

/**
 * Reads what a `--resume RUN` continues, through the case index and the one journal reader: the
 * playbook and parameters it ran with and how each of its steps ended. A break in the journal's hash
 * chain is an error, since a resume must not build on entries that were altered.
 */
export async function readPriorRun(store: EvidenceStore, caseId: string, runId: string): Promise<PriorRun> {
  if (!isRunId(runId)) throw usageError('invalid-run-id', `${JSON.stringify(runId)} is not a run id.`, `\`coroner case show ${caseId}\` lists the runs of the case.`)
  const indexed = (await indexCase(store, caseId)).runs.find((r) => r.runId === runId)
  if (!indexed?.hasJournal) {
    throw usageError('unknown-run', `Case ${caseId} has no run ${runId} in ${store.location}.`, `\`coroner case show ${caseId}\` lists the runs of the case.`)
  }
  const prior: PriorRun = {runId, playbook: {id: '', sha256: ''}, params: {}, apply: false, steps: new Map(), started: new Set(), status: 'unsealed', journalLastHash: '', manifestSha256: null}
  for await (const l of journalLines(store, indexed.journalKey)) {
    if (l.problems.length > 0) throw brokenJournal(indexed.journalKey, `entry ${l.seq} departs from what was written (${l.problems.join(', ')})`)
    apply(prior, l.entry as JournalEntry)
    prior.journalLastHash = sha256Hex(l.line)
  }
  if (prior.playbook.id === '') {
    throw usageError('not-a-playbook-run', `Run ${runId} of case ${caseId} was not a playbook run, so there is no playbook to continue.`, 'Give the run id of a `coroner run`.')
  }
  if (indexed.manifest) {
    prior.status = (await readManifest(store, indexed.manifestKey, indexed.manifest.versionId)).status
    prior.manifestSha256 = (await hashStream(await store.get(indexed.manifestKey, indexed.manifest.versionId))).sha256
  }
  return prior
}

function apply(prior: PriorRun, entry: JournalEntry): void {
  if (entry.type === 'run-started') {
    const p = entry.parameters
    if (entry.command?.startsWith('run ') && p?.playbook?.id !== undefined) {
      prior.playbook = {id: p.playbook.id, sha256: p.playbook.sha256 ?? ''}
      prior.params = p.params ?? {}
      prior.apply = p.apply === true
    }
    return
  }
  if (entry.scope !== PLAYBOOK_SCOPE || typeof entry.step !== 'string') return
  if (entry.type === 'step-started') prior.started.add(entry.step)
  if (entry.type !== 'step-ended') return
  const outcome = entry.outcome as StepOutcome
  prior.steps.set(entry.step, {
    outcome,
    ...(entry.cause === undefined ? {} : {cause: entry.cause}),
    ...(entry.result === undefined ? {} : {result: entry.result}),
    ...(entry.outputs === undefined ? {} : {outputs: entry.outputs}),
    ...(entry.resultOmitted ? {resultOmitted: true} : {}),
  })
  if (outcome === 'done' || outcome === 'gap') prior.started.delete(entry.step)
}

function brokenJournal(key: string, problem: string): CoronerError {
  return new CoronerError('journal-broken', `The custody journal ${key}: ${problem}; a resume cannot build on it.`, {
    hint: 'Run `coroner evidence verify` on the case, and start the playbook again as a new run.',
  })
}

/** Whether a step of an earlier run is finished for good: done, ended with gaps, or skipped by its condition. */
export const isFinished = (s: PriorStep | undefined): boolean =>
  s !== undefined && !s.resultOmitted && (s.outcome === 'done' || s.outcome === 'gap' || (s.outcome === 'skipped' && s.cause === 'when'))
