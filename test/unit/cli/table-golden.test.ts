import {describe, expect, it} from 'vitest'
import {tableOf, type OutputOptions} from '../../../src/cli/output.js'
import type {Column} from '../../../src/cli/table.js'
import {EVIDENCE_LIST_TABLE} from '../../../src/commands/evidence/list.js'
import {HUNT_TABLE} from '../../../src/commands/hunt.js'
import {TIMELINE_TABLE} from '../../../src/commands/timeline.js'

const RUN = '20261120T101500123Z-1a2b3c'
const KEY = `cases/INC-2026-0042/runs/${RUN}/cloudtrail/import/records/111122223333_CloudTrail_us-east-1_20261120T1015Z_a1b2c3d4e5f6.json.gz`
const SHA = 'c0ffee15deadbeef0123456789abcdef0123456789abcdef0123456789abcdef'
const ACTOR = 'arn:aws:sts::111122223333:assumed-role/payments-exec/payments-api'

const timeline = [
  {time: '2026-11-20T10:15:02.000Z', source: 'cloudtrail', actor: ACTOR, action: 'lambda:UpdateFunctionCode20150331v2', target: 'arn:aws:lambda:us-east-1:111122223333:function:payments-api', sourceIp: '203.0.113.7', detail: 'codeSha256 changed', evidenceKey: KEY, evidenceSha256: SHA},
  {time: '2026-11-20T10:15:09.250Z', source: 'logs', actor: 'payments-api', action: 'log', target: '/aws/lambda/payments-api', sourceIp: null, detail: 'ERROR\tcalling home\nline two', evidenceKey: KEY.replace('cloudtrail/import/records', 'logs/us-east-1/payments-api'), evidenceSha256: SHA.replace('c0ffee', 'beef00')},
]

const hunt = [
  {time: '2026-11-20T10:14:40.000Z', rule: {title: 'AWS Lambda Function Made Invocable By Anyone', level: 'high'}, eventName: 'AddPermission20150331v2', principal: ACTOR, sourceIp: '203.0.113.7', eventId: '4f1c2b3a-9d8e-4f7a-b6c5-0d1e2f3a4b5c', evidenceKey: KEY, evidenceSha256: SHA},
]

const evidence = [
  {runId: RUN, kind: 'cloudtrail.records', size: 182_733, sha256: SHA, key: KEY},
  {runId: RUN, kind: 'lambda.function', size: 4_211, sha256: SHA.replace('c0ffee', 'abcdef'), key: `cases/INC-2026-0042/runs/${RUN}/lambda/us-east-1/payments-api/%24LATEST/function.json`},
]

const TABLES: Array<[string, ReadonlyArray<Record<string, unknown>>, Column[]]> = [
  ['timeline', timeline, TIMELINE_TABLE],
  ['hunt', hunt, HUNT_TABLE],
  ['evidence-list', evidence, EVIDENCE_LIST_TABLE],
]

const at = (width: number | undefined, wide = false): OutputOptions => ({format: 'table', limit: undefined, wide, columns: undefined, width})

describe('the main tables, drawn for the terminal (golden files)', () => {
  for (const [name, rows, columns] of TABLES) {
    for (const width of [80, 200]) {
      it(`${name} at ${width} columns`, async () => {
        const text = tableOf(rows, columns, at(width))
        for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(width)
        // What a responder matches with: the run id of each evidence key and 16 hex digits of its hash.
        if (!/columns not shown for the width: [^;]*\bevidence\b/.test(text)) expect(text).toContain(RUN)
        expect(text).toContain(SHA.slice(0, 16))
        expect(text).not.toMatch(/\\u0009|\\u000a/)
        await expect(text).toMatchFileSnapshot(`../../fixtures/golden/tables/${name}-${width}.txt`)
      })
    }
  }

  it('off a terminal nothing is cut, and --wide shows every column and whole hashes', () => {
    const piped = tableOf(timeline, TIMELINE_TABLE, at(undefined))
    expect(piped).toContain(KEY)
    expect(piped).toContain(SHA)
    const wide = tableOf(timeline, TIMELINE_TABLE, at(80, true))
    expect(wide).toContain(SHA)
    expect(wide).not.toContain('columns not shown')
  })

  it('a table cut by --limit says how many rows it shows of how many', () => {
    const text = tableOf(timeline, TIMELINE_TABLE, {...at(200), limit: 1})
    expect(text).toContain('(showing 1 of 2 row(s); --limit 0 for all)')
  })
})
