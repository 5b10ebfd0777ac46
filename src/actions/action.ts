import type {AwsEnv} from '../collectors/context.js'
import {isNotFound} from '../core/errors.js'

/** The containment actions coroner offers, in the order a run applies them (undo runs backwards). */
export const ACTION_IDS = [
  'throttle',
  'disable-triggers',
  'close-url',
  'remove-public-access',
  'pin-alias',
  'revoke-sessions',
  'deny-role',
  'deactivate-keys',
  'tag',
] as const
export type ActionId = (typeof ACTION_IDS)[number]

/** What an action changes: a function (or its URL, policy, triggers), an alias, a role, an access key. */
export type TargetType = 'function' | 'alias' | 'role' | 'access-key'

/** JSON data: what states, calls and records are made of, so each can be written as evidence and compared. */
export type Json = string | number | boolean | null | Json[] | {[key: string]: Json}
export type JsonObject = {[key: string]: Json}

/**
 * One resource an action changes, as recorded in `contain.action` (`type`, `name`, `arn`, `region`),
 * with the facts needed to address it again at undo time (the function of an alias, the user of a key).
 */
export interface ActionTarget {
  type: TargetType
  name: string
  arn: string | null
  /** The resource's region; `global` for IAM. */
  region: string
  facts: {[key: string]: string | number | null}
}

/** One AWS call as data: the operation (also the IAM action it needs) and its exact parameters. */
export interface PlannedCall {
  operation: string
  parameters: JsonObject
}

/** A state read from AWS: the projection the action compares, and the raw responses kept as evidence. */
export interface StateRead<S extends JsonObject> {
  state: S
  raw: JsonObject
  /** Facts learnt while reading, recorded with the change (a role's maximum session duration). */
  facts?: {[key: string]: string | number | null}
}

/** Options of one containment run that actions read when they choose the state they intend. */
export interface ChangeOptions {
  caseId: string
  /** When the change is planned; revoke-sessions and tag write it into AWS. */
  now: Date
  deleteUrl: boolean
  includeServices: boolean
  toVersion?: string
}

/** The state a change intends, or why it cannot be made to this target. */
export type Intent<S> = {state: S; notes?: string[]} | {refused: string}

/** How an action reaches AWS to make one call: the SDK command for `operation`. */
export type CallExecutor = (env: AwsEnv, target: ActionTarget, parameters: JsonObject) => Promise<unknown>

/**
 * One containment action as data and functions over AWS: what it needs (IAM), which resources it
 * changes, how it reads them, the state it intends, and the calls that take any state to another.
 * The change is `transition(before, intended)` and its inverse is `transition(after, before)`, so
 * undo is computed from the recorded before-state with the same code that made the change.
 */
export interface ContainmentAction<S extends JsonObject = JsonObject> {
  readonly id: ActionId
  readonly title: string
  readonly targetType: TargetType | 'function-or-role'
  /** IAM actions to read the state (all a dry run needs), to make the change, and to undo it. */
  readonly permissions: {readonly read: readonly string[]; readonly change: readonly string[]; readonly undo: readonly string[]}
  /** What the change does and does not do, written into every record and shown with every plan. */
  readonly notes: readonly string[]
  /** How it is undone, in one sentence, for the docs and the plan. */
  readonly inverse: string
  read(env: AwsEnv, target: ActionTarget, options: ChangeOptions): Promise<StateRead<S>>
  intend(before: S, target: ActionTarget, options: ChangeOptions, facts: StateRead<S>['facts']): Intent<S>
  /** The calls that take `from` to `to`; none when they already agree. */
  transition(from: S, to: S, target: ActionTarget): PlannedCall[]
  /** The SDK command of each operation `transition` may plan. */
  readonly execute: Readonly<Record<string, CallExecutor>>
  /** Why undoing this record must wait (overridable with --force), if it must. */
  undoWait?(record: {at: string; facts: ActionTarget['facts']; before: S | null; after: S | null}, now: Date): string | undefined
  /** Why this record can never be undone (not even with --force), if it cannot. */
  irreversible?(record: {before: S | null; after: S | null}): string | undefined
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAction = ContainmentAction<any>

/** Declares an action; frozen, so what `permissions` prints is what runs. */
export function defineAction<S extends JsonObject>(action: ContainmentAction<S>): ContainmentAction<S> {
  return Object.freeze(action)
}

/** `FunctionName` (and `Qualifier`) of the function a target names: a function, or an alias of one. */
export function functionOf(target: ActionTarget): {FunctionName: string; region: string} {
  const fn = target.facts.functionName
  return {FunctionName: typeof fn === 'string' ? fn : target.name, region: target.region}
}

/**
 * Runs one AWS read, naming its operation on any error it throws, so that a failed read becomes a
 * gap that names the IAM action to grant.
 */
export async function reading<R>(operation: string, work: () => Promise<R>): Promise<R> {
  try {
    return await work()
  } catch (error) {
    if (error !== null && typeof error === 'object' && !('operation' in error)) Object.defineProperty(error, 'operation', {value: operation, configurable: true})
    throw error
  }
}

/** A read where AWS's "there is none" is an answer (no URL, no policy): undefined then. */
export async function readingOptional<R>(operation: string, work: () => Promise<R>): Promise<R | undefined> {
  try {
    return await reading(operation, work)
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}
