import {callerRecord} from '../aws/identity.js'
import type {Context} from '../core/context.js'
import type {ArtifactRecord, RunStatus} from '../evidence/manifest.js'
import {EvidenceRun, type Gap} from '../evidence/run.js'
import {GapLog} from './failure.js'

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

/**
 * Runs collection work inside a new evidence run of the case: the caller identity goes into the
 * custody journal, gaps are kept for the summary, and the run is sealed whatever happens, as
 * `incomplete` when interrupted and `failed` when the work threw.
 */
export async function withEvidenceRun<T>(
  ctx: Context,
  caseId: string,
  command: string,
  parameters: Record<string, unknown>,
  work: (run: EvidenceRun, gaps: GapLog) => Promise<T>,
  options: {identifyCaller?: boolean} = {},
): Promise<CollectionRun & {collected: T}> {
  // Offline imports call no AWS API, so they do not ask STS who the caller is either.
  const caller = options.identifyCaller === false ? {} : await callerRecord(ctx.aws, ctx.signal)
  const run = await EvidenceRun.begin({store: ctx.store, caseId, command, parameters, clock: ctx.clock, caller})
  const gaps = new GapLog(run)
  let collected: T
  try {
    collected = await work(run, gaps)
  } catch (error) {
    await run.finish(ctx.signal.aborted ? 'incomplete' : 'failed').catch(() => {})
    throw error
  }
  const sealed = await run.finish(ctx.signal.aborted ? 'incomplete' : undefined)
  return {
    caseId,
    runId: run.runId,
    status: sealed.manifest.status,
    manifestKey: sealed.manifestKey,
    manifestSha256: sealed.manifestSha256,
    artifacts: sealed.manifest.artifacts,
    gaps: gaps.gaps,
    warnings: sealed.manifest.warnings,
    collected,
  }
}
