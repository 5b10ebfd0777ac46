import {execFileSync} from 'node:child_process'
import {mkdir, readdir, readFile, symlink, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {gunzipSync, gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {importCloudTrail} from '../../../support/cloudtrail-steps.js'
import {LocalDirectoryStore} from '../../../../src/evidence/stores/local.js'
import {verifyCase} from '../../../../src/evidence/verify.js'
import {fixtureRecords, spreadRecords} from '../../../support/cloudtrail-fixtures.js'
import {testContext} from '../../../support/context.js'
import {tempDir} from '../../../support/temp.js'
import type {EvidenceStore} from '../../../../src/evidence/store.js'

const delivery = (tag: string, n = 2): string => JSON.stringify({Records: spreadRecords(fixtureRecords(), n, new Date('2026-11-19T00:00:00Z'), new Date('2026-11-20T00:00:00Z'), 'us-east-1', tag)})

describe('import cloudtrail of a file many times the size of one write', () => {
  it('converts every record, in order, as JSON.stringify writes it', async () => {
    const dir = await tempDir()
    const input = path.join(dir, 'handed-over')
    await mkdir(input)
    const records = spreadRecords(fixtureRecords(), 3000, new Date('2026-11-19T00:00:00Z'), new Date('2026-11-20T00:00:00Z'), 'us-east-1', 'big')
    const expected = records.map((r) => `${JSON.stringify(r)}\n`).join('')
    // Several batches of record lines, and a last one cut short.
    expect(expected.length).toBeGreaterThan(3 * 256 * 1024)
    await writeFile(path.join(input, 'big.json.gz'), gzipSync(JSON.stringify({Records: records})))
    const store = new LocalDirectoryStore(path.join(dir, 'store'))

    const result = await importCloudTrail(testContext(store), 'INC-BIG', [input])

    expect(result.perFile).toMatchObject([{status: 'imported', loaded: 3000}])
    const written = (await readdir(path.join(dir, 'store'), {recursive: true})).filter((f) => f.endsWith('big.ndjson.gz'))
    expect(written).toHaveLength(1)
    expect(gunzipSync(await readFile(path.join(dir, 'store', written[0]!))).toString('utf8')).toBe(expected)
  })
})

describe('import cloudtrail of a gzip that inflates beyond reason', () => {
  it('records it as too-large, keeps its bytes and imports the other files', async () => {
    const dir = await tempDir()
    const input = path.join(dir, 'handed-over')
    await mkdir(input)
    const record = {eventTime: '2026-11-20T10:00:00Z', eventName: 'GetFunction', eventSource: 'lambda.amazonaws.com', eventID: 'e-1'}
    await writeFile(path.join(input, 'a-good.json'), JSON.stringify({Records: [record]}))
    // The start of a delivery file, then 640 gzip members of 1 MiB of spaces each: about 650 KiB on disk, 640 MiB inflated.
    const member = gzipSync(Buffer.alloc(1024 * 1024, 0x20))
    await writeFile(path.join(input, 'b-bomb.json.gz'), Buffer.concat([gzipSync('{"Records": [\n'), ...Array.from({length: 640}, () => member)]))
    const store = new LocalDirectoryStore(path.join(dir, 'store'))

    const result = await importCloudTrail(testContext(store), 'INC-BOMB', [input])

    expect({...result, perFile: undefined}).toMatchObject({status: 'partial', files: 2, converted: 1, malformed: 1, records: 1})
    expect(result.perFile.find((f) => f.file.endsWith('b-bomb.json.gz'))).toMatchObject({status: 'malformed', code: 'too-large'})
    const v = await verifyCase(store, 'INC-BOMB')
    expect(v.ok).toBe(true)
    expect(v.artifacts.map((a) => path.posix.basename(a.key)).sort()).toEqual(['a-good.json', 'a-good.ndjson.gz', 'b-bomb.json.gz'])
  })
})

describe('import cloudtrail of a folder: every entry counted and named', () => {
  it('follows links inside the folder only, names links out and dangling ones, never opens a FIFO, reads files by content not name', async () => {
    const dir = await tempDir()
    const input = path.join(dir, 'handed-over')
    await mkdir(path.join(input, 'sub'), {recursive: true})
    await writeFile(path.join(input, 'a.json'), delivery('a'))
    await writeFile(path.join(input, 'export'), delivery('noext'))
    await writeFile(path.join(input, 'sub', 'b.json.gz'), gzipSync(delivery('b')))
    await writeFile(path.join(input, 'notes.txt'), '# Handover notes\nThe customer exported these from their SIEM.\n')
    await writeFile(path.join(dir, 'outside.json'), delivery('out'))
    await symlink(path.join(input, 'sub', 'b.json.gz'), path.join(input, 'link-in.json.gz'))
    await symlink(path.join(dir, 'outside.json'), path.join(input, 'link-out.json'))
    await symlink(path.join(input, 'gone.json'), path.join(input, 'dangling.json'))
    await symlink(path.join(input, 'sub'), path.join(input, 'sub-link'))
    execFileSync('mkfifo', [path.join(input, 'pipe.json')])
    const store = new LocalDirectoryStore(path.join(dir, 'store'))

    const result = await importCloudTrail(testContext(store), 'INC-FOLDER', [input])

    const by = Object.fromEntries(result.perFile.map((f) => [path.relative(input, f.file), `${f.status}${f.code ? `:${f.code}` : ''}:${f.loaded}`]))
    expect(by).toEqual({
      'a.json': 'imported:2',
      'dangling.json': 'refused:dangling-link:0',
      export: 'imported:2',
      'link-in.json.gz': 'imported:2',
      'link-out.json': 'refused:outside-folder:0',
      'notes.txt': 'not-cloudtrail:not-cloudtrail:0',
      'pipe.json': 'refused:special-file:0',
      'sub/b.json.gz': 'refused:same-file:0',
    })
    expect(result).toMatchObject({status: 'partial', files: 8, read: 4, records: 6, refused: 4, notCloudTrail: 1})
    expect(result.gaps.map((g) => `${g.code} ${path.basename(g.resource)}`).sort()).toEqual(['dangling-link dangling.json', 'not-cloudtrail notes.txt', 'outside-folder link-out.json', 'special-file pipe.json'])
    expect(result.perFile.find((f) => f.file.endsWith('notes.txt'))!.reason).toContain('not JSON: it begins with "# Handover notes')
  })

  it('a folder holding only a .txt file is not a complete import of nothing', async () => {
    const dir = await tempDir()
    await writeFile(path.join(dir, 'readme.txt'), 'nothing here\n')
    const result = await importCloudTrail(testContext(new LocalDirectoryStore(path.join(await tempDir(), 'store'))), 'INC-TXT', [dir])
    expect(result).toMatchObject({status: 'partial', files: 1, read: 1, records: 0, notCloudTrail: 1})
  })

  it('after an interruption, says how many of all the files of the folder were read', async () => {
    const dir = await tempDir()
    const input = path.join(dir, 'many')
    await mkdir(input)
    const write = (i: number) => writeFile(path.join(input, `f-${String(i).padStart(4, '0')}.json`), `{"Records":[{"eventVersion":"1.08","eventID":"e-${i}","eventTime":"2026-11-19T10:00:00Z","eventName":"GetFunction","eventSource":"lambda.amazonaws.com"}]}`)
    for (let i = 0; i < 2000; i += 200) await Promise.all(Array.from({length: 200}, (_, j) => write(i + j)))
    const abort = new AbortController()
    const local = new LocalDirectoryStore(path.join(dir, 'store'))
    let puts = 0
    const store: EvidenceStore = Object.assign(Object.create(local) as EvidenceStore, {
      put: async (...args: Parameters<EvidenceStore['put']>) => {
        if (++puts === 40) abort.abort(new Error('interrupted by the user'))
        return local.put(...args)
      },
    })

    const result = await importCloudTrail(testContext(store, {signal: abort.signal}), 'INC-CTRLC', [input])

    expect(result.status).toBe('incomplete')
    expect(result.interrupted).toBe(true)
    expect(result.files).toBe(2000)
    expect(result.read).toBeGreaterThan(0)
    expect(result.read).toBeLessThan(100)
    expect(result.read + result.notRead).toBe(2000)
  })
})
