import {Readable} from 'node:stream'
import {describe, expect, it} from 'vitest'
import {readUpTo} from '../../../src/evidence/store.js'

/** A store whose object arrives in chunks of the given sizes, each filled with its own index. */
const chunked = (...sizes: number[]) => ({get: async () => Readable.from(sizes.map((n, i) => Buffer.alloc(n, i)))})

async function bytesOf(body: Buffer | AsyncIterable<Uint8Array>): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body
  const chunks: Buffer[] = []
  for await (const c of body) chunks.push(Buffer.from(c))
  return Buffer.concat(chunks)
}

describe('readUpTo', () => {
  it('gives the bytes in memory when the object ends within the limit', async () => {
    const body = await readUpTo(chunked(3, 4), 'k', undefined, 7)
    expect(Buffer.isBuffer(body)).toBe(true)
    expect(body).toEqual(Buffer.from([0, 0, 0, 1, 1, 1, 1]))
  })

  it('gives a stream of every byte, in order, once the object passes the limit', async () => {
    const body = await readUpTo(chunked(3, 4, 5), 'k', undefined, 6)
    expect(Buffer.isBuffer(body)).toBe(false)
    expect(await bytesOf(body)).toEqual(Buffer.concat([Buffer.alloc(3, 0), Buffer.alloc(4, 1), Buffer.alloc(5, 2)]))
  })
})
