import {toCoronerError, usageError} from '../core/errors.js'
import {mapPool} from '../core/pool.js'
import {indexCase} from './case-index.js'
import type {RecordingContext, StoreContext} from './context.js'
import type {EvidenceStore} from './store.js'

export interface HoldOutcome {
  hold: 'ON' | 'OFF'
  /** Object versions whose hold was set. */
  changed: number
  failed: Array<{key: string; versionId?: string; error: string}>
  notes: string[]
}

type LegalHold = NonNullable<EvidenceStore['setLegalHold']>

/** The store's legal hold, or a usage error for a store without one (checked before any run opens). */
export function legalHoldOf(store: EvidenceStore): LegalHold {
  const setLegalHold = store.setLegalHold?.bind(store)
  if (!setLegalHold) throw usageError('no-legal-hold', `The store ${store.location} has no legal holds (only S3 Object Lock buckets do).`, 'Use --store s3://bucket/prefix.')
  return setLegalHold
}

/** Every object version under the case, except those of `exceptRun` (the run recording the hold). */
export async function caseVersions(ctx: StoreContext, caseId: string, exceptRun?: string): Promise<Array<{key: string; size: number; versionId?: string}>> {
  const index = await indexCase(ctx.store, caseId)
  const infos = [...index.runs.filter((r) => r.runId !== exceptRun).flatMap((r) => [...r.objects.values()].flat()), ...index.stray]
  const versions = infos.filter((i) => !i.deleteMarker).map((i) => ({key: i.key, size: i.size, ...(i.versionId === undefined ? {} : {versionId: i.versionId})}))
  if (versions.length === 0) throw usageError('unknown-case', `No case ${caseId} in ${ctx.store.location}.`, 'Run `coroner case list`, or check --store.')
  return versions
}

/**
 * Places (or lifts) a legal hold on every object version of the case's earlier runs, and records
 * what it did in the run: an `evidence.legal-hold` artifact listing each version and its outcome.
 * A failure on one version is recorded as a gap; the others go on.
 */
export async function holdCase(ctx: RecordingContext, on: boolean): Promise<HoldOutcome> {
  const setLegalHold = legalHoldOf(ctx.store)
  const versions = await caseVersions(ctx, ctx.caseId, ctx.run.runId)
  const task = ctx.progress.task(`legal hold ${on ? 'on' : 'off'}`)
  task.setTotal(versions.length, versions.reduce((n, v) => n + v.size, 0))
  const settled = await mapPool(versions, 8, async (v) => {
    try {
      await setLegalHold(v.key, v.versionId, on)
    } finally {
      task.advance(1, v.size)
    }
  }, ctx.signal)
  task.done()

  const hold = on ? 'ON' : 'OFF'
  const outcomes: Array<{key: string; versionId?: string; status: string; error?: string}> = versions.map((v, i) => {
    const s = settled[i]!
    const {key, versionId} = v
    const version = {key, ...(versionId === undefined ? {} : {versionId})}
    return s.ok ? {...version, status: hold} : {...version, status: 'failed', error: toCoronerError(s.error).message}
  })
  const failed = outcomes.filter((o) => o.status === 'failed').map(({key, versionId, error}) => ({key, ...(versionId === undefined ? {} : {versionId}), error: error ?? ''}))
  await ctx.run.putArtifact(['legal-hold', `${hold.toLowerCase()}.json`], JSON.stringify({hold, at: ctx.clock.now().toISOString(), versions: outcomes}, null, 2), {
    kind: 'evidence.legal-hold',
    contentType: 'application/json',
    source: ctx.store.location,
    collector: 'evidence-hold',
    records: outcomes.length,
  })
  for (const f of failed) await ctx.gaps.add({collector: 'evidence-hold', resource: `${f.key}${f.versionId === undefined ? '' : `?versionId=${f.versionId}`}`, code: 'failed', reason: f.error})
  const notes = on
    ? ['A legal hold keeps each version from deletion until it is lifted, whatever its retention date. Objects written later get one only with --legal-hold.']
    : ['Lifting the legal hold leaves each version under its Object Lock retention until the retain-until date.']
  await ctx.run.note(`legal hold ${hold} on ${versions.length - failed.length} of ${versions.length} object version(s)`)
  return {hold, changed: versions.length - failed.length, failed, notes}
}
