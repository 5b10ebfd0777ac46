import type {StoreContext} from './context.js'
import {toCoronerError, usageError} from '../core/errors.js'
import {mapPool} from '../core/pool.js'
import {casePrefix} from './keys.js'
import {EvidenceRun} from './run.js'

export interface HoldResult {
  caseId: string
  hold: 'ON' | 'OFF'
  /** Object versions whose hold was set. */
  changed: number
  failed: Array<{key: string; versionId?: string; error: string}>
  runId: string
  manifestKey: string
  notes: string[]
}

/**
 * Places (or lifts) a legal hold on every object version of a case, then records what it did as a
 * run of the case: an `evidence.legal-hold` artifact listing each version and its outcome.
 * A failure on one version is recorded as a gap; the others go on.
 */
export async function holdCase(ctx: StoreContext, caseId: string, on: boolean): Promise<HoldResult> {
  const store = ctx.store
  const setLegalHold = store.setLegalHold?.bind(store)
  if (!setLegalHold) throw usageError('no-legal-hold', `The store ${store.location} has no legal holds (only S3 Object Lock buckets do).`, 'Use --store s3://bucket/prefix.')
  const versions: Array<{key: string; versionId?: string}> = []
  for await (const info of store.list(casePrefix(caseId))) {
    if (!info.deleteMarker) versions.push({key: info.key, ...(info.versionId === undefined ? {} : {versionId: info.versionId})})
  }
  if (versions.length === 0) throw usageError('unknown-case', `No case ${caseId} in ${store.location}.`, 'Run `coroner case list`, or check --store.')

  const task = ctx.progress.task(`legal hold ${on ? 'on' : 'off'}`, versions.length)
  const settled = await mapPool(versions, 8, async (v) => {
    try {
      await setLegalHold(v.key, v.versionId, on)
    } finally {
      task.advance()
    }
  }, ctx.signal)
  task.done()

  const hold = on ? 'ON' : 'OFF'
  const outcomes: Array<{key: string; versionId?: string; status: string; error?: string}> = versions.map((v, i) => {
    const s = settled[i]!
    return s.ok ? {...v, status: hold} : {...v, status: 'failed', error: toCoronerError(s.error).message}
  })
  const failed = outcomes.filter((o) => o.status === 'failed').map(({key, versionId, error}) => ({key, ...(versionId === undefined ? {} : {versionId}), error: error ?? ''}))
  const run = await EvidenceRun.begin({store, caseId, command: `evidence hold ${on ? 'on' : 'off'}`, parameters: {hold, versions: versions.length}, clock: ctx.clock})
  await run.putArtifact(['legal-hold', `${hold.toLowerCase()}.json`], JSON.stringify({hold, at: ctx.clock.now().toISOString(), versions: outcomes}, null, 2), {
    kind: 'evidence.legal-hold',
    contentType: 'application/json',
    source: store.location,
    collector: 'evidence-hold',
    records: outcomes.length,
  })
  for (const f of failed) await run.gap({collector: 'evidence-hold', resource: `${f.key}${f.versionId === undefined ? '' : `?versionId=${f.versionId}`}`, code: 'failed', reason: f.error})
  const notes = on
    ? ['A legal hold keeps each version from deletion until it is lifted, whatever its retention date. Objects written later get one only with --legal-hold.']
    : ['Lifting the legal hold leaves each version under its Object Lock retention until the retain-until date.']
  await run.note(`legal hold ${hold} on ${versions.length - failed.length} of ${versions.length} object version(s)`)
  const sealed = await run.finish()
  return {caseId, hold, changed: versions.length - failed.length, failed, runId: run.runId, manifestKey: sealed.manifestKey, notes}
}
