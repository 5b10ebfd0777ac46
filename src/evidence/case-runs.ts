import {usageError} from '../core/errors.js'
import {indexCase, type IndexedRun} from './case-index.js'
import {parseManifest, readManifestText} from './cases.js'
import type {Gap} from './gap.js'
import {sha256Hex} from './hashing.js'
import {journalLines, type JournalEntry} from './journal.js'
import type {ArtifactRecord, HostInfo, Manifest, RunStatus} from './manifest.js'
import type {EvidenceStore} from './store.js'

/** One run of a case as `case show` reports it: what ran, with what, by whom, how it ended, and every gap with its reason. */
export interface RunDescription {
  runId: string
  status: RunStatus | 'unsealed'
  command: string | null
  parameters: Record<string, unknown>
  startedAt: string | null
  endedAt: string | null
  /** The local account and host the run was made from (`user@host`). */
  user: string | null
  /** The AWS caller (STS ARN), when the run called AWS. */
  caller: string | null
  artifacts: number
  gaps: Gap[]
  warnings: string[]
  /** The SHA-256 of the manifest as first written; null for a run that never sealed. */
  manifestSha256: string | null
  /** Everything recorded about the run, when one run is shown in full. */
  detail?: RunDetail
}

/** A step of a run as its journal records it. */
export interface RunStepRecord {
  step: string
  uses: string | null
  parameters: Record<string, unknown>
  outcome: string | null
  durationMs: number | null
  reason: string | null
}

export interface RunDetail {
  manifestKey: string
  journalKey: string
  tool: {name: string; version: string} | null
  host: HostInfo | null
  store: {kind: string; location: string} | null
  previousManifest: {runId: string; key: string; sha256: string} | null
  artifacts: ArtifactRecord[]
  steps: RunStepRecord[]
  notes: string[]
  /** Breaks in the journal's hash chain, as read now (`evidence verify` checks everything else). */
  journalProblems: string[]
}

/**
 * The runs of a case, each from its manifest as first written (or, for a run that never sealed,
 * from its journal) with the gaps its journal recorded; with `runId`, only that run, in full.
 */
export async function describeRuns(store: EvidenceStore, caseId: string, runId?: string): Promise<RunDescription[]> {
  const index = await indexCase(store, caseId)
  const runs = index.runs.filter((r) => [...r.objects.values()].flat().some((v) => !v.deleteMarker))
  if (runId === undefined) return Promise.all(runs.map((r) => describeRun(store, r, false)))
  const run = runs.find((r) => r.runId === runId)
  if (!run) throw usageError('unknown-run', `Case ${caseId} has no run ${runId} in ${store.location}.`, `\`coroner case show ${caseId}\` lists its runs.`)
  return [await describeRun(store, run, true)]
}

async function describeRun(store: EvidenceStore, run: IndexedRun, full: boolean): Promise<RunDescription> {
  const journal = await readJournal(store, run.journalKey)
  const text = run.manifest ? await readManifestText(store, run.manifestKey, run.manifest.versionId) : undefined
  const manifest: Manifest | undefined = text === undefined ? undefined : parseManifest(store, run.manifestKey, text)
  const opening = journal.opening
  const description: RunDescription = {
    runId: run.runId,
    status: manifest?.status ?? 'unsealed',
    command: manifest?.command ?? stringOr(opening?.command),
    parameters: manifest?.parameters ?? (isRecord(opening?.parameters) ? opening.parameters : {}),
    startedAt: manifest?.startedAt ?? stringOr(opening?.at),
    endedAt: manifest?.endedAt ?? null,
    user: userOf(manifest?.host ?? (opening?.host as HostInfo | undefined)),
    caller: manifest?.caller?.arn ?? (opening?.caller as {arn?: string} | null | undefined)?.arn ?? null,
    artifacts: manifest?.artifacts.length ?? journal.artifacts.length,
    gaps: journal.gaps,
    warnings: manifest?.warnings ?? journal.warnings,
    manifestSha256: text === undefined ? null : sha256Hex(text),
  }
  if (!full) return description
  return {
    ...description,
    detail: {
      manifestKey: run.manifestKey,
      journalKey: run.journalKey,
      tool: manifest?.tool ?? (opening?.tool as RunDetail['tool'] | undefined) ?? null,
      host: manifest?.host ?? (opening?.host as HostInfo | undefined) ?? null,
      store: manifest?.store ? {kind: manifest.store.kind, location: manifest.store.location} : ((opening?.store as RunDetail['store'] | undefined) ?? null),
      previousManifest: manifest?.previousManifest ?? (opening?.previousManifest as RunDetail['previousManifest'] | undefined) ?? null,
      artifacts: manifest?.artifacts ?? journal.artifacts,
      steps: journal.steps,
      notes: journal.notes,
      journalProblems: journal.problems,
    },
  }
}

interface JournalRead {
  opening: JournalEntry | undefined
  artifacts: ArtifactRecord[]
  gaps: Gap[]
  warnings: string[]
  notes: string[]
  steps: RunStepRecord[]
  problems: string[]
}

/** What a run's journal recorded, read through once. */
async function readJournal(store: EvidenceStore, key: string): Promise<JournalRead> {
  const read: JournalRead = {opening: undefined, artifacts: [], gaps: [], warnings: [], notes: [], steps: [], problems: []}
  const open = new Map<string, RunStepRecord>()
  for await (const l of journalLines(store, key)) {
    for (const code of l.problems) read.problems.push(`entry ${l.seq}: ${code}`)
    const e = l.entry
    if (e === undefined) continue
    if (e.type === 'run-started') read.opening = e
    else if (e.type === 'artifact' && e.artifact) read.artifacts.push(e.artifact)
    else if (e.type === 'gap' && isRecord(e.gap)) read.gaps.push(e.gap as unknown as Gap)
    else if (e.type === 'warning' && typeof e.message === 'string') read.warnings.push(e.message)
    else if (e.type === 'note' && typeof e.message === 'string') read.notes.push(e.message)
    else if (e.type === 'step-started' && typeof e.step === 'string') {
      const params = isRecord(e.parameters) ? e.parameters : {}
      const step: RunStepRecord = {step: e.step, uses: typeof params.uses === 'string' ? params.uses : null, parameters: isRecord(params.params) ? params.params : params, outcome: null, durationMs: null, reason: null}
      open.set(e.step, step)
      read.steps.push(step)
    } else if (e.type === 'step-ended' && typeof e.step === 'string') {
      const step = open.get(e.step) ?? {step: e.step, uses: null, parameters: {}, outcome: null, durationMs: null, reason: null}
      if (!open.has(e.step)) read.steps.push(step)
      open.delete(e.step)
      step.outcome = stringOr(e.outcome)
      step.durationMs = typeof e.durationMs === 'number' ? e.durationMs : null
      step.reason = stringOr(e.reason) ?? stringOr((e.error as {message?: unknown} | undefined)?.message)
    }
  }
  if (read.opening === undefined) read.problems.push(`journal ${key} is missing or has no run-started entry`)
  return read
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const stringOr = (v: unknown): string | null => (typeof v === 'string' ? v : null)
const userOf = (host: HostInfo | undefined): string | null => (host ? `${host.user}@${host.hostname}` : null)
