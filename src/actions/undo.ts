import type {AwsContext} from '../collectors/context.js'
import {CoronerError} from '../core/errors.js'
import {readRunArtifacts} from '../evidence/read-run.js'
import type {EvidenceStore} from '../evidence/store.js'
import type {ActionTarget, AnyAction, ChangeOptions} from './action.js'
import {changeTarget} from './engine.js'
import {CONTAIN_SCHEMA, isContainRecord, type ContainOutcome, type ContainRecord, type EvidenceRef} from './record.js'
import {findAction} from './registry.js'

/** A recorded change of a run that an undo reverses. */
export interface RecordedChange {
  record: ContainRecord
  artifact: EvidenceRef
  action: AnyAction
  target: ActionTarget
}

/**
 * The `contain.action` records of a sealed run, read from the evidence and verified against its
 * manifest (readRunArtifacts), in the order they were recorded.
 */
export async function recordedChanges(store: EvidenceStore, caseId: string, runId: string): Promise<RecordedChange[]> {
  const {artifacts} = await readRunArtifacts(store, caseId, runId, 'contain.action')
  return artifacts.map(({record: artifact, bytes}) => {
    let record: unknown
    try {
      record = JSON.parse(bytes.toString('utf8'))
    } catch {
      record = undefined
    }
    const action = isContainRecord(record) ? findAction(record.action) : undefined
    if (!isContainRecord(record) || !action) {
      throw new CoronerError('unknown-record', `${artifact.key} is not a ${CONTAIN_SCHEMA} record of a known action.`, {hint: 'It may come from a newer coroner; undo it with that version.'})
    }
    const {type, name, arn, region} = record.target
    return {record, artifact: {key: artifact.key, sha256: artifact.sha256}, action, target: {type, name, arn, region, facts: {...record.facts}}}
  })
}

/** The changes an undo reverses: those that were applied (optionally of some actions only), last first. */
export function changesToUndo(recorded: readonly RecordedChange[], actions: readonly string[]): RecordedChange[] {
  return recorded.filter((c) => c.record.applied && (actions.length === 0 || actions.includes(c.record.action))).reverse()
}

/**
 * Reverses recorded changes, each with the engine that made it: the current state is read and
 * compared with the recorded after-state (a difference is drift: refused, naming each field, unless
 * `force`), and the calls back to the recorded before-state are computed, then made with `apply`.
 */
export async function undoChanges(ctx: AwsContext, runId: string, changes: readonly RecordedChange[], options: {apply: boolean; force: boolean}): Promise<ContainOutcome[]> {
  const change: ChangeOptions = {caseId: ctx.caseId, now: ctx.clock.now(), deleteUrl: false, includeServices: false}
  const outcomes: ContainOutcome[] = []
  for (const c of changes) {
    outcomes.push(await changeTarget(ctx, {action: c.action, target: c.target, apply: options.apply, options: change, undo: {record: c.record, artifact: c.artifact, runId, force: options.force}}))
  }
  return outcomes
}
