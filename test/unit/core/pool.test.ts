import {gunzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {mapPool} from '../../../src/core/pool.js'
import {ndjsonGzip} from '../../../src/evidence/ndjson.js'

describe('mapPool', () => {
  it('keeps at most `limit` in flight, keeps input order and lets one failure not stop the rest', async () => {
    let inFlight = 0
    let peak = 0
    const out = await mapPool([1, 2, 3, 4, 5, 6], 2, async (n) => {
      inFlight++
      peak = Math.max(peak, inFlight)
      await new Promise((r) => setTimeout(r, 5))
      inFlight--
      if (n === 3) throw new Error('boom')
      return n * 10
    })
    expect(peak).toBe(2)
    expect(out.map((r) => (r.ok ? r.value : (r.error as Error).message))).toEqual([10, 20, 'boom', 40, 50, 60])
  })

  it('settles items not yet started with the abort reason', async () => {
    const ac = new AbortController()
    const out = await mapPool([1, 2, 3], 1, async (n) => {
      if (n === 1) ac.abort(new Error('stop'))
      return n
    }, ac.signal)
    expect(out[0]).toEqual({ok: true, value: 1})
    expect(out.slice(1).map((r) => !r.ok && (r.error as Error).message)).toEqual(['stop', 'stop'])
  })
})

describe('ndjsonGzip', () => {
  it('writes one JSON document per line, gzip-compressed, and shows each record to the observer', async () => {
    const seen: number[] = []
    const chunks: Buffer[] = []
    for await (const c of ndjsonGzip([{a: 1}, {a: 2, s: 'x\ny'}], (r) => seen.push(r.a))) chunks.push(c as Buffer)
    expect(gunzipSync(Buffer.concat(chunks)).toString()).toBe('{"a":1}\n{"a":2,"s":"x\\ny"}\n')
    expect(seen).toEqual([1, 2])
  })
})
