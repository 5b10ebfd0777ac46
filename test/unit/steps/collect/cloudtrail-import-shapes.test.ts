import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {gzipSync} from 'node:zlib'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {loadCase} from '../../../../src/analysis/load.js'
import {AnalysisDb} from '../../../../src/analysis/db.js'
import {LocalDirectoryStore} from '../../../../src/evidence/stores/local.js'
import {journalLines} from '../../../../src/evidence/journal.js'
import {fixtureRecords, fixturesDir, spreadRecords} from '../../../support/cloudtrail-fixtures.js'
import {importCloudTrail} from '../../../support/cloudtrail-steps.js'
import {testContext} from '../../../support/context.js'
import {readFileSync} from 'node:fs'

type Rec = Record<string, unknown>

/** Real records (Stratus Red Team, the AWS CLI example), each file its own eventIDs so load folds nothing. */
const records = (tag: string, n = 3): Rec[] => spreadRecords(fixtureRecords(), n, new Date('2026-11-19T00:00:00Z'), new Date('2026-11-20T00:00:00Z'), 'us-east-1', tag)
const lines = (items: unknown[]): string => items.map((i) => `${typeof i === 'string' ? i : JSON.stringify(i)}\n`).join('')
const without = (r: Rec, key: string): Rec => Object.fromEntries(Object.entries(r).filter(([k]) => k !== key))

/** A value in CloudTrail Lake's text form: `{key=value, …}` with struct field names in lower case, `[…]` for arrays. */
function lakeText(v: unknown, lower: boolean): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return `[${v.map((x) => lakeText(x, lower)).join(', ')}]`
  if (typeof v === 'object') return `{${Object.entries(v as Rec).map(([k, x]) => `${lower ? k.toLowerCase() : k}=${lakeText(x, lower)}`).join(', ')}}`
  return String(v)
}
/** A GetQueryResults page of `SELECT *`: each row a list of one-column maps, every value as text. */
const lakeResults = (rs: Rec[]) => ({
  QueryStatus: 'FINISHED',
  QueryStatistics: {ResultsCount: rs.length, TotalResultsCount: rs.length, BytesScanned: 4096},
  QueryResultRows: rs.map((r) =>
    Object.entries(r).map(([k, v]) => ({[k]: typeof v === 'object' && v !== null ? lakeText(v, k === 'userIdentity' || k === 'resources') : k === 'eventTime' ? String(v).replace('T', ' ').replace('Z', '.000') : String(v)})),
  ),
})
/** An EventBridge event as CloudTrail delivers it to the default bus (docs: EventBridge, "AWS API Call via CloudTrail"). */
const eventBridge = (r: Rec, i: number) => ({
  version: '0',
  id: `6f1c0b5e-0000-4000-8000-${String(i).padStart(12, '0')}`,
  'detail-type': 'AWS API Call via CloudTrail',
  source: `aws.${String(r.eventSource).split('.')[0]}`,
  account: '123456789012',
  time: r.eventTime,
  region: 'us-east-1',
  resources: [],
  detail: r,
})
const guardDuty = {version: '0', id: 'g-1', 'detail-type': 'GuardDuty Finding', source: 'aws.guardduty', account: '123456789012', time: '2026-11-19T10:00:00Z', region: 'us-east-1', resources: [], detail: {type: 'Recon:IAMUser/MaliciousIPCaller'}}
const nested = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`

interface Case {
  name: string
  file: string
  body: () => string | Buffer
  shape?: string
  loaded: number
  /** Every skip class with its positions, as `reason: [positions]`. */
  skips?: Record<string, string[]>
  status: string
  code?: string
  timeFrom?: Record<string, number>
}

const R = {
  ndjson: records('nd', 4),
  lines: records('ndd', 6),
  one: records('one', 1),
  bom: records('bom'),
  arr: records('arr', 2),
  lookup: records('lkp', 2),
  lake: records('lake'),
  eb: records('eb'),
  cwx: records('cwx'),
  cw: records('cw'),
  splunk: records('spl'),
  elastic: records('els'),
  shipper: records('shp'),
  fire: records('fire', 2),
  utf16: records('u16'),
  deep: records('deep', 1),
  trunc: records('trunc', 50),
}

const CASES: Case[] = [
  {name: 'a delivery file', file: 'delivery.json', body: () => JSON.stringify({Records: records('dlv')}), shape: 'delivery-file', loaded: 3, status: 'imported'},
  {name: 'a gzip delivery file', file: 'delivery.json.gz', body: () => gzipSync(JSON.stringify({Records: records('dgz')})), shape: 'delivery-file', loaded: 3, status: 'imported'},
  {
    name: 'NDJSON of records with a bad line, a number, null and missing eventTime and a time load would turn into NULL',
    file: 'records.ndjson',
    body: () => lines([R.ndjson[0], R.ndjson[1], '{"eventName": "broken', 42, {...R.ndjson[2], eventTime: null}, without(R.ndjson[3]!, 'eventTime'), {...R.ndjson[3], eventTime: '2026-02-30T10:00:00Z'}, R.ndjson[2], R.ndjson[3]]),
    shape: 'ndjson',
    loaded: 4,
    skips: {'invalid-json': ['line 3'], 'not-cloudtrail': ['line 4'], 'no-event-time': ['line 5', 'line 6'], 'invalid-event-time': ['line 7']},
    status: 'partial',
  },
  {name: 'NDJSON of delivery objects (zcat *.json.gz)', file: 'all.json', body: () => lines([{Records: R.lines.slice(0, 3)}, {Records: [...R.lines.slice(3), 'x']}]), shape: 'ndjson-delivery', loaded: 6, skips: {'not-an-object': ['line 2 item 3']}, status: 'partial'},
  {name: 'one-record NDJSON', file: 'one.ndjson', body: () => lines(R.one), shape: 'ndjson', loaded: 1, status: 'imported'},
  {name: 'a UTF-8 byte order mark', file: 'bom.json', body: () => `\uFEFF${JSON.stringify({Records: R.bom})}`, shape: 'delivery-file', loaded: 3, status: 'imported'},
  {name: 'a bare array with items that are not objects', file: 'array.json', body: () => JSON.stringify([R.arr[0], 'text', R.arr[1], null]), shape: 'array', loaded: 2, skips: {'not-an-object': ['item 1', 'item 3']}, status: 'partial'},
  {name: 'LookupEvents output (the AWS CLI example)', file: 'lookup-cli.json', body: () => readFileSync(path.join(fixturesDir, 'aws_aws-cli_examples', 'cloudtrail_lookup-events_output.json'), 'utf8'), shape: 'lookup-events', loaded: 1, status: 'imported'},
  {name: 'LookupEvents output with CloudTrailEvent as an object', file: 'lookup-object.json', body: () => JSON.stringify({Events: R.lookup.map((r) => ({EventId: r.eventID, EventName: r.eventName, EventTime: r.eventTime, CloudTrailEvent: r}))}), shape: 'lookup-events', loaded: 2, status: 'imported'},
  {name: 'CloudTrail Lake query results', file: 'lake.json', body: () => JSON.stringify(lakeResults(R.lake), null, 2), shape: 'lake-query-results', loaded: 3, status: 'imported'},
  {name: 'EventBridge events, one of them not from CloudTrail', file: 'eventbridge.ndjson', body: () => lines([...R.eb.map(eventBridge), guardDuty]), shape: 'ndjson-eventbridge', loaded: 3, skips: {'not-cloudtrail': ['line 4']}, status: 'partial'},
  {name: 'a CloudWatch Logs export of a trail\'s log group', file: '000000.gz', body: () => gzipSync(R.cwx.map((r) => `${String(r.eventTime).replace('Z', '.000Z')} ${JSON.stringify(r)}\n`).join('')), shape: 'cloudwatch-logs-export', loaded: 3, status: 'imported'},
  {
    name: 'FilterLogEvents output of a trail\'s log group',
    file: 'filter-log-events.json',
    body: () => JSON.stringify({events: R.cw.map((r, i) => ({logStreamName: '123456789012_CloudTrail_us-east-1', timestamp: Date.parse(String(r.eventTime)), message: JSON.stringify(r), ingestionTime: Date.parse(String(r.eventTime)) + 900, eventId: `e${i}`}))}),
    shape: 'cloudwatch-logs',
    loaded: 3,
    status: 'imported',
  },
  {
    name: 'a Splunk export whose records lost eventTime',
    file: 'splunk.json',
    body: () => lines(R.splunk.map((r, i) => ({preview: false, offset: i, result: {_raw: JSON.stringify(without(r, 'eventTime')), _time: String(r.eventTime).replace('Z', '.000+00:00'), sourcetype: 'aws:cloudtrail', host: 'splunk-hf-1'}}))),
    shape: 'ndjson-splunk',
    loaded: 3,
    status: 'imported',
    timeFrom: {_time: 3},
  },
  {
    name: 'an Elasticsearch dump with the time under @timestamp',
    file: 'elastic.ndjson',
    body: () => lines(R.elastic.map((r, i) => ({_index: 'cloudtrail-2026.11', _id: `doc-${i}`, _source: {...without(r, 'eventTime'), '@timestamp': r.eventTime}}))),
    shape: 'ndjson-elastic',
    loaded: 3,
    status: 'imported',
    timeFrom: {'@timestamp': 3},
  },
  {name: 'NDJSON records a log shipper wrote with its own time field', file: 'shipped.jsonl', body: () => lines(R.shipper.map((r) => ({...without(r, 'eventTime'), '@timestamp': r.eventTime}))), shape: 'ndjson', loaded: 3, status: 'imported', timeFrom: {'@timestamp': 3}},
  {name: 'JSON written back to back (Firehose)', file: 'firehose', body: () => R.fire.map((r) => JSON.stringify(r)).join(''), shape: 'ndjson', loaded: 2, status: 'imported'},
  {name: 'UTF-16 with its byte order mark (PowerShell)', file: 'utf16.json', body: () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify({Records: R.utf16}), 'utf16le')]), shape: 'delivery-file', loaded: 3, status: 'imported'},
  {name: 'a record nested 10,000 levels deep', file: 'deep.ndjson', body: () => `${JSON.stringify(R.deep[0])}\n${nested(10_000).replace('"a":', '"eventName":')}\n`, shape: 'ndjson', loaded: 1, skips: {'too-deep': ['line 2']}, status: 'partial'},
  {name: 'a truncated gzip NDJSON file', file: 'cut.ndjson.gz', body: () => gzipSync(lines(R.trunc)).subarray(0, 1200), loaded: -1, status: 'partial', code: 'truncated-gzip'},
  {name: 'a document of no CloudTrail shape', file: 'items.json', body: () => JSON.stringify({Items: [{id: 1}], Count: 1}), loaded: 0, status: 'malformed', code: 'unknown-shape'},
]

describe('import cloudtrail: every shape records come in, every item accounted for', () => {
  let dir: string
  let store: LocalDirectoryStore
  let result: Awaited<ReturnType<typeof importCloudTrail>>
  afterAll(() => rm(dir, {recursive: true, force: true}))
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'coroner-shapes-'))
    const input = path.join(dir, 'handed-over')
    await mkdir(input)
    for (const c of CASES) await writeFile(path.join(input, c.file), c.body())
    store = new LocalDirectoryStore(path.join(dir, 'store'))
    result = await importCloudTrail(testContext(store), 'INC-SHAPES', [input])
  })

  it.each(CASES)('$name', (c) => {
    const f = result.perFile.find((p) => path.basename(p.file) === c.file)!
    expect(f, c.file).toBeDefined()
    expect(f.status).toBe(c.status)
    if (c.shape) expect(f.shape).toBe(c.shape)
    if (c.loaded >= 0) expect(f.loaded).toBe(c.loaded)
    if (c.code) expect(f.code).toBe(c.code)
    const skips = Object.fromEntries(f.skips.map((s) => [s.reason, s.first.map((p) => [p.line === undefined ? '' : `line ${p.line}`, p.item === undefined ? '' : `item ${p.item}`].filter(Boolean).join(' '))]))
    expect(skips).toEqual(c.skips ?? {})
    expect(f.skipped).toBe(Object.values(c.skips ?? {}).reduce((n, p) => n + p.length, 0))
    if (c.timeFrom) expect(f.timeFrom).toEqual(c.timeFrom)
  })

  it('keeps the records a truncated gzip held before the break, and names the break', () => {
    const f = result.perFile.find((p) => p.file.endsWith('cut.ndjson.gz'))!
    expect(f.loaded).toBeGreaterThan(0)
    expect(f.loaded).toBeLessThan(50)
    expect(f.reason).toMatch(/truncated or corrupt/)
  })

  it('names what a refused document holds and what was looked for', () => {
    const f = result.perFile.find((p) => p.file.endsWith('items.json'))!
    expect(f.reason).toMatch(/looked for a delivery file .*EventBridge.*; found an object with keys "Items", "Count"/)
  })

  it('counts every file and record in total, ends partial, and says each skip in the journal with a gap', async () => {
    const loaded = CASES.reduce((n, c) => n + Math.max(0, c.loaded), 0)
    expect(result).toMatchObject({status: 'partial', files: CASES.length, read: CASES.length, malformed: 1, interrupted: false, validation: 'unvalidated'})
    expect(result.records).toBeGreaterThan(loaded)
    expect(result.skips).toEqual({'invalid-json': 1, 'not-cloudtrail': 2, 'no-event-time': 2, 'invalid-event-time': 1, 'not-an-object': 3, 'too-deep': 1})
    const entries = []
    for await (const l of journalLines(store, `cases/INC-SHAPES/runs/${result.runId}/custody.jsonl`)) entries.push(l.entry!)
    const notes = entries.filter((e) => e.type === 'note' && e.message === 'cloudtrail-import file')
    expect(notes).toHaveLength(CASES.length)
    expect(notes.find((n) => String(n.file).endsWith('splunk.json'))).toMatchObject({shape: 'ndjson-splunk', mappings: {splunk: 3}, timeFrom: {_time: 3}})
    const gaps = result.gaps.map((g) => `${g.code} ${path.basename(g.resource)}`).sort()
    expect(gaps).toEqual(['records-skipped records.ndjson', 'records-skipped all.json', 'records-skipped array.json', 'records-skipped deep.ndjson', 'records-skipped eventbridge.ndjson', 'truncated-gzip cut.ndjson.gz', 'unknown-shape items.json'].sort())
    expect(result.gaps.find((g) => g.resource.endsWith('records.ndjson'))!.reason).toContain('1 invalid-json (line 3)')
  })

  it('loads every record it imported, each with its time: import accepts nothing load would turn into NULL', async () => {
    const dbPath = path.join(dir, 'case.duckdb')
    await loadCase(store, 'INC-SHAPES', {dbPath})
    const db = await AnalysisDb.open(dbPath, {readOnly: true})
    try {
      const n = (await db.all('SELECT count(*) AS n, count(event_time) AS timed, count(principal_arn) AS arns FROM cloudtrail_events')).rows[0]!
      expect(Number(n.n)).toBe(result.records)
      expect(Number(n.timed)).toBe(result.records)
      const lake = (await db.all("SELECT principal_arn, event_time FROM cloudtrail_events WHERE event_id LIKE 'lake-%' ORDER BY event_id")).rows
      expect(lake.map((r) => r.principal_arn)).toEqual(R.lake.map((r) => (r.userIdentity as {arn?: string}).arn ?? null))
      expect(lake.map((r) => r.event_time)).toEqual(R.lake.map((r) => new Date(String(r.eventTime)).toISOString()))
    } finally {
      db.close()
    }
  })
})
