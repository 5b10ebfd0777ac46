import {readFile, readdir} from 'node:fs/promises'
import {gunzipSync} from 'node:zlib'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {LocalDirectoryStore} from '../../../src/evidence/stores/local.js'
import {GZIP_WRITE_CHARS, ndjsonGzip} from '../../../src/evidence/ndjson.js'
import {tempDir} from '../../support/temp.js'

describe('ndjsonGzip', () => {
  it('streams records as gzip NDJSON', async () => {
    const root = await tempDir()
    const store = new LocalDirectoryStore(root)
    const seen: number[] = []
    await store.put('cases/C/runs/r/x.ndjson.gz', ndjsonGzip([{n: 1}, {n: 2}], (r) => seen.push(r.n)))
    expect(gunzipSync(await readFile(path.join(root, 'cases/C/runs/r/x.ndjson.gz'))).toString()).toBe('{"n":1}\n{"n":2}\n')
    expect(seen).toEqual([1, 2])
  })

  it('keeps every line, in order, of records many times one write to gzip', async () => {
    const root = await tempDir()
    const store = new LocalDirectoryStore(root)
    const records = Array.from({length: 5000}, (_, n) => ({n, message: `event ${n} ${'x'.repeat(n % 300)}`}))
    const expected = records.map((r) => `${JSON.stringify(r)}\n`).join('')
    expect(expected.length).toBeGreaterThan(3 * GZIP_WRITE_CHARS)
    await store.put('cases/C/runs/r/x.ndjson.gz', ndjsonGzip(records))
    expect(gunzipSync(await readFile(path.join(root, 'cases/C/runs/r/x.ndjson.gz'))).toString()).toBe(expected)
  })

  it('fails the write, leaving nothing behind, when the source fails mid-way', async () => {
    const root = await tempDir()
    const store = new LocalDirectoryStore(root)
    async function* failing() {
      yield {n: 1}
      throw new Error('ThrottlingException after retries')
    }
    await expect(store.put('cases/C/runs/r/x.ndjson.gz', ndjsonGzip(failing()))).rejects.toThrow(/ThrottlingException/)
    expect(await readdir(path.join(root, 'cases/C/runs/r'))).toEqual([])
  })
})
