import {execFileSync} from 'node:child_process'
import {mkdirSync, readdirSync, readFileSync, statSync} from 'node:fs'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {describe, expect, it} from 'vitest'
import {AnalysisDb, bytesOfSetting} from '../../../src/analysis/db.js'
import {interruption} from '../../../src/core/errors.js'
import {repoRoot} from '../../support/cli.js'
import {tempDir} from '../../support/temp.js'

const src = path.join(repoRoot, 'src')
const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(path.join(dir, n)).isDirectory() ? walk(path.join(dir, n)) : n.endsWith('.ts') ? [path.join(dir, n)] : []))

describe('every DuckDB connection is opened locked, whichever command opened it', () => {
  it('creates DuckDB instances and connections in analysis/db.ts alone', () => {
    const opening = walk(src).filter((f) => /DuckDBInstance|\.connect\(\)|DuckDBConnection\.create/.test(readFileSync(f, 'utf8')))
    expect(opening.map((f) => path.relative(src, f))).toEqual([path.join('analysis', 'db.ts')])
  })

  it('keeps external access off and the configuration locked on a writable database too (as load opens it)', async () => {
    const dir = await tempDir()
    const db = await AnalysisDb.open(path.join(dir, 'case.duckdb'))
    try {
      await db.run('CREATE TABLE t AS SELECT 1 AS a')
      await expect(db.all("SELECT * FROM read_text('/etc/hostname')")).rejects.toThrow(/disabled|external access|Permission/i)
      await expect(db.run(`COPY t TO '${path.join(dir, 'out.csv')}'`)).rejects.toThrow(/disabled|external access|Permission/i)
      await expect(db.run(`ATTACH '${path.join(dir, 'other.duckdb')}' AS other`)).rejects.toThrow(/disabled|external access|Permission|lock/i)
      for (const setting of ['enable_external_access = true', 'lock_configuration = false', "allowed_directories = ['/']"]) {
        await expect(db.run(`SET ${setting}`), setting).rejects.toThrow(/locked|lock/i)
      }
    } finally {
      db.close()
    }
  })

  it('reads and writes only inside the folders it was opened for', async () => {
    const dir = await tempDir()
    const target = path.join(dir, 'export')
    mkdirSync(target)
    const db = await AnalysisDb.open(path.join(dir, 'case.duckdb'), {allowedDirectories: [target]})
    try {
      await db.run(`COPY (SELECT 1 AS a) TO '${path.join(target, 'a.csv')}'`)
      expect(readFileSync(path.join(target, 'a.csv'), 'utf8')).toBe('a\n1\n')
      await expect(db.run(`COPY (SELECT 1 AS a) TO '${path.join(dir, 'b.csv')}'`)).rejects.toThrow(/disabled|external access|Permission/i)
    } finally {
      db.close()
    }
  })
})

describe('a sibling connection', () => {
  it('reads times in UTC on a machine in another zone, and is as locked as the first', async () => {
    const dir = await tempDir()
    // In a process of its own: DuckDB takes the machine's zone once per process.
    const script = `
      const {AnalysisDb} = await import(${JSON.stringify(pathToFileURL(path.join(repoRoot, 'dist', 'analysis', 'db.js')).href)})
      const db = await AnalysisDb.open(${JSON.stringify(path.join(dir, 'case.duckdb'))})
      const side = await db.sibling()
      const sql = "SELECT current_setting('TimeZone') AS zone, CAST(TIMESTAMPTZ '2024-01-01 00:00:00+00' AS VARCHAR) AS shown"
      const locked = await side.run("SET enable_external_access = true").then(() => 'no', (e) => e.message)
      const out = {first: (await db.all(sql)).rows[0], sibling: (await side.all(sql)).rows[0], locked}
      side.close()
      // The database stays open after its sibling closes.
      out.after = (await db.all('SELECT 1 AS one')).rows[0]
      db.close()
      console.log(JSON.stringify(out))`
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], {env: {...process.env, TZ: 'America/New_York'}, encoding: 'utf8'}))
    expect(out.first).toEqual({zone: 'UTC', shown: '2024-01-01 00:00:00+00'})
    expect(out.sibling).toEqual(out.first)
    expect(out.locked).toMatch(/locked/)
    expect(out.after).toEqual({one: 1})
  })
})

describe('bytesOfSetting', () => {
  it('reads the memory limit as DuckDB reports it back', async () => {
    const dir = await tempDir()
    const db = await AnalysisDb.open(path.join(dir, 'case.duckdb'), {memoryLimit: '2GB'})
    try {
      const shown = String((await db.all("SELECT current_setting('memory_limit') AS m")).rows[0]!.m)
      // Shown rounded to a tenth of its unit (`1.8 GiB`).
      expect(Math.abs(bytesOfSetting(shown)! - 2e9)).toBeLessThan(0.05 * 2e9)
    } finally {
      db.close()
    }
    expect(bytesOfSetting('512 bytes')).toBe(512)
    expect(bytesOfSetting('16 GB')).toBe(16e9)
    expect(bytesOfSetting('unlimited')).toBeUndefined()
  })
})

describe('AnalysisDb.read', () => {
  it('gives a column, or chosen rows across chunks, as all() gives them', async () => {
    const dir = await tempDir()
    const db = await AnalysisDb.open(path.join(dir, 'case.duckdb'))
    try {
      // More rows than one DuckDB chunk (2,048), of the types queries return.
      const sql = `SELECT i, 'v' || i AS s, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i) AS t, [i, NULL] AS l, {k: i} AS o, CASE WHEN i % 2 = 0 THEN NULL ELSE i END AS n
        FROM range(5000) r(i) ORDER BY i`
      const all = (await db.all(sql)).rows
      const read = await db.read(sql)
      expect(read.count).toBe(5000)
      expect(read.column('s')).toEqual(all.map((r) => r.s))
      const positions = [0, 2047, 2048, 4095, 4999]
      expect(read.rows(positions)).toEqual(positions.map((p) => all[p]))
      expect(all[4999]).toEqual({i: 4999, s: 'v4999', t: '2024-01-01T01:23:19.000Z', l: [4999, null], o: {k: 4999}, n: 4999})
    } finally {
      db.close()
    }
  })
})

describe('AnalysisDb.readQuery', () => {
  it('packs texts beside a JSON column as the texts they are, in readQuery and in a stream', async () => {
    const db = await AnalysisDb.open(':memory:')
    try {
      const sql = `SELECT '123' AS a, '{"x":1}'::JSON AS j, 'true' AS b, 'plain' AS c, NULL::JSON AS none FROM range(3000)`
      const plain = (await db.all(sql)).rows
      expect(plain[0]).toEqual({a: '123', j: '{"x":1}', b: 'true', c: 'plain', none: null})
      expect((await db.readQuery(sql)).rows()).toEqual(plain)
      const streamed = []
      for await (const c of (await db.openStream(sql)).chunks) streamed.push(...c.rows())
      expect(streamed).toEqual(plain)
    } finally {
      db.close()
    }
  })

  it('gives the rows, columns and order read() gives, texts written by anyone included', async () => {
    const dir = await tempDir()
    const db = await AnalysisDb.open(path.join(dir, 'case.duckdb'))
    try {
      // Texts an attacker may write (quotes, escapes, controls, separators, emoji, long and short),
      // beside NULLs, other types and a repeated column name, over more rows than one chunk, in the
      // query's own descending order; a parameter bound, and a line comment at the very end.
      await db.run(`CREATE TABLE odd AS SELECT * FROM (VALUES ('say "hi"\\'), (chr(0) || chr(27) || '[31m' || chr(10)), ('a' || chr(8232) || 'b'), ('🦆 ünïcode'), (NULL), (repeat('x', 5000)), ('')) v(s)`)
      const sql = `SELECT o.s AS s, i, 'v' || i AS t, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i) AS at, CASE WHEN i % 3 = 0 THEN NULL ELSE 'n' || i END AS s, [i] AS l, i % 2 = 0 AS even, $tag AS tag
        FROM range(5000) r(i) JOIN odd o ON true WHERE i % 7 = 0 OR i > 4990 ORDER BY i DESC, o.s NULLS FIRST -- the newest first`
      const params = {tag: 'tag "\\ \u2028'}
      const plain = await db.read(sql, params)
      const viaJson = await db.readQuery(sql, params)
      expect(viaJson.columns).toEqual(['s', 'i', 't', 'at', 's:1', 'l', 'even', 'tag'])
      expect(viaJson.textsAsJson).toBe(true)
      expect(viaJson.columns).toEqual(plain.columns)
      expect(viaJson.count).toBe(plain.count)
      expect(viaJson.count).toBeGreaterThan(2048)
      const rows = viaJson.rows()
      expect(rows).toEqual(plain.rows())
      expect(rows.map((r) => Object.keys(r))).toEqual(plain.rows().map((r) => Object.keys(r)))
      expect(viaJson.column('s:1')).toEqual(plain.column('s:1'))
      const positions = [0, 2047, 2048, viaJson.count - 1]
      expect(viaJson.rows(positions)).toEqual(plain.rows(positions))
      expect(new Set(rows.map((r) => r.s))).toEqual(new Set(['say "hi"\\', '\u0000\u001b[31m\n', 'a\u2028b', '🦆 ünïcode', null, 'x'.repeat(5000), '']))
      expect(rows[0]).toMatchObject({i: 4999, t: 'v4999', tag: params.tag, even: false, l: [4999]})
    } finally {
      db.close()
    }
  })

  it('reads a statement that is not a query, or has one text column, as read() does; a query may end in a semicolon', async () => {
    const dir = await tempDir()
    const db = await AnalysisDb.open(path.join(dir, 'case.duckdb'))
    try {
      for (const sql of ['PRAGMA version', "SELECT 'only' AS s, 1 AS n"]) {
        const r = await db.readQuery(sql)
        expect(r.rows(), sql).toEqual((await db.read(sql)).rows())
        expect(r.count, sql).toBe(1)
        expect(r.textsAsJson, sql).toBe(false)
      }
      const ended = await db.readQuery("SELECT 'a' AS a, 'b' AS b;\n")
      expect([ended.textsAsJson, ended.rows()]).toEqual([true, [{a: 'a', b: 'b'}]])
      await expect(db.readQuery('SELECT * FROM no_such_table')).rejects.toThrow(/no_such_table/)
    } finally {
      db.close()
    }
  })
})

describe('AnalysisDb.streamTexts', () => {
  it('streams one text column a chunk at a time, in order, NULL as null, and refuses any other shape', async () => {
    const dir = await tempDir()
    const db = await AnalysisDb.open(path.join(dir, 'case.duckdb'))
    try {
      const sql = `SELECT CASE WHEN i % 1000 = 7 THEN NULL ELSE 'line ' || i || ' é\u202E' END AS s FROM range(5000) r(i) ORDER BY i DESC`
      const chunks: Array<Array<string | null>> = []
      for await (const texts of db.streamTexts(sql)) chunks.push(texts)
      expect(chunks.length).toBeGreaterThan(1)
      expect(chunks.flat()).toEqual((await db.all(sql)).rows.map((r) => r.s))
      const refused = async (query: string): Promise<unknown> => {
        for await (const _ of db.streamTexts(query)) return 'read'
        return 'empty'
      }
      await expect(refused("SELECT 'a' AS a, 'b' AS b")).rejects.toThrow(/one VARCHAR column/)
      await expect(refused('SELECT 1 AS n')).rejects.toThrow(/one VARCHAR column/)
    } finally {
      db.close()
    }
  })
})

describe('AnalysisDb.runTracked', () => {
  it('tells how far a statement is when the database tracks progress, never prints it, and tells nothing otherwise', async () => {
    for (const queryProgress of [true, false]) {
      const db = await AnalysisDb.open(':memory:', {queryProgress})
      try {
        await db.run('CREATE TABLE t AS SELECT i, i::VARCHAR AS s FROM range(4000000) r(i)')
        const told: Array<[number, number]> = []
        await db.runTracked('CREATE TABLE u AS SELECT s, count(*) AS n FROM t GROUP BY s', (rows, total) => told.push([rows, total]), 2)
        expect((await db.all('SELECT count(*) AS n FROM u')).rows[0]!.n).toBe(4_000_000)
        if (!queryProgress) {
          expect(told).toEqual([])
          continue
        }
        expect(told.length).toBeGreaterThan(0)
        // DuckDB's total is its own estimate of the rows its scans read: never below the table's.
        for (const [, total] of told) expect(total).toBeGreaterThanOrEqual(4_000_000)
        expect(told.some(([rows]) => rows > 0)).toBe(true)
        // The bar is never drawn (it would go to the terminal), and no statement can turn it on.
        expect((await db.all("SELECT current_setting('enable_progress_bar_print') AS p")).rows[0]!.p).toBe(false)
        await expect(db.run('SET enable_progress_bar_print = true')).rejects.toThrow(/locked/)
      } finally {
        db.close()
      }
    }
  })
})

describe('a streamed result', () => {
  it('that fails or is interrupted part-way throws, where DuckDB\'s client would end it as if it were whole', async () => {
    const db = await AnalysisDb.open(':memory:')
    try {
      const late = "SELECT i, repeat('x', 200) AS pad, CASE WHEN i < 59999 THEN i ELSE error('boom') END AS v FROM range(60000) r(i)"
      const read = async (sql: string, each?: (n: number) => void): Promise<number> => {
        let n = 0
        for await (const chunk of (await db.openStream(sql)).chunks) {
          n += chunk.count
          each?.(n)
        }
        return n
      }
      await expect(read(late)).rejects.toThrow(/DuckDB stopped the result after \d+ row\(s\): the statement failed or was interrupted part-way/)
      let texts = 0
      await expect((async () => {
        for await (const t of db.streamTexts("SELECT CASE WHEN i < 59999 THEN repeat('x', 200) ELSE error('boom') END AS t FROM range(60000) r(i)")) texts += t.length
      })()).rejects.toThrow(/boom|DuckDB stopped the result/)
      expect(texts).toBeLessThan(60000)
      let interrupted = false
      await expect(read("SELECT i, repeat('x', 100) FROM range(3000000) r(i)", (n) => {
        if (n > 4000 && !interrupted) {
          interrupted = true
          db.connection.interrupt()
        }
      })).rejects.toThrow(/DuckDB stopped the result/)
      // Whole results, an empty one and a sorted one, end as they are.
      expect(await read('SELECT i FROM range(60000) r(i)')).toBe(60000)
      expect(await read('SELECT 1 WHERE false')).toBe(0)
      expect(await read('SELECT i FROM range(100000) r(i) ORDER BY i DESC')).toBe(100000)
    } finally {
      db.close()
    }
  })
})

describe('a database opened with a signal (Ctrl-C)', () => {
  // About a hundred seconds of work on two cores: only the interruption ends it within the test's time.
  const endless = 'SELECT sum(hash(range)) AS s FROM range(100000000000)'

  it('interrupts the statement under way on every connection and refuses the next, each throwing the signal\'s reason', async () => {
    const stop = new AbortController()
    const reason = interruption('SIGINT')
    const db = await AnalysisDb.open(':memory:', {signal: stop.signal})
    const side = await db.sibling()
    try {
      await db.run('CREATE TABLE t AS SELECT 1 AS a')
      const started = performance.now()
      setTimeout(() => stop.abort(reason), 300)
      const ended = await Promise.allSettled([db.run(endless), side.all(endless)])
      expect(ended).toEqual([{status: 'rejected', reason}, {status: 'rejected', reason}])
      expect(performance.now() - started).toBeLessThan(20_000)
      await expect(db.all('SELECT a FROM t')).rejects.toBe(reason)
      await expect(db.openStream('SELECT a FROM t')).rejects.toBe(reason)
    } finally {
      side.close()
      db.close()
    }
  })

  it('ends a stream part-way with the reason, where it would otherwise end as if whole', async () => {
    const stop = new AbortController()
    const reason = interruption('SIGTERM')
    const db = await AnalysisDb.open(':memory:', {signal: stop.signal})
    try {
      let rows = 0
      await expect((async () => {
        for await (const chunk of (await db.openStream("SELECT i, repeat('x', 100) FROM range(3000000) r(i)")).chunks) {
          rows += chunk.count
          if (rows > 4000) stop.abort(reason)
        }
      })()).rejects.toBe(reason)
      expect(rows).toBeLessThan(3_000_000)
    } finally {
      db.close()
    }
  })

  it('leaves a database without a signal, and a signal never aborted, as they were', async () => {
    const stop = new AbortController()
    const db = await AnalysisDb.open(':memory:', {signal: stop.signal})
    try {
      expect((await db.all('SELECT count(*) AS n FROM range(100000)')).rows).toEqual([{n: 100000}])
    } finally {
      db.close()
    }
    // Closed: a later abort reaches no connection of it.
    expect(() => stop.abort(interruption('SIGINT'))).not.toThrow()
  })
})
