import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {EVENT_TIME_MACRO, eventTimeMicros, parseEventTime, shipperTime} from '../../../src/core/event-time.js'
import {LIST, VARCHAR, listValue} from '@duckdb/node-api'
import {AnalysisDb} from '../../../src/analysis/db.js'

/** Times as CloudTrail, Lake, shippers and attackers write them, each with the instant it names (or none). */
const TABLE: Array<[string, string | null]> = [
  ['2026-11-20T10:00:00Z', '2026-11-20T10:00:00.000Z'],
  ['2026-11-20T10:00:00.123Z', '2026-11-20T10:00:00.123Z'],
  ['2026-11-20T10:00:00.1234567Z', '2026-11-20T10:00:00.123Z'],
  ['2026-11-20 10:00:00.000', '2026-11-20T10:00:00.000Z'],
  ['2026-11-20T10:00:00', '2026-11-20T10:00:00.000Z'],
  ['2026-11-20T10:00:00+01:00', '2026-11-20T09:00:00.000Z'],
  ['2026-11-20T10:00:00-0530', '2026-11-20T15:30:00.000Z'],
  ['2026-11-20T10:00:00.000+00:00', '2026-11-20T10:00:00.000Z'],
  ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
  // JavaScript's Date.parse reads every one of these; DuckDB reads some. Neither import nor load may.
  ['2026-02-30T00:00:00Z', null],
  ['2025-02-29T00:00:00Z', null],
  ['2026-11-20T24:00:00Z', null],
  ['2016-12-31T23:59:60Z', null],
  ['2026-11-20T10:00Z', null],
  ['2026-11-20t10:00:00z', null],
  ['2026-11-20', null],
  ['Nov 20 2026', null],
  ['1700000000', null],
  ['+002026-11-20T10:00:00Z', null],
  [' 2026-11-20T10:00:00Z', null],
  ['2026-11-20T10:00:00Z ', null],
  ['2026-11-20T10:00:00 UTC', null],
  ['2026-11-20T10:00:00+01', null],
  ['2026-11-20T10:00:00+01:00:30', null],
  ['2026-1-2T10:00:00Z', null],
  ['2026-11-20T1:00:00Z', null],
  ['1969-12-31T23:59:59Z', null],
  ['', null],
]

describe('the event time grammar, shared by import and load', () => {
  let db: AnalysisDb
  beforeAll(async () => {
    db = await AnalysisDb.open(':memory:')
    await db.run(EVENT_TIME_MACRO)
  })
  afterAll(() => db.close())

  const loadReads = async (texts: string[]): Promise<Array<number | null>> => {
    const rows = (await db.all(`SELECT epoch_us(event_time(t)) AS us FROM unnest($texts::VARCHAR[]) WITH ORDINALITY AS u(t, n) ORDER BY n`, {texts: listValue(texts)}, {texts: LIST(VARCHAR)})).rows
    return rows.map((r) => (r.us === null ? null : Number(r.us)))
  }

  it.each(TABLE)('%j → %s', (text, instant) => {
    expect(parseEventTime(text)?.toISOString() ?? null).toBe(instant)
  })

  it('load reads every one of them to the same microsecond, and refuses the same ones', async () => {
    const texts = TABLE.map(([t]) => t)
    expect(await loadReads(texts)).toEqual(texts.map((t) => eventTimeMicros(t) ?? null))
  })

  it('agrees with load on thousands of mutated times', async () => {
    const seeds = TABLE.map(([t]) => t).filter((t) => t.length > 0)
    const alphabet = '0123456789-:TZ .+tz'
    let state = 42
    const rand = (n: number): number => ((state = (state * 1103515245 + 12345) % 2 ** 31) % n)
    const texts: string[] = []
    for (let i = 0; i < 5000; i++) {
      const s = seeds[rand(seeds.length)]!.split('')
      const edits = 1 + rand(3)
      for (let e = 0; e < edits; e++) {
        const at = rand(s.length + 1)
        const op = rand(3)
        if (op === 0) s.splice(at, 1)
        else if (op === 1) s.splice(at, 0, alphabet[rand(alphabet.length)]!)
        else s[at] = alphabet[rand(alphabet.length)]!
      }
      texts.push(s.join(''))
    }
    const js = texts.map((t) => eventTimeMicros(t) ?? null)
    expect(js.some((v) => v !== null)).toBe(true)
    expect(js.some((v) => v === null)).toBe(true)
    const sql = await loadReads(texts)
    const differ = texts.filter((_t, i) => sql[i] !== js[i])
    expect(differ).toEqual([])
  })

  it('reads a shipper time: the same grammar, or epoch seconds or milliseconds, written back as CloudTrail writes it', () => {
    expect(shipperTime('2026-11-20T10:00:00.000+00:00')).toBe('2026-11-20T10:00:00Z')
    expect(shipperTime(1795168800123)).toBe('2026-11-20T10:00:00.123Z')
    expect(shipperTime(1795168800)).toBe('2026-11-20T10:00:00Z')
    expect(shipperTime('1795168800')).toBe('2026-11-20T10:00:00Z')
    expect(shipperTime('2026-02-30T00:00:00Z')).toBeUndefined()
    expect(shipperTime('yesterday')).toBeUndefined()
    expect(shipperTime(null)).toBeUndefined()
  })
})
