/**
 * A token bucket: on average at most `ratePerSecond` takes, with bursts up to `burst`. Used for
 * APIs with documented hard request limits, so the SDK's own retries are the exception, not the rule.
 */
export class TokenBucket {
  private tokens: number
  private last: number

  constructor(
    readonly ratePerSecond: number,
    readonly burst = ratePerSecond,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst
    this.last = now()
  }

  /** Waits until a token is free and takes it; rejects when `signal` aborts. */
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted()
      const t = this.now()
      this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond)
      this.last = t
      if (this.tokens >= 1) {
        this.tokens -= 1
        return
      }
      await sleep(Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000), signal)
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms)
    function done(): void {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }
    function onAbort(): void {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, {once: true})
  })
}

interface MiddlewareClient {
  middlewareStack: {
    add(middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>, options: {step: 'finalizeRequest'; name: string; priority: 'low'}): void
  }
}

const limited = new WeakMap<object, TokenBucket>()

/**
 * Makes every HTTP attempt of `client` (retries included) take a token from one bucket per client,
 * that is per service and region, which is how AWS counts these limits. Idempotent.
 */
export function rateLimitClient(client: MiddlewareClient, ratePerSecond: number): TokenBucket {
  const existing = limited.get(client)
  if (existing) return existing
  const bucket = new TokenBucket(ratePerSecond)
  // After the retry middleware (which sits higher in this step), so each attempt is paced.
  client.middlewareStack.add(
    (next) => async (args) => {
      await bucket.take()
      return next(args)
    },
    {step: 'finalizeRequest', name: 'coronerRateLimit', priority: 'low'},
  )
  limited.set(client, bucket)
  return bucket
}
