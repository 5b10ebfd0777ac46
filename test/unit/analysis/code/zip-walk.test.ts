import {createHash} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import {BlockCache} from '../../../../src/analysis/code/range-reader.js'
import {DEFAULT_LIMITS, walkArchive, type ArchiveAnomaly, type ArchiveLimits, type WalkedEntry} from '../../../../src/analysis/code/zip-walk.js'
import {EXECUTABLE, FILE, SYMLINK, buildZip} from '../../../support/zip-builder.js'

const sha256 = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex')

async function walk(zip: Buffer, limits: ArchiveLimits = DEFAULT_LIMITS) {
  const entries: Array<WalkedEntry & {sha256: string | null; text: string; stopped: string | null}> = []
  const anomalies: ArchiveAnomaly[] = []
  let reads = 0
  const outcome = await walkArchive(
    async (start, length) => {
      reads++
      return zip.subarray(start, start + length)
    },
    zip.length,
    {
      anomaly: (a) => anomalies.push(a),
      async entry(e, content) {
        const chunks: Buffer[] = []
        const r = content ? await content((c) => chunks.push(c)) : {sha256: null, stopped: null}
        entries.push({...e, sha256: r.sha256, stopped: r.stopped, text: Buffer.concat(chunks).toString('utf8')})
      },
    },
    limits,
  )
  return {outcome, entries, anomalies, reads, codes: anomalies.map((a) => a.code)}
}

describe('walkArchive', () => {
  it('lists entries with names, types, modes, times and the SHA-256 of their content', async () => {
    const zip = buildZip([
      {name: 'index.js', data: 'exports.handler = async () => 1\n', mode: FILE, deflate: true, time: new Date('2026-03-04T05:06:08Z')},
      {name: 'bin/', mode: 0o040755},
      {name: 'bin/run', data: '#!/bin/sh\n', mode: EXECUTABLE},
      {name: 'naïve.py', data: 'print(1)\n'},
    ])
    const {outcome, entries, anomalies} = await walk(zip)
    expect(outcome).toEqual({status: 'read', declaredEntries: 4, listedEntries: 4, inflatedBytes: 32 + 10 + 9, detail: null})
    expect(anomalies).toEqual([])
    expect(entries.map((e) => [e.index, e.name, e.type, e.mode?.toString(8) ?? null, e.size])).toEqual([
      [0, 'index.js', 'file', '100644', 32],
      [1, 'bin/', 'directory', '40755', 0],
      [2, 'bin/run', 'file', '100755', 10],
      [3, 'naïve.py', 'file', null, 9],
    ])
    expect(entries[0]!.sha256).toBe(sha256('exports.handler = async () => 1\n'))
    expect(entries[0]!.modified?.toISOString()).toBe('2026-03-04T05:06:08.000Z')
    expect(entries[1]!.sha256).toBeNull()
  })

  it('names every hostile trait and follows none: traversal, absolute paths, symlinks, encryption, duplicates', async () => {
    const zip = buildZip([
      {name: '../../etc/passwd', data: 'root:x:0:0\n'},
      {name: '/etc/cron.d/backdoor', data: '* * * * * root sh\n'},
      {name: 'link', data: '/etc/shadow', mode: SYMLINK},
      {name: 'secret.js', data: Buffer.alloc(40, 7), encrypted: true, declaredSize: 28},
      {name: 'index.js', data: 'one\n'},
      {name: 'index.js', data: 'two\n'},
      {name: 'win\\path.js', data: 'x\n'},
      {name: 'nul\u0000.js', data: 'x\n'},
      {name: 'suid', data: 'x', mode: 0o104755},
    ])
    const {outcome, entries, codes, anomalies} = await walk(zip)
    // The encrypted entry is listed but not read.
    expect(outcome.status).toBe('partial')
    expect(codes).toEqual(['path-traversal', 'absolute-path', 'encrypted', 'duplicate-name', 'backslash-in-name', 'control-characters-in-name', 'setuid'])
    expect(anomalies.find((a) => a.code === 'duplicate-name')).toMatchObject({entry: 5, path: 'index.js'})
    const link = entries.find((e) => e.name === 'link')!
    expect(link).toMatchObject({type: 'symlink', text: '/etc/shadow'})
    expect(entries.find((e) => e.name === 'secret.js')).toMatchObject({unread: 'encrypted', sha256: null})
    // Both copies of a duplicated name are listed, each with its own content.
    expect(entries.filter((e) => e.name === 'index.js').map((e) => e.text)).toEqual(['one\n', 'two\n'])
  })

  it('stops a zip bomb by its ratio, and overlapping entries are named and not inflated', async () => {
    const zeros = Buffer.alloc(8 * 1024 * 1024)
    const zip = buildZip([
      {name: 'bomb.bin', data: zeros, deflate: true},
      {name: 'kernel', data: Buffer.alloc(300 * 1024, 1), deflate: true},
      {name: 'copy1', sameDataAs: 1},
      {name: 'copy2', sameDataAs: 1},
    ])
    const {entries, codes, outcome} = await walk(zip)
    expect(codes).toEqual(['compression-ratio', 'overlapping-entries', 'overlapping-entries', 'overlapping-entries'])
    expect(entries[0]).toMatchObject({name: 'bomb.bin', sha256: null, stopped: 'compression ratio cap'})
    expect(entries.slice(1).map((e) => e.unread)).toEqual(['overlapping data', 'overlapping data', 'overlapping data'])
    expect(outcome.inflatedBytes).toBeLessThan(2 * 1024 * 1024 + 256 * 1024)
  })

  it('caps the bytes inflated per archive and counts the entries left unread', async () => {
    const files = Array.from({length: 6}, (_, i) => ({name: `f${i}`, data: Buffer.alloc(100_000, i + 1)}))
    const {entries, anomalies, outcome} = await walk(buildZip(files), {...DEFAULT_LIMITS, maxInflatedBytes: 250_000})
    expect(entries.map((e) => e.sha256 !== null)).toEqual([true, true, false, false, false, false])
    expect(anomalies).toEqual([{entry: null, path: null, code: 'inflated-size-cap', detail: expect.stringMatching(/cap is 250000: 4 later entries/)}])
    expect(outcome.status).toBe('partial')
  })

  it('names sizes and checksums that lie', async () => {
    const {codes, entries} = await walk(buildZip([{name: 'a', data: 'hello world', declaredSize: 5, deflate: true}, {name: 'b', data: 'abc', crc: 1234}]))
    expect(codes).toEqual(['size-mismatch', 'crc-mismatch'])
    expect(entries[0]!.text).toBe('hello world')
  })

  it('describes truncated files and non-zips instead of throwing', async () => {
    const good = buildZip([{name: 'index.js', data: 'x'.repeat(1000)}])
    const cut = await walk(good.subarray(0, good.length - 40))
    expect(cut.outcome.status).toBe('unreadable')
    expect(cut.codes).toEqual(['truncated'])
    const other = await walk(Buffer.from('this is not a zip file at all, just text'))
    expect(other.codes).toEqual(['not-a-zip'])
    expect((await walk(Buffer.alloc(0))).codes).toEqual(['not-a-zip'])
  })

  it('reads more than the entry limit only as a count', async () => {
    const zip = buildZip(Array.from({length: 30}, (_, i) => ({name: `f${i}`, data: 'x'})))
    const {entries, anomalies, outcome} = await walk(zip, {...DEFAULT_LIMITS, maxEntries: 20})
    expect(entries).toHaveLength(20)
    expect(anomalies.map((a) => a.detail)).toEqual(['30 entries; the first 20 were read, 10 counted and not read'])
    expect(outcome).toMatchObject({status: 'partial', declaredEntries: 30, listedEntries: 20})
  })
})

describe('BlockCache', () => {
  it('serves reads from a few cached blocks', async () => {
    const data = Buffer.from(Array.from({length: 5000}, (_, i) => i % 251))
    const fetched: Array<[number, number]> = []
    const cache = new BlockCache(async (s, l) => (fetched.push([s, l]), data.subarray(s, s + l)), data.length, 1024, 2)
    expect(await cache.read(1000, 100)).toEqual(data.subarray(1000, 1100))
    expect(await cache.read(1020, 10)).toEqual(data.subarray(1020, 1030))
    expect(await cache.read(4990, 100)).toEqual(data.subarray(4990))
    expect(fetched).toEqual([[0, 1024], [1024, 1024], [4096, 904]])
    expect(await cache.read(6000, 10)).toEqual(Buffer.alloc(0))
  })
})
