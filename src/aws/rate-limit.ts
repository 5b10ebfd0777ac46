import {TokenBucket} from './token-bucket.js'

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
  // Burst 1: requests evenly spaced, so no one-second window ever holds more than the rate.
  const bucket = new TokenBucket(ratePerSecond, 1)
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
