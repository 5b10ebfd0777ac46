import {setTimeout as sleep} from 'node:timers/promises'
import type {AwsContext} from '../collectors/context.js'
import type {GapCode} from '../evidence/gap.js'
import {isStoreWriteFailure} from '../evidence/gap-log.js'
import type {ActionTarget, AnyAction, ChangeOptions, JsonObject, PlannedCall, StateRead} from './action.js'
import {CONTAIN_SCHEMA, type ContainOutcome, type ContainRecord, type EvidenceRef, type RecordedCall} from './record.js'
import {diffStates, shortJson, type Difference} from './state-diff.js'
import {targetLabel} from './targets.js'

/** An undo: the recorded change to reverse and how hard to insist. */
export interface UndoOf {
  record: ContainRecord
  artifact: EvidenceRef
  runId: string
  force: boolean
}

export interface ChangeRequest {
  action: AnyAction
  target: ActionTarget
  apply: boolean
  options: ChangeOptions
  undo?: UndoOf
}

/** The state a change is aiming for, or why it will not be attempted. */
type Aim = {state: JsonObject; notes: string[]} | {stop: {status: 'drift' | 'skipped'; code: GapCode; reason: string; drift?: Difference[]}}

/**
 * One action on one target, start to end, the same for a change and for its undo: read the state
 * before (kept as a `contain.before` artifact), work out the intended state and the calls, and in a
 * dry run stop there; with apply, make the calls (each journalled), read the state back (kept as
 * `contain.after`), and record whether it shows the intended state. A failed call or a read-back
 * that differs is a gap. Exactly one `contain.action` record is written however it ends.
 */
export async function changeTarget(ctx: AwsContext, req: ChangeRequest): Promise<ContainOutcome> {
  const {action, target} = req
  const label = targetLabel(target)
  const base = emptyRecord(req, ctx.clock.now().toISOString())
  const before = await readState(ctx, req, 'before')
  if (!before) return finish(ctx, req, {...base, status: 'failed', notes: [...base.notes, 'The state could not be read, so nothing was changed.']})
  base.before = before.read.state
  base.evidence.before = before.ref
  base.facts = {...target.facts, ...before.read.facts}

  const aim = aimFor(req, before.read, base.facts, ctx.clock.now())
  if ('stop' in aim) {
    await ctx.gaps.add({collector: action.id, resource: label, region: target.region, code: aim.stop.code, reason: aim.stop.reason})
    return finish(ctx, req, {...base, status: aim.stop.status, drift: aim.stop.drift ?? [], notes: [...base.notes, aim.stop.reason]})
  }
  const intended = aim.state
  const planned = action.transition(before.read.state, intended, target)
  const record: ContainRecord = {...base, intended, notes: [...base.notes, ...aim.notes], changes: diffStates(before.read.state, intended)}
  record.inverse = inverseOf(action, intended, before.read.state, target)
  if (planned.length === 0) {
    return finish(ctx, req, {...record, status: 'skipped', verified: true, notes: [...record.notes, `${label} is already in the intended state: nothing to change.`]})
  }
  if (!req.apply) return finish(ctx, req, {...record, status: 'planned', calls: planned.map((c) => ({...c, outcome: 'planned'}))})

  const {calls, failed} = await makeCalls(ctx, req, planned)
  const applied = calls.some((c) => c.outcome === 'ok')
  const result: ContainRecord = {...record, calls, applied, at: ctx.clock.now().toISOString()}
  const after = await readBack(ctx, req, intended, failed)
  if (!after) return finish(ctx, req, {...result, status: 'failed', notes: [...result.notes, 'The state could not be read back: the change is not verified.']})
  result.after = after.read.state
  result.evidence.after = after.ref
  result.changes = diffStates(before.read.state, after.read.state)
  result.mismatches = diffStates(intended, after.read.state)
  result.verified = result.mismatches.length === 0
  result.inverse = inverseOf(action, after.read.state, before.read.state, target)
  if (after.reads > 1) result.notes.push(`Read back ${after.reads} times: ${result.verified ? 'the change showed' : 'it never showed'} after ${after.reads - 1} wait(s) (AWS is eventually consistent).`)
  if (!failed && !result.verified) {
    const reason = `${action.id} made its calls but the state read back is not the intended one: ${result.mismatches.map((d) => `${d.path}: intended ${shortJson(d.from)}, read back ${shortJson(d.to)}`).join('; ')}. Check the resource by hand; the change may not hold.`
    await ctx.gaps.add({collector: action.id, resource: label, region: target.region, code: 'not-verified', reason})
  }
  return finish(ctx, req, {...result, status: failed || !result.verified ? 'failed' : 'applied'})
}

function emptyRecord(req: ChangeRequest, at: string): ContainRecord {
  const {type, name, arn, region} = req.target
  return {
    schema: CONTAIN_SCHEMA,
    action: req.action.id,
    target: {type, name, arn, region},
    facts: {...req.target.facts},
    applied: false,
    status: 'failed',
    at,
    before: null,
    intended: null,
    calls: [],
    after: null,
    verified: false,
    changes: [],
    mismatches: [],
    drift: [],
    notes: [...req.action.notes],
    inverse: {calls: []},
    undoes: req.undo?.runId ?? null,
    undoesRecord: req.undo?.artifact ?? null,
    evidence: {before: null, after: null},
  }
}

/** The state to go to: the action's intent, or for an undo the recorded before-state, unless refused. */
function aimFor(req: ChangeRequest, before: StateRead<JsonObject>, facts: ContainRecord['facts'], now: Date): Aim {
  const {action, target, undo} = req
  if (!undo) {
    const intent = action.intend(before.state, target, req.options, facts)
    if ('refused' in intent) return {stop: {status: 'skipped', code: 'refused', reason: intent.refused}}
    return {state: intent.state, notes: intent.notes ?? []}
  }
  const recorded = undo.record
  const never = action.irreversible?.(recorded)
  if (never !== undefined) return {stop: {status: 'skipped', code: 'refused', reason: never}}
  if (recorded.before === null) return {stop: {status: 'skipped', code: 'refused', reason: 'The recorded change has no before-state to restore.'}}
  const notes: string[] = []
  const drift = diffStates(recorded.after ?? recorded.intended, before.state)
  if (drift.length > 0) {
    const named = drift.map((d) => `${d.path}: recorded ${JSON.stringify(d.from)}, now ${JSON.stringify(d.to)}`).join('; ')
    if (!undo.force) {
      const reason = `${targetLabel(target)} changed since run ${undo.runId} recorded it (${named}); not undone. Check who changed it, then re-run with --force to restore the recorded before-state anyway.`
      return {stop: {status: 'drift', code: 'drift', reason, drift}}
    }
    notes.push(`--force: restoring although the resource changed since run ${undo.runId}: ${named}.`)
  }
  const wait = action.undoWait?.({at: recorded.at, facts: {...recorded.facts, ...facts}, before: recorded.before, after: recorded.after}, now)
  if (wait !== undefined) {
    if (!undo.force) return {stop: {status: 'skipped', code: 'refused', reason: `${wait} Re-run with --force to undo it now.`}}
    notes.push(`--force: ${wait}`)
  }
  return {state: recorded.before, notes}
}

function inverseOf(action: AnyAction, from: JsonObject, to: JsonObject, target: ActionTarget): ContainRecord['inverse'] {
  const never = action.irreversible?.({before: to, after: from})
  return never === undefined ? {calls: action.transition(from, to, target)} : {refused: never}
}

/** Waits before reading again when a change has not shown yet: IAM and Lambda settle within seconds. */
export const READ_BACK_WAITS_MS: readonly number[] = [1000, 3000]

/**
 * Reads the state after the calls; when it does not show the intended state yet (and no call
 * failed), waits and reads again, as AWS's eventual consistency asks. The last read is kept.
 */
async function readBack(ctx: AwsContext, req: ChangeRequest, intended: JsonObject, failed: boolean): Promise<{read: StateRead<JsonObject>; ref: EvidenceRef; reads: number} | undefined> {
  let read = await readOnly(ctx, req, 'after')
  let reads = 1
  for (const wait of READ_BACK_WAITS_MS) {
    if (!read || failed || diffStates(intended, read.state).length === 0) break
    await sleep(wait, undefined, {signal: ctx.signal})
    read = await readOnly(ctx, req, 'after')
    reads++
  }
  return read && {read, ref: await keepState(ctx, req, 'after', read), reads}
}

/** Reads the state and keeps the raw responses as a `contain.before` artifact; a failure is a gap. */
async function readState(ctx: AwsContext, req: ChangeRequest, phase: 'before'): Promise<{read: StateRead<JsonObject>; ref: EvidenceRef} | undefined> {
  const read = await readOnly(ctx, req, phase)
  return read && {read, ref: await keepState(ctx, req, phase, read)}
}

async function readOnly(ctx: AwsContext, req: ChangeRequest, phase: 'before' | 'after'): Promise<StateRead<JsonObject> | undefined> {
  const {action, target} = req
  try {
    return await action.read(ctx, target, req.options)
  } catch (error) {
    if (ctx.signal.aborted || isStoreWriteFailure(error)) throw error
    await ctx.gaps.failed(error, {collector: action.id, resource: targetLabel(target), region: target.region, operation: operationOf(error) ?? `${action.id} read ${phase}`})
    return undefined
  }
}

/** Keeps a state read as a `contain.before` / `contain.after` artifact. */
async function keepState(ctx: AwsContext, req: ChangeRequest, phase: 'before' | 'after', read: StateRead<JsonObject>): Promise<EvidenceRef> {
  const {action, target} = req
  const body = {action: action.id, phase, target: {type: target.type, name: target.name, arn: target.arn, region: target.region}, state: read.state, raw: read.raw}
  const stored = await ctx.run.putArtifact(['contain', target.region, action.id, target.name, `${phase}.json`], JSON.stringify(body, null, 2), {
    kind: `contain.${phase}`,
    contentType: 'application/json',
    source: target.arn ?? target.name,
    collector: action.id,
    region: target.region,
    attributes: {action: action.id, targetType: target.type, target: target.name, ...(req.undo ? {undoes: req.undo.runId} : {})},
  })
  return {key: stored.key, sha256: stored.sha256}
}

/** The IAM action a read failed on, when the action named it (`withOperation`). */
const operationOf = (error: unknown): string | undefined => (error as {operation?: unknown} | null)?.operation as string | undefined

/** Makes the calls one after another, each journalled; the first failure is a gap and stops the rest. */
async function makeCalls(ctx: AwsContext, req: ChangeRequest, planned: PlannedCall[]): Promise<{calls: RecordedCall[]; failed: boolean}> {
  const {action, target} = req
  const calls: RecordedCall[] = []
  let failed = false
  for (const call of planned) {
    if (failed) {
      calls.push({...call, outcome: 'not-made'})
      continue
    }
    const execute = action.execute[call.operation]
    if (!execute) throw new Error(`${action.id} planned ${call.operation} but declares no way to make it`)
    await ctx.run.note(`${action.id} ${targetLabel(target)}: calling ${call.operation}`, {action: action.id, target: target.name, call})
    try {
      await execute(ctx, target, call.parameters)
      calls.push({...call, outcome: 'ok'})
      await ctx.run.note(`${action.id} ${targetLabel(target)}: ${call.operation} done`, {action: action.id, target: target.name, operation: call.operation, outcome: 'ok'})
    } catch (error) {
      if (ctx.signal.aborted || isStoreWriteFailure(error)) throw error
      failed = true
      const gap = await ctx.gaps.failed(error, {collector: action.id, resource: targetLabel(target), region: target.region, operation: call.operation})
      calls.push({...call, outcome: 'failed', error: gap.reason})
    }
  }
  return {calls, failed}
}

/** Writes the one `contain.action` record of this action and target. */
async function finish(ctx: AwsContext, req: ChangeRequest, record: ContainRecord): Promise<ContainOutcome> {
  const {action, target} = req
  const stored = await ctx.run.putArtifact(['contain', target.region, action.id, target.name, 'action.json'], JSON.stringify(record, null, 2), {
    kind: 'contain.action',
    contentType: 'application/json',
    source: target.arn ?? target.name,
    collector: action.id,
    region: target.region,
    attributes: {action: action.id, targetType: target.type, target: target.name, status: record.status, applied: record.applied, verified: record.verified, ...(record.undoes === null ? {} : {undoes: record.undoes})},
  })
  return {record, key: stored.key, sha256: stored.sha256}
}
