/**
 * A token bucket that paces calls to APIs with a documented request-rate limit (CloudTrail
 * LookupEvents: 2 requests per second per account and region). `take()` resolves when a token is
 * free; tokens refill continuously at `ratePerSecond` up to `burst`. Waiters are served in order.
 *
 * `guardMs` widens the spacing a little so that network jitter between two requests granted exactly
 * one interval apart cannot make the server count three in one second.
 */
export class TokenBucket {
  private tokens: number
  private last: number
  private queue: Promise<void> = Promise.resolve()
  private readonly intervalMs: number

  constructor(
    readonly ratePerSecond: number,
    readonly burst = 1,
    private readonly now: () => number = () => performance.now(),
    guardMs = 0,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`rate must be positive, got ${ratePerSecond}`)
    if (!(burst >= 1)) throw new RangeError(`burst must be at least 1, got ${burst}`)
    this.intervalMs = 1000 / ratePerSecond + guardMs
    this.tokens = burst
    this.last = this.now()
  }

  /** Waits for one token. Rejects with the signal's reason if it aborts while waiting. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken(signal))
    // A rejected waiter must not block the ones behind it.
    this.queue = turn.catch(() => {})
    return turn
  }

  private refill(): void {
    const t = this.now()
    this.tokens = Math.min(this.burst, this.tokens + (t - this.last) / this.intervalMs)
    this.last = t
  }

  private async waitForToken(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted()
      this.refill()
      if (this.tokens >= 1) {
        this.tokens -= 1
        return
      }
      await sleep(Math.ceil((1 - this.tokens) * this.intervalMs), signal)
    }
  }
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, {once: true})
  })
}
