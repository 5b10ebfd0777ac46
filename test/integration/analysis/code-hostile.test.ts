import {existsSync} from 'node:fs'
import {readdir} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {AnalysisDb} from '../../../src/analysis/db.js'
import {loadCase} from '../../../src/analysis/load.js'
import {findQuery, loadQueries} from '../../../src/analysis/queries.js'
import {openForQuery, runNamedQuery} from '../../../src/analysis/run-query.js'
import {fnArn} from '../../support/code-fixtures.js'
import {writeCase, type ArtifactSpec} from '../../support/evidence-case.js'
import {tempDir} from '../../support/temp.js'
import {SYMLINK, buildZip, type ZipEntrySpec} from '../../support/zip-builder.js'

const TINY = 100_500

function hostile(version: string, zip: Buffer): ArtifactSpec {
  return {
    segments: ['lambda', 'us-east-1', 'hostile-fn', 'versions', version, 'code.zip'],
    kind: 'lambda.code',
    body: zip,
    contentType: 'application/zip',
    source: `${fnArn('hostile-fn')}:${version}`,
    attributes: {functionName: 'hostile-fn', version, verified: true},
  }
}

/** Every file under a folder, relative to it. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, {recursive: true, withFileTypes: true})
  return entries.filter((e) => !e.isDirectory()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort()
}

describe('load: hostile code archives', () => {
  it('finishes, names and counts each hostile trait, follows and writes out nothing', async () => {
    const dir = await tempDir()
    const good = buildZip([{name: 'index.js', data: 'exports.handler = async () => 1\n'.repeat(40), deflate: true}])
    const packages = [
      hostile('1', buildZip([{name: 'bomb.bin', data: Buffer.alloc(32 * 1024 * 1024), deflate: true}, {name: 'index.js', data: 'ok\n'}])),
      hostile('2', buildZip([{name: '../../etc/passwd', data: 'root::0:0::/:/bin/sh\n'}, {name: '/etc/cron.d/backdoor', data: '* * * * * root sh\n'}])),
      hostile('3', buildZip([{name: 'creds', data: '../../../../proc/self/environ', mode: SYMLINK}])),
      hostile('4', buildZip([{name: 'payload.js', data: Buffer.alloc(64, 0x5a), encrypted: true, declaredSize: 52}])),
      hostile('5', good.subarray(0, good.length - 30)),
      hostile('6', buildZip(Array.from({length: TINY}, (_, i): ZipEntrySpec => ({name: `t/${i}`, data: 'x'})))),
      hostile('7', buildZip([{name: 'index.js', data: 'one\n'}, {name: 'index.js', data: 'two\n'}, {name: 'k', data: Buffer.alloc(200_000, 1), deflate: true}, {name: 'k2', sameDataAs: 2}])),
    ]
    const {store} = await writeCase(path.join(dir, 'store'), 'INC-HOSTILE', packages)
    const before = await tree(dir)
    const cwdBefore = await readdir(process.cwd())
    const dbPath = path.join(dir, 'case.duckdb')

    const result = await loadCase(store, 'INC-HOSTILE', {dbPath})

    // Nothing was extracted: the folder holds what it held plus the database, and no entry's name appeared anywhere.
    expect(await tree(dir)).toEqual([...before, 'case.duckdb'].sort())
    expect((await readdir(process.cwd())).filter((f) => !cwdBefore.includes(f) && !f.startsWith('.vitest'))).toEqual([])
    expect(existsSync('/etc/cron.d/backdoor')).toBe(false)

    expect(result.code).toMatchObject({packages: 7, read: 2, partial: 4, unreadable: 1})
    expect(result.code.anomalies).toEqual({
      'compression-ratio': 1, 'path-traversal': 1, 'absolute-path': 1, symlink: 1, encrypted: 1, truncated: 1, 'entry-limit': 1, 'duplicate-name': 1, 'overlapping-entries': 2,
    })
    expect(result.artifacts.unreadable).toEqual([expect.objectContaining({key: expect.stringContaining('versions/5/code.zip'), state: 'unreadable', detail: expect.stringMatching(/cut short/)})])
    for (const v of ['1', '2', '3', '4', '5', '6', '7']) expect(result.warnings.some((w) => w.includes(`versions/${v}/code.zip`)), `version ${v} named in a warning`).toBe(true)

    const db = await AnalysisDb.open(dbPath, {readOnly: true})
    try {
      const counts = (await db.all("SELECT version, count(*) AS n, count(sha256) AS hashed FROM lambda_code_files GROUP BY 1 ORDER BY TRY_CAST(version AS INT)")).rows
      expect(counts).toEqual([
        {version: '1', n: 2, hashed: 1},
        {version: '2', n: 2, hashed: 2},
        {version: '3', n: 1, hashed: 1},
        {version: '4', n: 1, hashed: 0},
        {version: '6', n: 100_000, hashed: 100_000},
        {version: '7', n: 4, hashed: 2},
      ])
      const rows = (await db.all("SELECT path, entry_type, install_path, link_target, note FROM lambda_code_files WHERE version IN ('1', '2', '3', '4') ORDER BY version, entry_index")).rows
      expect(rows).toEqual([
        {path: 'bomb.bin', entry_type: 'file', install_path: '/var/task/bomb.bin', link_target: null, note: 'read stopped: compression ratio cap'},
        {path: 'index.js', entry_type: 'file', install_path: '/var/task/index.js', link_target: null, note: null},
        {path: '../../etc/passwd', entry_type: 'file', install_path: null, link_target: null, note: null},
        {path: '/etc/cron.d/backdoor', entry_type: 'file', install_path: null, link_target: null, note: null},
        {path: 'creds', entry_type: 'symlink', install_path: '/var/task/creds', link_target: '../../../../proc/self/environ', note: null},
        {path: 'payload.js', entry_type: 'file', install_path: '/var/task/payload.js', link_target: null, note: 'not read: encrypted'},
      ])
      const limit = (await db.all("SELECT detail FROM lambda_code_anomalies WHERE anomaly = 'entry-limit'")).rows
      expect(limit).toEqual([{detail: `${TINY} entries; the first 100000 were read, 500 counted and not read`}])
      expect((await db.all("SELECT status, detail FROM artifacts WHERE key LIKE '%versions/5/code.zip'")).rows).toEqual([{status: 'unreadable', detail: expect.stringMatching(/cut short/)}])
    } finally {
      db.close()
    }

    const q = await openForQuery(dbPath)
    try {
      const found = (await runNamedQuery(q, findQuery(loadQueries(), 'lambda-code-archive-anomalies'))).rows
      expect(found.map((r) => [r.version, r.anomaly])).toEqual([
        ['1', 'compression-ratio'],
        ['2', 'path-traversal'],
        ['2', 'absolute-path'],
        ['3', 'symlink'],
        ['4', 'encrypted'],
        ['5', 'truncated'],
        ['6', 'entry-limit'],
        ['7', 'duplicate-name'],
        ['7', 'overlapping-entries'],
        ['7', 'overlapping-entries'],
      ])
    } finally {
      q.close()
    }
  })
})
