import {createHash, randomBytes} from 'node:crypto'
import {Readable} from 'node:stream'
import {describe, expect, it} from 'vitest'
import {PartReader} from '../../../../../src/evidence/stores/s3/multipart.js'

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

/** `total` bytes of random data in chunks of the given sizes, repeated. */
function chunked(total: number, sizes: number[]): Buffer[] {
  const out: Buffer[] = []
  for (let sent = 0, i = 0; sent < total; i++) {
    const n = Math.min(sizes[i % sizes.length]!, total - sent)
    out.push(randomBytes(n))
    sent += n
  }
  return out
}

describe('PartReader', () => {
  it('cuts a body into exact parts through no more buffers than its slots, reusing each once released', async () => {
    const size = 64 * 1024
    const chunks = chunked(40 * size + 1234, [1000, 70_000, 17, 200_000])
    const reader = new PartReader(Readable.from(chunks), size, 3)
    const whole = createHash('sha256')
    const buffers = new Set<ArrayBufferLike>()
    const lengths: number[] = []
    const held: Buffer[] = []
    for (let part = await reader.next(); part !== undefined; part = await reader.next()) {
      whole.update(part)
      lengths.push(part.length)
      buffers.add(part.buffer)
      held.push(part)
      // As many parts stay out as there are slots, as uploads in flight and the part being read would.
      if (held.length === 3) reader.release(held.shift()!)
    }
    expect(whole.digest('hex')).toBe(sha(Buffer.concat(chunks)))
    expect(lengths).toEqual([...Array.from({length: 40}, () => size), 1234])
    expect(buffers.size).toBe(3)
  })

  it('gives a body shorter than one part a buffer of its own length and says when the body has ended', async () => {
    const reader = new PartReader(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), 1024 * 1024, 2)
    const part = await reader.next()
    expect(part?.toString()).toBe('abcd')
    expect(part?.buffer.byteLength).toBeLessThan(1024 * 1024)
    expect(await reader.atEnd()).toBe(true)
    expect(await reader.next()).toBeUndefined()
  })

  it('reads text chunks as UTF-8 and an empty body as no part', async () => {
    const text = new PartReader(Readable.from(['é', 'x'.repeat(10)], {objectMode: true}), 4, 2)
    const parts: string[] = []
    for (let p = await text.next(); p !== undefined; p = await text.next()) {
      parts.push(p.toString('hex'))
      text.release(p)
    }
    expect(parts.join('')).toBe(Buffer.from(`é${'x'.repeat(10)}`).toString('hex'))
    const empty = new PartReader(Readable.from([]), 4, 2)
    expect(await empty.atEnd()).toBe(true)
    expect(await empty.next()).toBeUndefined()
  })

  it('waits for a released buffer rather than take more than its slots, and ignores a buffer released twice', async () => {
    const size = 8
    const reader = new PartReader(Readable.from([Buffer.alloc(5 * size, 1)]), size, 2)
    const a = (await reader.next())!
    const b = (await reader.next())!
    let third: Buffer | undefined
    const pending = reader.next().then((p) => (third = p))
    await new Promise((r) => setTimeout(r, 20))
    expect(third).toBeUndefined()
    reader.release(a)
    reader.release(a)
    await pending
    expect(third!.buffer).toBe(a.buffer)
    reader.release(b)
    const fourth = (await reader.next())!
    expect(fourth.buffer).toBe(b.buffer)
    // `a` was released twice but lent once: the next part must wait for a real release.
    let fifth: Buffer | undefined
    const later = reader.next().then((p) => (fifth = p))
    await new Promise((r) => setTimeout(r, 20))
    expect(fifth).toBeUndefined()
    reader.release(fourth)
    await later
    expect(fifth!.length).toBe(size)
  })

  it('closing destroys a stream it has not finished reading', async () => {
    const stream = Readable.from(chunked(10 * 1024, [1024]))
    const reader = new PartReader(stream, 2048, 2)
    await reader.next()
    await reader.close()
    expect(stream.destroyed).toBe(true)
  })
})
