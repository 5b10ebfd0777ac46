import {describe, expect, it} from 'vitest'
import {TokenBucket} from '../../../src/aws/token-bucket.js'

describe('TokenBucket', () => {
  it('spaces takes 1/rate apart after the burst', async () => {
    const bucket = new TokenBucket(20, 1)
    const times: number[] = []
    const t0 = performance.now()
    for (let i = 0; i < 5; i++) {
      await bucket.take()
      times.push(performance.now() - t0)
    }
    expect(times[0]).toBeLessThan(100)
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(45)
    expect(times.at(-1)).toBeGreaterThanOrEqual(195)
  })

  it('lets a burst through at once, then paces; concurrent waiters are served in order', async () => {
    const bucket = new TokenBucket(10, 3)
    const t0 = performance.now()
    const order: number[] = []
    await Promise.all(Array.from({length: 5}, (_, i) => bucket.take().then(() => order.push(i))))
    expect(order).toEqual([0, 1, 2, 3, 4])
    expect(performance.now() - t0).toBeGreaterThanOrEqual(195)
    expect(performance.now() - t0).toBeLessThan(1000)
  })

  it('adds the guard to the interval and rejects a waiter when its signal aborts', async () => {
    let now = 0
    const bucket = new TokenBucket(2, 1, () => now, 25)
    await bucket.take()
    const controller = new AbortController()
    const waiting = bucket.take(controller.signal)
    controller.abort(new Error('stop'))
    await expect(waiting).rejects.toThrow('stop')
    now = 524
    const early = await Promise.race([bucket.take().then(() => 'took'), new Promise((r) => setTimeout(() => r('waiting'), 5))])
    expect(early).toBe('waiting')
    now = 525
  })

  it('refuses a rate that is not positive', () => {
    expect(() => new TokenBucket(0)).toThrow(RangeError)
    expect(() => new TokenBucket(2, 0)).toThrow(RangeError)
  })
})
