import type {Gap} from '../../evidence/gap.js'
import {isNotFound} from '../../core/errors.js'
import {gapFor, isStoreWriteFailure, type GapLog} from '../../evidence/gap-log.js'

export const READINESS_COLLECTOR = 'readiness'

/** What one read gave: the value, "there is none" (when the caller said that answer is expected), or a failure as a gap. */
export type Read<T> = Got<T> | {ok: false; missing: true}

/** What a read that expects no "there is none" gave: the value, or a failure as a gap. */
export type Got<T> = {ok: true; value: T} | {ok: false; missing: false; gap: Gap}

export interface ReadCall {
  /** `service:Operation`, which is also the IAM action it needs. */
  operation: string
  resource: string
  region: string
}

/**
 * Runs the audit's AWS reads. A failed read is a gap: recorded in the run's journal when the audit
 * records one, and kept here either way, so the checks it leaves unanswered say why (`unknown`)
 * and the command can tell a partial audit. Reads are shared by key: a bucket or a role used by
 * several trails or functions is read once.
 */
export class Probe {
  readonly gaps: Gap[] = []
  private readonly cache = new Map<string, Promise<Read<unknown>>>()

  constructor(
    private readonly signal: AbortSignal,
    private readonly log?: GapLog,
  ) {}

  /**
   * One read. `missing` names the errors that mean "there is none" (a not-found by default when
   * given as true), answered `{ok: false, missing: true}` rather than recorded as a failure.
   */
  read<T>(call: ReadCall, work: () => Promise<T>): Promise<Got<T>>
  read<T>(call: ReadCall, work: () => Promise<T>, options: {missing?: true | ((error: unknown) => boolean); key?: string}): Promise<Read<T>>
  read<T>(call: ReadCall, work: () => Promise<T>, options: {missing?: true | ((error: unknown) => boolean); key?: string} = {}): Promise<Read<T>> {
    const key = options.key ?? `${call.operation} ${call.region} ${call.resource}`
    let pending = this.cache.get(key) as Promise<Read<T>> | undefined
    if (pending === undefined) {
      pending = this.attempt(call, work, options.missing)
      this.cache.set(key, pending)
    }
    return pending
  }

  private async attempt<T>(call: ReadCall, work: () => Promise<T>, missing: true | ((error: unknown) => boolean) | undefined): Promise<Read<T>> {
    try {
      return {ok: true, value: await work()}
    } catch (error) {
      if (this.signal.aborted || isStoreWriteFailure(error)) throw error
      const isMissing = missing === true ? isNotFound(error) : missing?.(error) ?? false
      if (isMissing) return {ok: false, missing: true}
      const failed = {collector: READINESS_COLLECTOR, resource: call.resource, region: call.region, operation: call.operation}
      const gap = this.log ? await this.log.failed(error, failed) : gapFor(error, failed)
      this.gaps.push(gap)
      return {ok: false, missing: false, gap}
    }
  }
}

/** Why a failed read leaves a check unanswered, for its `reason`. */
export const unansweredBecause = (gap: Gap): string => `not checked: ${gap.reason}`

/** The name of an AWS error, for "there is none" tests. */
export const errorName = (error: unknown): string => String((error as {name?: unknown} | null)?.name ?? '')
