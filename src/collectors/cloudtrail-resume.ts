import {indexCase} from '../evidence/case-index.js'
import {journalLines} from '../evidence/journal.js'
import type {EvidenceStore} from '../evidence/store.js'
import {cloudtrailLookupCollector, type LookupCheckpoint} from './cloudtrail-lookup.js'

/** The latest LookupEvents run of a case: its id, the parameters its lookup step ran with, and where each stream stands. */
export interface LookupResume {
  runId: string
  parameters: Record<string, unknown>
  checkpoints: Map<string, LookupCheckpoint>
}

/**
 * The checkpoints of the latest run of a case with a LookupEvents step, read from its custody
 * journal (which exists even when the run was killed): the last sealed chunk of every stream, and
 * which streams finished; with `runId`, that run's.
 */
export async function findLookupCheckpoints(store: EvidenceStore, caseId: string, options: {runId?: string} = {}): Promise<LookupResume | undefined> {
  const runs = (await indexCase(store, caseId)).runs.filter((r) => r.hasJournal && (options.runId === undefined || r.runId === options.runId))
  for (const run of runs.reverse()) {
    const checkpoints = new Map<string, LookupCheckpoint>()
    let parameters: Record<string, unknown> | undefined
    for await (const {entry} of journalLines(store, run.journalKey)) {
      if (entry === undefined) continue
      // The step as a command journals it (under its id), or as a playbook does (under the playbook's step id, with what it uses).
      if (entry.type === 'step-started' && (entry.step === cloudtrailLookupCollector.id || (entry.parameters as {uses?: unknown} | undefined)?.uses === cloudtrailLookupCollector.id)) {
        // The step's own parameters ({uses, params}); a run journalled before steps had ids holds them bare.
        const p = entry.parameters as {params?: Record<string, unknown>} & Record<string, unknown> | undefined
        parameters = p?.params ?? p
      }
      const found: unknown[] = []
      if (entry.type === 'artifact') found.push(((entry.artifact as {attributes?: {checkpoint?: unknown}} | undefined)?.attributes ?? {}).checkpoint)
      if (entry.type === 'note') found.push(entry.checkpoint, ...(Array.isArray(entry.checkpoints) ? entry.checkpoints : []))
      for (const c of found) if (isCheckpoint(c)) checkpoints.set(c.stream, c)
    }
    if (parameters) return {runId: run.runId, parameters, checkpoints}
  }
  return undefined
}

function isCheckpoint(value: unknown): value is LookupCheckpoint {
  const c = value as LookupCheckpoint | undefined
  return typeof c === 'object' && c !== null && typeof c.stream === 'string' && typeof c.chunk === 'number'
}
