import {callerRecord} from '../aws/identity.js'
import type {AwsEnv} from './context.js'
import type {ArtifactRecord, CallerRecord, RunStatus} from '../evidence/manifest.js'
import type {Gap} from '../evidence/gap.js'
import {EvidenceRun, type FinishedRun} from '../evidence/run.js'
import {GapLog} from '../evidence/gap-log.js'

/** What every collection command reports about its run, beside its own figures. */
export interface CollectionRun {
  caseId: string
  runId: string
  status: RunStatus
  manifestKey: string
  manifestSha256: string
  artifacts: ArtifactRecord[]
  gaps: Gap[]
  warnings: string[]
}

/** What a new run of a case is opened with. */
export interface RunOpening {
  caseId: string
  command: string
  parameters: Record<string, unknown>
  caller: CallerRecord
}

/**
 * Runs work inside a new evidence run of the case and seals it whatever happens: `incomplete`
 * when interrupted, `failed` when the work threw, otherwise complete or partial by its gaps.
 */
export async function inEvidenceRun<T>(
  ctx: AwsEnv,
  opening: RunOpening,
  work: (run: EvidenceRun) => Promise<T>,
): Promise<{run: EvidenceRun; sealed: FinishedRun; collected: T}> {
  const run = await EvidenceRun.begin({store: ctx.store, clock: ctx.clock, ...opening})
  let collected: T
  try {
    collected = await work(run)
  } catch (error) {
    await run.finish(ctx.signal.aborted ? 'incomplete' : 'failed').catch(() => {})
    throw error
  }
  const sealed = await run.finish(ctx.signal.aborted ? 'incomplete' : undefined)
  return {run, sealed, collected}
}

/** How a sealed run is named in every command's result. */
export function sealedRunSummary(run: EvidenceRun, sealed: FinishedRun): Pick<CollectionRun, 'caseId' | 'runId' | 'status' | 'manifestKey' | 'manifestSha256'> {
  return {caseId: run.caseId, runId: run.runId, status: sealed.manifest.status, manifestKey: sealed.manifestKey, manifestSha256: sealed.manifestSha256}
}

/**
 * Runs collection work inside a new evidence run of the case (see inEvidenceRun): the caller
 * identity goes into the custody journal and gaps are kept for the summary.
 */
export async function withEvidenceRun<T>(
  ctx: AwsEnv,
  caseId: string,
  command: string,
  parameters: Record<string, unknown>,
  work: (run: EvidenceRun, gaps: GapLog) => Promise<T>,
  options: {identifyCaller?: boolean} = {},
): Promise<CollectionRun & {collected: T}> {
  // Offline imports call no AWS API, so they do not ask STS who the caller is either.
  const caller = options.identifyCaller === false ? {} : await callerRecord(ctx.aws, ctx.signal)
  const {run, sealed, collected} = await inEvidenceRun(ctx, {caseId, command, parameters, caller}, async (r) => {
    const gaps = new GapLog(r)
    return {gaps, value: await work(r, gaps)}
  })
  return {
    ...sealedRunSummary(run, sealed),
    artifacts: sealed.manifest.artifacts,
    gaps: collected.gaps.gaps,
    warnings: sealed.manifest.warnings,
    collected: collected.value,
  }
}
