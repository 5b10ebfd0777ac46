import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {coroner, type Envelope} from '../../support/cli.js'
import {deliveryFile, stratusRecords, writeCase} from '../../support/evidence-case.js'
import {tempDir} from '../../support/temp.js'

const EVENTS = 150
const START = Date.parse('2026-11-20T08:00:00Z')
const at = (i: number): string => new Date(START + i * 60_000).toISOString()

type Timeline = {rows: Array<{time: string; action: string}>; total: number; truncated: boolean; omitted: {after: number; count: number; from: string; to: string} | null}

describe('timeline: never cut without saying so', () => {
  it('a limited view keeps the oldest and the newest events, says what lies between, and --json carries every row unless --limit', async () => {
    const dir = await tempDir()
    const store = path.join(dir, 'store')
    const base = stratusRecords('aws.defense-evasion.cloudtrail-stop')[0]!
    const records = Array.from({length: EVENTS}, (_, i) => ({...base, eventID: `e-${i}`, eventTime: at(i), eventName: i === EVENTS - 1 ? 'DeleteTrail' : 'StopLogging'}))
    await writeCase(store, 'INC-CUT', [deliveryFile(records, 'many.json.gz')])
    const db = path.join(dir, 'case.duckdb')
    const common = ['--case', 'INC-CUT', '--store', store, '--db', db, '--source', 'cloudtrail']

    const all = JSON.parse((await coroner(['timeline', ...common, '--json'])).stdout) as Envelope<Timeline>
    expect(all.result).toMatchObject({total: EVENTS, truncated: false, omitted: null})
    expect(all.result.rows).toHaveLength(EVENTS)

    const cut = JSON.parse((await coroner(['timeline', ...common, '--limit', '10', '--json'])).stdout) as Envelope<Timeline>
    expect(cut.result).toMatchObject({total: EVENTS, truncated: true, omitted: {after: 5, count: EVENTS - 10, from: at(4), to: at(EVENTS - 5)}})
    expect(cut.result.rows.map((r) => r.time)).toEqual([...[0, 1, 2, 3, 4], ...[145, 146, 147, 148, 149]].map((i) => at(i)))
    // The last thing the attacker did is in the view, not past the cut.
    expect(cut.result.rows.at(-1)!.action).toBe('cloudtrail:DeleteTrail')

    // A table shows 100 rows unless told: the oldest 50 and the newest 50, and says so.
    const table = (await coroner(['timeline', ...common])).stdout
    expect(table).toContain('… 50 row(s) not shown, from ')
    expect(table).toContain(`100 of ${EVENTS} row(s) (the oldest 50 and the newest 50)`)
    expect(table).toContain('DeleteTrail')
    const whole = (await coroner(['timeline', ...common, '--limit', '0'])).stdout
    expect(whole).not.toContain('not shown')
    expect(whole).toContain(`${EVENTS} of ${EVENTS} row(s)`)

    const ndjson = (await coroner(['timeline', ...common, '--limit', '3', '--ndjson'])).stdout
    expect(ndjson.trim().split('\n')).toHaveLength(3)

    // Every row streamed (no limit) and every row read whole (a limit above them all) are the same rows, in the same order.
    const streamed = (await coroner(['timeline', ...common, '--json'])).stdout
    const held = JSON.parse((await coroner(['timeline', ...common, '--limit', String(EVENTS + 1), '--json'])).stdout) as Envelope<Timeline>
    expect(held.result).toMatchObject({total: EVENTS, truncated: false, omitted: null})
    expect(streamed).toBe(JSON.stringify(held, null, 2) + '\n')
    for (const format of ['--csv', '--ndjson']) {
      expect((await coroner(['timeline', ...common, format])).stdout, format).toBe((await coroner(['timeline', ...common, format, '--limit', String(EVENTS + 1)])).stdout)
    }
  })
})
