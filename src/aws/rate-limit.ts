import {TokenBucket} from './token-bucket.js'

export interface MiddlewareClient {
  middlewareStack: {
    add(middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>, options: {step: 'finalizeRequest'; name: string; priority: 'low'}): void
  }
}

const limited = new WeakMap<object, TokenBucket>()

/** How fast a client may call: requests per second, how many back to back, and spacing added against jitter. */
export interface Pace {
  burst?: number
  guardMs?: number
}

/**
 * The one pacing mechanism for AWS's documented request limits (FilterLogEvents, LookupEvents):
 * every HTTP attempt of `client`, the SDK's own retries included, takes a token from one bucket per
 * client, that is per service and region, which is how AWS counts these limits. Idempotent.
 */
export function rateLimitClient(client: MiddlewareClient, ratePerSecond: number, pace: Pace = {}): TokenBucket {
  const existing = limited.get(client)
  if (existing) return existing
  // Burst 1 by default: requests evenly spaced, so no one-second window ever holds more than the rate.
  const bucket = new TokenBucket(ratePerSecond, pace.burst ?? 1, undefined, pace.guardMs ?? 0)
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
