import {describe, expect, it} from 'vitest'
import {convertParameter} from '../../../src/analysis/queries.js'
import {parseTimeSpec, readTimeSpec} from '../../../src/core/time.js'
import {checkParameter} from '../../../src/playbooks/parameters.js'

const NOW = new Date('2026-11-20T12:00:00.000Z')

/** Every time value coroner takes, and the instant it names (undefined: refused). */
const CASES: Array<[string, string | undefined]> = [
  ['2026-11-20T08:00:00Z', '2026-11-20T08:00:00.000Z'],
  ['2026-11-20T08:00:00.123456Z', '2026-11-20T08:00:00.123Z'],
  ['2026-11-20T09:00+01:00', '2026-11-20T08:00:00.000Z'],
  ['2026-11-20T03:00:00-0500', '2026-11-20T08:00:00.000Z'],
  ['2026-11-20 08:00', '2026-11-20T08:00:00.000Z'],
  ['2026-11-20T08:00:00', '2026-11-20T08:00:00.000Z'],
  ['2026-11-20', '2026-11-20T00:00:00.000Z'],
  ['90m', '2026-11-20T10:30:00.000Z'],
  ['24h', '2026-11-19T12:00:00.000Z'],
  ['7d', '2026-11-13T12:00:00.000Z'],
  ['2w', '2026-11-06T12:00:00.000Z'],
  ['now', '2026-11-20T12:00:00.000Z'],
  ['NOW', '2026-11-20T12:00:00.000Z'],
  ['yesterday', undefined],
  ['2026-02-30', undefined],
  ['2026-13-01', undefined],
  ['2026-11-20T24:00:00Z', undefined],
  ['2026-11-20T08:00:00+25:00', undefined],
  ['20261120', undefined],
  ['Nov 20 2026', undefined],
  ['-5d', undefined],
  ['', undefined],
]

describe('one time syntax', () => {
  it.each(CASES)('reads %j', (text, instant) => {
    expect(readTimeSpec(text, NOW)?.toISOString()).toBe(instant)
  })

  it('--since, a query timestamp parameter and a playbook timestamp parameter read the same instants and refuse the same text, with one message', () => {
    for (const [text, instant] of CASES) {
      const flag = (() => {
        try {
          return parseTimeSpec(text, NOW, 'since').toISOString()
        } catch (error) {
          expect((error as Error).message).toBe(`--since ${JSON.stringify(text)} is not a time: give an ISO 8601 time (2026-11-20T08:00:00Z, 2026-11-20T09:00+01:00, 2026-11-20), a duration before now (90m, 24h, 7d, 2w) or now.`)
          return undefined
        }
      })()
      expect(flag, text).toBe(instant)
      const query = (() => {
        try {
          return (convertParameter({name: 'since', type: 'timestamp'}, text, NOW) as Date).toISOString()
        } catch (error) {
          expect((error as Error).message).toContain(`parameter "since" ${JSON.stringify(text)} is not a time: give an ISO 8601 time`)
          return undefined
        }
      })()
      expect(query, text).toBe(instant)
      const playbook = checkParameter({type: 'timestamp'} as Parameters<typeof checkParameter>[0], text, NOW)
      if (instant === undefined) expect(playbook, text).toMatchObject({ok: false, message: text === '' ? expect.any(String) : expect.stringContaining('is not a time: give an ISO 8601 time')})
      else expect(playbook, text).toMatchObject({value: instant})
    }
  })
})
