import {createHash} from 'node:crypto'
import {readFile, readdir, stat} from 'node:fs/promises'
import path from 'node:path'
import {Readable} from 'node:stream'
import {describe, expect, it} from 'vitest'
import {hashStream} from '../../../../src/evidence/hashing.js'
import {LocalDirectoryStore} from '../../../../src/evidence/stores/local.js'
import {EvidenceExistsError, EvidenceHashMismatchError} from '../../../../src/evidence/store.js'
import {tempDir} from '../../../support/temp.js'

const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex')

describe('LocalDirectoryStore', () => {
  it('writes once, read-only, with the SHA-256 of what it wrote', async () => {
    const dir = await tempDir()
    const store = new LocalDirectoryStore(dir)
    const body = Readable.from([Buffer.from('hello '), Buffer.from('world')])
    const stored = await store.put('cases/C/runs/R/a/b.txt', body)
    expect(stored).toEqual({key: 'cases/C/runs/R/a/b.txt', sha256: sha('hello world'), size: 11})
    const file = path.join(dir, 'cases/C/runs/R/a/b.txt')
    expect(await readFile(file, 'utf8')).toBe('hello world')
    expect((await stat(file)).mode & 0o777).toBe(0o444)
    expect(await hashStream(await store.get('cases/C/runs/R/a/b.txt'))).toEqual({sha256: sha('hello world'), size: 11})
  })

  it('writes bytes and text held in memory as it writes a stream: read-only, hashed, no partial file left', async () => {
    const dir = await tempDir()
    const store = new LocalDirectoryStore(dir)
    const bytes = Buffer.from([0, 255, 10, 13, 0x1f, 0x8b])
    expect(await store.put('cases/C/runs/R/bytes.bin', bytes)).toEqual({key: 'cases/C/runs/R/bytes.bin', sha256: sha(bytes), size: 6})
    expect(await store.put('cases/C/runs/R/text.txt', 'é\n')).toEqual({key: 'cases/C/runs/R/text.txt', sha256: sha(Buffer.from('é\n', 'utf8')), size: 3})
    for (const name of ['bytes.bin', 'text.txt']) expect((await stat(path.join(dir, 'cases/C/runs/R', name))).mode & 0o777).toBe(0o444)
    expect(await readFile(path.join(dir, 'cases/C/runs/R/bytes.bin'))).toEqual(bytes)
    expect(await readdir(path.join(dir, 'cases/C/runs/R'))).toEqual(['bytes.bin', 'text.txt'])
  })

  it('refuses a second write of the same key and keeps the first', async () => {
    const store = new LocalDirectoryStore(await tempDir())
    await store.put('cases/C/runs/R/x', 'first')
    await expect(store.put('cases/C/runs/R/x', 'second')).rejects.toBeInstanceOf(EvidenceExistsError)
    expect((await hashStream(await store.get('cases/C/runs/R/x'))).sha256).toBe(sha('first'))
    const keys = []
    for await (const o of store.list('cases/')) keys.push(o.key)
    expect(keys).toEqual(['cases/C/runs/R/x'])
  })

  it('keeps nothing when the bytes do not match the expected hash', async () => {
    const store = new LocalDirectoryStore(await tempDir())
    await expect(store.put('cases/C/runs/R/code.zip', 'tampered', {expectSha256: sha('original')})).rejects.toBeInstanceOf(EvidenceHashMismatchError)
    expect(await store.exists('cases/C/runs/R/code.zip')).toBe(false)
    const keys = []
    for await (const o of store.list('cases/')) keys.push(o.key)
    expect(keys).toEqual([])
  })

  it('leaves no partial file when the source stream fails midway', async () => {
    const store = new LocalDirectoryStore(await tempDir())
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1024, 1))
        this.destroy(new Error('connection reset'))
      },
    })
    await expect(store.put('cases/C/runs/R/big.bin', failing)).rejects.toThrow(/connection reset/)
    const keys = []
    for await (const o of store.list('cases/')) keys.push(o.key)
    expect(keys).toEqual([])
  })

  it('refuses keys that would escape the store', async () => {
    const store = new LocalDirectoryStore(await tempDir())
    await expect(store.put('cases/../../etc/x', 'x')).rejects.toThrow(/Refusing evidence key/)
  })

  it('keeps an append-only journal that cannot be reopened', async () => {
    const store = new LocalDirectoryStore(await tempDir())
    const j = await store.openJournal('cases/C/runs/R/custody.jsonl')
    await j.append('{"a":1}')
    await j.append('{"a":2}')
    await j.close()
    const lines = []
    for await (const l of store.readJournal('cases/C/runs/R/custody.jsonl')) lines.push(l)
    expect(lines).toEqual(['{"a":1}\n', '{"a":2}\n'])
    await expect(store.openJournal('cases/C/runs/R/custody.jsonl')).rejects.toBeInstanceOf(EvidenceExistsError)
  })
})
