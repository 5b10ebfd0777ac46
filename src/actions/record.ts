import type {ActionId, ActionTarget, JsonObject, PlannedCall} from './action.js'
import type {Difference} from './state-diff.js'

export const CONTAIN_SCHEMA = 'coroner.contain/v1'

/**
 * planned: a dry run, nothing changed; applied: changed and read back as intended; failed: a call
 * failed or the read-back differs; drift: an undo refused because someone changed the resource
 * since; skipped: nothing to change, or a change refused (named in `notes`).
 */
export type ContainStatus = 'planned' | 'applied' | 'failed' | 'drift' | 'skipped'

/** A call as recorded: planned (dry run), made (`ok`), `failed` (with AWS's error), or `not-made` after an earlier failure. */
export interface RecordedCall extends PlannedCall {
  outcome: 'planned' | 'ok' | 'failed' | 'not-made'
  error?: string
}

export interface EvidenceRef {
  key: string
  sha256: string
}

/** The `contain.action` artifact: one action on one target, as planned or made, with how to undo it. */
export interface ContainRecord {
  schema: typeof CONTAIN_SCHEMA
  action: ActionId
  target: Pick<ActionTarget, 'type' | 'name' | 'arn' | 'region'>
  /** What addresses the target again (the function of an alias, the user of a key) and what was learnt reading it. */
  facts: ActionTarget['facts']
  /** Whether at least one change was made in AWS (false in a dry run). */
  applied: boolean
  status: ContainStatus
  /** When the change was planned or made (ISO 8601). */
  at: string
  before: JsonObject | null
  intended: JsonObject | null
  calls: RecordedCall[]
  /** The state read back after the calls; null in a dry run or when it could not be read. */
  after: JsonObject | null
  /** The read-back shows the intended state. */
  verified: boolean
  /** What the change does to the state: before → after (applied) or before → intended (planned). */
  changes: Difference[]
  /** Fields where the read-back differs from the intended state. */
  mismatches: Difference[]
  /** For an undo refused or forced: fields where the resource no longer matches the recorded after-state. */
  drift: Difference[]
  /** What the change does and does not do, and anything met on the way. */
  notes: string[]
  /** How this change is undone: the calls from the after-state back to the before-state, or why it cannot be. */
  inverse: {calls: PlannedCall[]} | {refused: string}
  /** For an undo: the run whose change it reverses, and that change's record. */
  undoes: string | null
  undoesRecord: EvidenceRef | null
  /** The before- and after-state artifacts (`contain.before`, `contain.after`) of this record. */
  evidence: {before: EvidenceRef | null; after: EvidenceRef | null}
}

/** A record as a step returns it: the record and where it was stored. */
export interface ContainOutcome {
  record: ContainRecord
  key: string
  sha256: string
}

/** Whether a parsed artifact is a contain.action record of this schema. */
export function isContainRecord(value: unknown): value is ContainRecord {
  const v = value as Partial<ContainRecord> | null
  return typeof v === 'object' && v !== null && v.schema === CONTAIN_SCHEMA && typeof v.action === 'string' && typeof v.target === 'object' && v.target !== null
}
