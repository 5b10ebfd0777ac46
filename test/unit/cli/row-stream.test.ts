import {Writable} from 'node:stream'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {AnalysisDb, type Row} from '../../../src/analysis/db.js'
import {jsonText, toCsv, toNdjson} from '../../../src/analysis/output.js'
import {shownRow, successEnvelope} from '../../../src/cli/output.js'
import {firstRows, writeJson, writeLines, type RowStream} from '../../../src/cli/row-stream.js'

// Rows over several of DuckDB's chunks (2,048 rows each), with text an attacker could write.
const ROWS = 5000
const SQL = `SELECT i, CASE i % 7
    WHEN 0 THEN 'line one' || chr(10) || 'line two'
    WHEN 1 THEN '=HYPERLINK("http://x")'
    WHEN 2 THEN 'rtl ' || chr(8238) || ' and ' || chr(8232) || ' and ' || chr(127)
    WHEN 3 THEN '{"Variables":{"DB_PASSWORD":"hunter2-' || i || '"}}'
    WHEN 4 THEN NULL
    ELSE 'a "quoted", comma ' || i END AS message,
  i * 1.5 AS score, i % 2 = 0 AS even, {'k': i, 'tags': ['a', 'b']} AS nested
  FROM range(${ROWS}) r(i) WHERE i < $n ORDER BY i`

let db: AnalysisDb
const show = (r: Row): Row => shownRow(r, false)

beforeAll(async () => {
  db = await AnalysisDb.open(':memory:')
})
afterAll(() => db.close())

async function open(n = ROWS): Promise<{stream: RowStream; columns: string[]; all: Row[]}> {
  const all = await db.all(SQL, {n: BigInt(n)})
  const {columns, chunks} = await db.openStream(SQL, {n: BigInt(n)})
  return {stream: {chunks, close: () => {}}, columns, all: all.rows}
}

/** A stream that takes a little at a time, asynchronously: every write after the first few waits for a drain. */
function slowSink(): {out: Writable; text: () => string} {
  const parts: string[] = []
  const out = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, done) {
      parts.push(chunk.toString('utf8'))
      setImmediate(done)
    },
  })
  return {out, text: () => parts.join('')}
}

const envelope = (list: {rows: unknown[]; total: number; truncated: boolean}) => successEnvelope(undefined, {query: 'sql', columns: ['i'], rows: list.rows, total: list.total, truncated: list.truncated}, ['a warning'])

describe('rows written as they are read', () => {
  for (const limit of [undefined, 3, 2048, 2049, 0]) {
    it(`writes the bytes the held rows would give, with --limit ${limit ?? 'none'}`, async () => {
      const held = await open()
      const kept = (limit === undefined ? held.all : held.all.slice(0, limit)).map(show)
      const json = slowSink()
      expect(await writeJson(held.stream, 'rows', envelope, {limit, show, out: json.out})).toEqual({kept: kept.length, total: ROWS})
      expect(json.text()).toBe(`${jsonText(envelope({rows: kept, total: ROWS, truncated: kept.length < ROWS}), 2)}\n`)
      for (const format of ['csv', 'ndjson'] as const) {
        const again = await open()
        const sink = slowSink()
        expect(await writeLines(format, again.stream, again.columns, {limit, show, out: sink.out})).toEqual({kept: kept.length, total: ROWS})
        expect(sink.text(), format).toBe(format === 'csv' ? toCsv(again.columns, kept) : toNdjson(again.columns, kept))
      }
      const table = await open()
      expect(await firstRows(table.stream, {limit, show})).toEqual({rows: kept, total: ROWS})
    })
  }

  it('redacts every row it writes, and writes an empty result as the held one', async () => {
    const held = await open()
    const sink = slowSink()
    await writeLines('ndjson', held.stream, held.columns, {limit: undefined, show, out: sink.out})
    expect(sink.text()).not.toContain('hunter2')
    expect(sink.text()).toContain('[redacted:DB_PASSWORD]')
    const none = await open(0)
    const json = slowSink()
    expect(await writeJson(none.stream, 'rows', envelope, {limit: undefined, show, out: json.out})).toEqual({kept: 0, total: 0})
    expect(json.text()).toBe(`${jsonText(envelope({rows: [], total: 0, truncated: false}), 2)}\n`)
  })

  it('stops reading when the reader goes away, without waiting for it', async () => {
    // Past the first 8 MiB, which are held: rows of about 1 KiB.
    const big = await db.openStream("SELECT i, repeat('x', 1000) AS pad FROM range(200000) r(i)")
    let writes = 0
    const gone = new Writable({
      highWaterMark: 16,
      write(_chunk, _enc, done) {
        writes++
        done()
        this.destroy()
      },
    })
    gone.on('error', () => {})
    const {kept, total} = await writeLines('csv', {chunks: big.chunks, close: () => {}}, big.columns, {limit: undefined, show, out: gone})
    expect(writes).toBe(1)
    expect(kept).toBeGreaterThan(8000)
    expect(total).toBeLessThan(200_000)
  })

  it('writes nothing when the rows fail within the first 8 MiB; past them, says it started before the error', async () => {
    for (const [rows, writesBefore] of [[3000, false], [60_000, true]] as const) {
      const sink = slowSink()
      let started = false
      const run = async (): Promise<unknown> => {
        const failing = await db.openStream(`SELECT i, repeat('x', 400) AS pad, CASE WHEN i < ${rows - 1} THEN i ELSE error('boom') END AS v FROM range(${rows}) r(i)`)
        return writeJson({chunks: failing.chunks, close: () => {}}, 'rows', envelope, {limit: undefined, show, out: sink.out, started: () => (started = true)})
      }
      // Late in the rows, DuckDB's Node client gives no reason: the stream says it stopped part-way.
      await expect(run()).rejects.toThrow(writesBefore ? /DuckDB stopped the result after \d+ row\(s\)/ : /boom/)
      expect(started, `${rows} rows`).toBe(writesBefore)
      expect(sink.text() === '', `${rows} rows`).toBe(!writesBefore)
    }
  })

  it('stops between chunks when interrupted', async () => {
    const held = await open()
    const stop = new AbortController()
    let chunks = 0
    const counted: RowStream = {
      chunks: (async function* () {
        for await (const c of held.stream.chunks) {
          chunks++
          if (chunks === 2) stop.abort(new Error('interrupted by the user'))
          yield c
        }
      })(),
      close: () => {},
    }
    await expect(firstRows(counted, {limit: undefined, show, signal: stop.signal})).rejects.toThrow('interrupted by the user')
    expect(chunks).toBe(2)
  })
})
