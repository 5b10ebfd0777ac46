import {describe, expect, it} from 'vitest'
import {TokenBucket} from '../../../src/collectors/rate-limit.js'

describe('TokenBucket', () => {
  it('lets a burst through at once, then paces takes at the rate', async () => {
    const bucket = new TokenBucket(20, 2)
    const started = Date.now()
    await Promise.all(Array.from({length: 6}, () => bucket.take()))
    const elapsed = Date.now() - started
    // Two free, four more at 20/s: about 200 ms.
    expect(elapsed).toBeGreaterThanOrEqual(180)
    expect(elapsed).toBeLessThan(1500)
  })

  it('gives up waiting when aborted', async () => {
    const bucket = new TokenBucket(1, 1)
    await bucket.take()
    const abort = new AbortController()
    const waiting = bucket.take(abort.signal)
    abort.abort(new Error('interrupted by the user'))
    await expect(waiting).rejects.toThrow(/interrupted/)
  })
})
