import {isAwsAccessError, isNetworkError, isNotFound, isThrottlingError} from '../core/errors.js'
import type {Settled} from '../core/pool.js'
import type {Gap} from './gap.js'
import type {EvidenceRun} from './run.js'

/** The AWS call that failed, and what a responder needs to know to fix it. */
export interface FailedCall {
  collector: string
  resource: string
  region?: string
  /** `service:Operation`, e.g. `lambda:GetPolicy`; also the IAM action it needs. */
  operation: string
}

const errorName = (error: unknown): string => String((error as {name?: unknown} | null)?.name ?? 'Error')
const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/**
 * The evidence store's own disk is full or read-only. That is no gap in what AWS gave: every
 * later write fails the same way, so the run stops and the error (exit 6, with its hint) reaches
 * the responder instead of being recorded against the AWS call that happened to be running.
 */
export const isStoreWriteFailure = (error: unknown): boolean => ['ENOSPC', 'EDQUOT', 'EROFS'].includes(String((error as NodeJS.ErrnoException | null)?.code))

/** The first store write failure among pooled outcomes, rethrown once every item has settled. */
export function rethrowStoreWriteFailure(settled: ReadonlyArray<Settled<unknown>>): void {
  for (const s of settled) if (!s.ok && isStoreWriteFailure(s.error)) throw s.error
}

/**
 * Turns a failed AWS call into a gap with a stable code: `access-denied` naming the IAM action,
 * `not-found`, `unreachable` (no connection to the endpoint), `throttled` (the SDK's own retries
 * were spent), `unsupported` (the endpoint does not know the operation) or `aws-error`.
 */
export function gapFor(error: unknown, call: FailedCall): Gap {
  const name = errorName(error)
  const base = {collector: call.collector, resource: call.resource, ...(call.region === undefined ? {} : {region: call.region})}
  const status = (error as {$metadata?: {httpStatusCode?: number}} | null)?.$metadata?.httpStatusCode
  // S3 answers some refusals (a bucket or KMS key policy's Deny on a GET or HEAD) with a bare 403 the SDK cannot name.
  if (isAwsAccessError(error) || status === 403) {
    return {...base, code: 'access-denied', reason: `${call.operation} was denied (${name}); grant the permission ${call.operation} to the collecting identity.`}
  }
  if (isNotFound(error)) return {...base, code: 'not-found', reason: `${call.operation}: ${name}: ${errorMessage(error)}`}
  if (isNetworkError(error)) return {...base, code: 'unreachable', reason: `${call.operation} could not reach AWS: ${errorMessage(error)}; check the network, --region and --endpoint-url.`}
  if (isThrottlingError(error)) return {...base, code: 'throttled', reason: `${call.operation} was throttled after the SDK's retries: ${name}: ${errorMessage(error)}`}
  if (name === 'SyntaxError' && (status === 404 || status === 501)) {
    return {...base, code: 'unsupported', reason: `${call.operation} is not supported by the endpoint (HTTP ${status}).`}
  }
  return {...base, code: 'aws-error', reason: `${call.operation} failed: ${name}: ${errorMessage(error)}`}
}

/**
 * Gaps recorded in a run and kept for the command's summary. A child log (one per function
 * collected concurrently) keeps its own list and adds every gap to its parent's too.
 */
export class GapLog {
  readonly gaps: Gap[] = []
  constructor(
    private readonly run: EvidenceRun,
    private readonly signal?: AbortSignal,
    private readonly parent?: GapLog,
  ) {}

  child(): GapLog {
    return new GapLog(this.run, this.signal, this)
  }

  async add(gap: Gap): Promise<void> {
    this.keep(gap)
    await this.run.gap(gap)
  }

  private keep(gap: Gap): void {
    this.gaps.push(gap)
    this.parent?.keep(gap)
  }

  /** Records a failed call as a gap; a store write failure is rethrown instead (see isStoreWriteFailure). */
  async failed(error: unknown, call: FailedCall): Promise<Gap> {
    if (isStoreWriteFailure(error)) throw error
    const gap = gapFor(error, call)
    await this.add(gap)
    return gap
  }

  /**
   * Runs one AWS read: its value, or undefined once a failure is recorded as a gap. An interruption
   * and the store's own write failures are passed on, never mistaken for what AWS refused.
   * With `notFound`, "there is none" is that answer, noted in the journal instead of a gap; with
   * `ifNotFound`, it is that value, neither noted nor a gap (the caller says what it means).
   */
  async attempt<R, N = never>(call: FailedCall, work: () => Promise<R>, options: {notFound?: string; ifNotFound?: N} = {}): Promise<R | N | undefined> {
    try {
      return await work()
    } catch (error) {
      if (this.signal?.aborted) throw error
      if ('ifNotFound' in options && isNotFound(error)) return options.ifNotFound as N
      if (options.notFound !== undefined && isNotFound(error)) {
        await this.run.note(`${call.resource} has no ${options.notFound}.`, {collector: call.collector, resource: call.resource})
        return undefined
      }
      await this.failed(error, call)
      return undefined
    }
  }
}
