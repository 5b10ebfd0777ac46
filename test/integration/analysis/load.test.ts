import {randomBytes} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {chmod, readFile, readdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {AnalysisDb} from '../../../src/analysis/db.js'
import {loadCase} from '../../../src/analysis/load.js'
import {interruption} from '../../../src/core/errors.js'
import {CLOUDTRAIL_TARGET, STORED_FIELDS} from '../../../src/analysis/sql/cloudtrail.js'
import {generateRecords} from '../../../bench/lib/generate-cloudtrail.js'
import {computeSelfDigest, type Manifest} from '../../../src/evidence/manifest.js'
import {tempDir} from '../../support/temp.js'
import {FIXTURES, ROLE_ARN, type ArtifactSpec, deliveryFile, gz, lambdaSpecs, lookupFile, recordsFile, stratusRecords, writeCase} from '../../support/evidence-case.js'

async function tableRows(dbPath: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const db = await AnalysisDb.open(dbPath, {readOnly: true})
  try {
    return (await db.all(sql)).rows
  } finally {
    db.close()
  }
}

describe('coroner load', () => {
  it('loads every CloudTrail kind with typed columns next to the raw record', async () => {
    const dir = await tempDir()
    const secrets = stratusRecords('aws.credential-access.secretsmanager-retrieve-secrets')
    const lambda = stratusRecords('aws.persistence.lambda-overwrite-code')
    const stop = stratusRecords('aws.defense-evasion.cloudtrail-stop')
    const {store} = await writeCase(path.join(dir, 'store'), 'INC-1', [deliveryFile(secrets), recordsFile(lambda), lookupFile(stop)])
    const dbPath = path.join(dir, 'db', 'case.duckdb')
    const result = await loadCase(store, 'INC-1', {dbPath})
    expect(result.tables.cloudtrail_events).toBe(secrets.length + lambda.length + stop.length)
    expect(result.artifacts.refused).toEqual([])
    const rows = await tableRows(dbPath, "SELECT * FROM cloudtrail_events WHERE event_source = 'lambda.amazonaws.com' OR event_name = 'StopLogging' ORDER BY event_time")
    expect(rows.map((r) => [r.event_name, r.event_name_raw])).toEqual([
      ['StopLogging', 'StopLogging'],
      ['UpdateFunctionCode', 'UpdateFunctionCode20150331v2'],
    ])
    const code = rows[1]!
    expect(code).toMatchObject({
      event_id: '4672b74f-2466-4784-b3fb-5b4db904a995',
      event_time: '2024-08-01T13:52:02.000Z',
      account_id: '266106314375',
      source_ip: '253.8.50.132',
      principal_arn: 'arn:aws:iam::266106314375:user/christophe',
      principal_type: 'IAMUser',
      access_key_id: 'AKIAKHYV6FI4F4CJQMDV',
      read_only: false,
      management_event: true,
      copies: 1,
    })
    expect(JSON.parse(code.raw as string)).toEqual(lambda[0])
    expect(JSON.parse(code.request_parameters as string).publish).toBe(true)
    expect(code.artifact_key).toMatch(/records\.ndjson\.gz$/)
    expect(JSON.parse(rows[0]!.raw as string)).toEqual(stop[0])
  })
})

describe('coroner load: typed columns', () => {
  it('stores each typed column exactly as json_extract_string reads the record, on a varied corpus and odd values', async () => {
    const dir = await tempDir()
    const odd = [
      {eventID: 'n', eventName: 42, eventSource: 1.5e-7, errorCode: 1e400, userAgent: {nested: [1, 'x']}, userIdentity: {type: 1e-7, arn: 1.0e2, sessionContext: {sessionIssuer: {type: [1.5e-300]}}}},
      {eventID: 's', eventName: 'a\u0000b "q"\n', userIdentity: 'a string', userAgent: ''},
      {eventID: 'a', eventName: ['List'], userIdentity: [{type: 'IAMUser'}], errorCode: null},
      {eventID: 'b', eventName: true, eventSource: false, userIdentity: {type: null, arn: {b: 1}, sessionContext: {sessionIssuer: 'flat'}}},
      {eventID: 7, eventName: 'UpdateFunctionCode20150331v2', EVENTNAME: 'shadow'},
      {eventID: 'c', userIdentity: {type: 'AssumedRole', sessionContext: [{sessionIssuer: {type: 'Role'}}]}},
      {eventID: 'd', userIdentity: {type: 'AssumedRole', sessionContext: {sessionIssuer: [{type: 'Role'}]}}},
      // An array behind an object that has other keys, and objects without any stored key.
      {eventID: 'e', userIdentity: {type: 'IAMUser', sessionContext: {attributes: {mfaAuthenticated: 'true'}, sessionIssuer: [{arn: 'x'}]}}},
      {eventID: 'f', userIdentity: {}, sourceIPAddress: '-1'},
      {eventID: 'g', userIdentity: {sessionContext: {attributes: 'flat', sessionIssuer: {}}}},
      // What the event acted on: numbers, values that are not text, arrays where objects stand, the first field present.
      {eventID: 'h', requestParameters: {roleName: 1e-7, functionName: null}},
      {eventID: 'i', requestParameters: {bucketName: {b: [1e-7, 'x']}, layerName: 'later'}},
      {eventID: 'j', requestParameters: [{functionName: 'in an array'}], resources: {ARN: 'not a list'}},
      {eventID: 'k', requestParameters: 'flat', resources: [{ARN: null}, {ARN: 'second'}]},
      {eventID: 'l', resources: ['text', {ARN: 'x'}]},
      {eventID: 'm', requestParameters: {FunctionName: 'case', name: -3}, resources: [{ARN: 'arn:aws:lambda:us-east-1:1:function:f'}]},
      {eventID: 'o', requestParameters: {secretId: true}},
    ]
    const {records} = generateRecords({events: 3000, seed: 7})
    // A key given twice: json_extract_string reads the first.
    const twice = ['{"eventID":"p","requestParameters":{"userName":"first","userName":"second"}}', '{"eventID":"q","resources":[{"ARN":"first","ARN":"second"}]}']
    const lines = {segments: ['cloudtrail', 'us-east-1', 'records', 'twice.ndjson'], kind: 'cloudtrail.records', body: twice.join('\n'), contentType: 'application/x-ndjson'}
    const {store} = await writeCase(path.join(dir, 'store'), 'INC-T', [recordsFile([...odd, ...records]), lines])
    const dbPath = path.join(dir, 'case.duckdb')
    expect((await loadCase(store, 'INC-T', {dbPath})).tables.cloudtrail_events).toBe(odd.length + records.length + twice.length)
    const differs = STORED_FIELDS.map((f) => `count(*) FILTER (WHERE ${f.column} IS DISTINCT FROM json_extract_string(raw, '$.${f.path.join('.')}'))::INTEGER AS ${f.column}`)
    const [counts] = await tableRows(dbPath, `SELECT ${differs.join(', ')},
      count(*) FILTER (WHERE event_name IS DISTINCT FROM regexp_replace(json_extract_string(raw, '$.eventName'), '20[0-9]{6}(v[0-9]+)?$', ''))::INTEGER AS event_name,
      count(*) FILTER (WHERE nested_arrays IS DISTINCT FROM (coalesce(json_type(raw, '$.userIdentity') = 'ARRAY', false)
        OR coalesce(json_type(raw, '$.userIdentity.sessionContext') = 'ARRAY', false) OR coalesce(json_type(raw, '$.userIdentity.sessionContext.sessionIssuer') = 'ARRAY', false)))::INTEGER AS nested_arrays,
      count(*) FILTER (WHERE nested_arrays)::INTEGER AS with_arrays,
      count(*) FILTER (WHERE target IS DISTINCT FROM ${CLOUDTRAIL_TARGET})::INTEGER AS target, count(target)::INTEGER AS targets,
      count(DISTINCT event_name_raw)::INTEGER AS names, count(*) FILTER (WHERE principal_type IS NOT NULL)::INTEGER AS typed FROM cloudtrail_records`)
    expect(counts).toEqual({...Object.fromEntries(STORED_FIELDS.map((f) => [f.column, 0])), event_name: 0, nested_arrays: 0, with_arrays: 4, target: 0, targets: expect.any(Number), names: expect.any(Number), typed: expect.any(Number)})
    expect(counts!.names).toBeGreaterThan(200)
    expect(counts!.targets).toBeGreaterThan(500)
    expect(await tableRows(dbPath, "SELECT event_id, target FROM cloudtrail_events WHERE event_id BETWEEN 'h' AND 'q' AND event_id <> 'n' ORDER BY event_id")).toEqual([
      {event_id: 'h', target: '1e-7'},
      {event_id: 'i', target: '{"b":[1e-7,"x"]}'},
      {event_id: 'j', target: null},
      {event_id: 'k', target: null},
      {event_id: 'l', target: null},
      {event_id: 'm', target: '-3'},
      {event_id: 'o', target: 'true'},
      {event_id: 'p', target: 'first'},
      {event_id: 'q', target: 'first'},
    ])
    expect(counts!.typed).toBeGreaterThan(2000)
    expect(await tableRows(dbPath, "SELECT event_name, event_source, principal_type, principal_arn, session_issuer_type FROM cloudtrail_events WHERE event_id IN ('n', '7') ORDER BY event_id")).toEqual([
      {event_name: 'UpdateFunctionCode', event_source: null, principal_type: null, principal_arn: null, session_issuer_type: null},
      {event_name: '42', event_source: '1.5e-7', principal_type: '1e-7', principal_arn: '100', session_issuer_type: '[1.5e-300]'},
    ])
  })

  it('loads a case larger than its memory limit, spilling beside the database and leaving nothing behind', async () => {
    const dir = await tempDir()
    // 10,000 events of 9 KB each (a policy document, say), every one in two artifacts: 180 MB of
    // JSON to read, deduplicate and store, under a 160 MB limit (DuckDB's JSON reader needs about that).
    const {records} = generateRecords({events: 10_000, seed: 3})
    const big = records.map((r, i) => ({...r, requestParameters: {policy: randomBytes(6 * 1024).toString('base64'), n: i}}))
    const plain = (name: string, text: string): ArtifactSpec => ({segments: ['cloudtrail', 'big', name], kind: 'cloudtrail.records', body: text, contentType: 'application/x-ndjson'})
    const chunks = Array.from({length: 20}, (_, i) => big.slice(i * 500, (i + 1) * 500))
    const {store} = await writeCase(path.join(dir, 'store'), 'INC-S', [
      ...chunks.map((c, i) => plain(`a-${String(i).padStart(2, '0')}.ndjson`, c.map((r) => JSON.stringify(r)).join('\n'))),
      ...chunks.map((c, i) => plain(`b-${String(i).padStart(2, '0')}.ndjson`, c.map((r) => JSON.stringify(r)).join('\n'))),
    ])
    const dbPath = path.join(dir, 'db', 'case.duckdb')
    const result = await loadCase(store, 'INC-S', {dbPath, memoryLimit: '160MB', threads: 2})
    expect(result.tables.cloudtrail_events).toBe(big.length)
    // Too little memory to sort a batch: the records are stored in file order instead, and it says so.
    expect(result.warnings.join('\n')).toMatch(/memory limit is too small to sort CloudTrail records.*40 file\(s\) stored in file order/)
    expect((await tableRows(dbPath, 'SELECT count(*)::INTEGER AS n FROM cloudtrail_event_copies'))[0]!.n).toBe(2 * big.length)
    expect(await readdir(path.dirname(dbPath))).toEqual(['case.duckdb'])
  })

  it('does not read the original of a converted CloudTrail file again, and says where its records come from', async () => {
    const dir = await tempDir()
    const records = stratusRecords('aws.defense-evasion.cloudtrail-stop')
    const original = {segments: ['cloudtrail', 'import', 'original', 'trail.json'], kind: 'file.added', body: JSON.stringify({Records: records}), contentType: 'application/json', attributes: {shape: 'delivery-file', originalName: 'trail.json'}}
    const finding = {segments: ['files', 'finding.json'], kind: 'file.added', body: readFileSync(path.join(FIXTURES, '..', '..', 'samples', 'guardduty-finding.json')), contentType: 'application/json'}
    const {store} = await writeCase(path.join(dir, 'store'), 'INC-I', [original, recordsFile(records), finding])
    const dbPath = path.join(dir, 'case.duckdb')
    const result = await loadCase(store, 'INC-I', {dbPath})
    expect(result.tables).toMatchObject({cloudtrail_events: records.length, guardduty_findings: 1})
    expect(result.artifacts).toMatchObject({total: 3, loaded: 2, notLoaded: 1})
    expect(await tableRows(dbPath, "SELECT status, detail FROM artifacts WHERE key LIKE '%/original/%'")).toEqual([
      {status: 'not-loaded', detail: expect.stringMatching(/converted on import.*cloudtrail\.records/)},
    ])
  })
})

describe('coroner load: Lambda, IAM, logs, custody', () => {
  it('loads a case with no artifacts, or only artifacts it cannot read as rows, into empty tables', async () => {
    const dir = await tempDir()
    const {store: empty} = await writeCase(path.join(dir, 'empty'), 'INC-E', [])
    const none = await loadCase(empty, 'INC-E', {dbPath: path.join(dir, 'no', 'such', 'folder', 'empty.duckdb')})
    expect(none.artifacts).toEqual({total: 0, loaded: 0, refused: [], unreadable: [], notLoaded: 0})
    expect(none.tables.cloudtrail_events).toBe(0)
    expect(none.tables.custody).toBeGreaterThan(0)
    const {store} = await writeCase(path.join(dir, 'store'), 'INC-N', [
      {segments: ['added', 'local', 'notes.txt'], kind: 'file.added', body: 'seen at 09:00', contentType: 'text/plain'},
      {segments: ['cloudtrail', 'us-east-1', 'digest', 'd.json.gz'], kind: 'cloudtrail.digest', body: gz('{}'), contentType: 'application/json+gzip'},
    ])
    const dbPath = path.join(dir, 'case.duckdb')
    const result = await loadCase(store, 'INC-N', {dbPath})
    expect(result.artifacts).toEqual({total: 2, loaded: 0, refused: [], unreadable: [], notLoaded: 2})
    expect(Object.entries(result.tables).filter(([t, n]) => n > 0 && t !== 'artifacts' && t !== 'custody')).toEqual([])
    expect(await tableRows(dbPath, 'SELECT kind, status FROM artifacts ORDER BY kind')).toEqual([
      {kind: 'cloudtrail.digest', status: 'not-loaded'},
      {kind: 'file.added', status: 'not-loaded'},
    ])
  })

  it('fills one table per kind, each row citing its artifact', async () => {
    const dir = await tempDir()
    const {store} = await writeCase(path.join(dir, 'store'), 'INC-2', lambdaSpecs())
    const dbPath = path.join(dir, 'case.duckdb')
    const result = await loadCase(store, 'INC-2', {dbPath})
    expect(result.tables).toMatchObject({lambda_functions: 1, lambda_aliases: 1, lambda_policies: 4, lambda_url_configs: 1, lambda_event_source_mappings: 1, lambda_layers: 1, iam_policies: 3, log_events: 7})
    const fn = (await tableRows(dbPath, 'SELECT * FROM lambda_functions'))[0]!
    expect(fn).toMatchObject({function_name: 'payments', role: ROLE_ARN, last_modified: '2026-11-19T08:00:00.000Z', reserved_concurrency: 5, memory_size: 128})
    expect(JSON.parse(fn.environment_keys as string)).toEqual(['DB_PASSWORD', 'STAGE'])
    const policies = await tableRows(dbPath, 'SELECT sid, principal, source_arn, source_account, function_url_auth_type, function_name FROM lambda_policies ORDER BY sid')
    expect(policies).toEqual([
      {sid: 'open', principal: '*', source_arn: null, source_account: null, function_url_auth_type: null, function_name: 'payments'},
      {sid: 'other', principal: 'arn:aws:iam::444455556666:root', source_arn: null, source_account: null, function_url_auth_type: null, function_name: 'payments'},
      {sid: 's3', principal: 's3.amazonaws.com', source_arn: 'arn:aws:s3:::bucket', source_account: '111122223333', function_url_auth_type: null, function_name: 'payments'},
      {sid: 'url', principal: '*', source_arn: null, source_account: null, function_url_auth_type: 'NONE', function_name: 'payments'},
    ])
    expect(await tableRows(dbPath, 'SELECT role_name, kind, policy_name FROM iam_policies ORDER BY kind')).toEqual([
      {role_name: 'payments-exec', kind: 'inline', policy_name: 'inline-1'},
      {role_name: 'payments-exec', kind: 'managed', policy_name: 'AdministratorAccess'},
      {role_name: 'payments-exec', kind: 'trust', policy_name: null},
    ])
    expect((await tableRows(dbPath, 'SELECT last_modified FROM lambda_event_source_mappings'))[0]!.last_modified).toBe('2025-11-20T08:00:00.000Z')
    const logs = await tableRows(dbPath, 'SELECT time, message, request_id, function_name, log_stream FROM log_events ORDER BY time')
    expect(logs.map((l) => l.request_id)).toEqual([
      '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b', '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b', '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b', '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
      'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', null, null,
    ])
    expect(logs.every((l) => l.function_name === 'payments')).toBe(true)
    expect(logs[5]).toMatchObject({time: '2026-11-20T09:05:00.000Z', message: 'Task timed out after 3.00 seconds', log_stream: '2026/11/20/[$LATEST]def'})
    expect(logs[6]!.message).toBe(`=cmd|' /C calc'!A0, "quoted"`)
    const custody = await tableRows(dbPath, 'SELECT type, count(*)::INTEGER AS n FROM custody GROUP BY type ORDER BY type')
    expect(custody).toEqual([{type: 'artifact', n: 10}, {type: 'run-ended', n: 1}, {type: 'run-started', n: 1}])
    const chain = await tableRows(dbPath, "SELECT seq, line_sha256, line->>'$.prevHash' AS prev FROM custody ORDER BY seq")
    chain.slice(1).forEach((row, i) => expect(row.prev).toBe(chain[i]!.line_sha256))
    const sources = await tableRows(dbPath, 'SELECT source, count(*)::INTEGER AS n FROM timeline GROUP BY source ORDER BY source')
    expect(sources.map((s) => s.source)).toEqual(['custody', 'lambda', 'logs'])
    const missingCitations = await tableRows(dbPath, "SELECT count(*)::INTEGER AS n FROM timeline WHERE evidence_key IS NULL OR evidence_sha256 IS NULL")
    expect(missingCitations[0]!.n).toBe(0)
  })

  it('counts a duplicated eventID once with copies=2 and lists the copies', async () => {
    const dir = await tempDir()
    const records = stratusRecords('aws.credential-access.secretsmanager-retrieve-secrets')
    const {store} = await writeCase(path.join(dir, 'store'), 'INC-3', [deliveryFile(records), lookupFile(records.slice(0, 1))])
    const dbPath = path.join(dir, 'case.duckdb')
    const result = await loadCase(store, 'INC-3', {dbPath})
    expect(result.tables.cloudtrail_events).toBe(records.length)
    const dups = await tableRows(dbPath, 'SELECT * FROM cloudtrail_duplicates')
    expect(dups).toHaveLength(1)
    expect(dups[0]).toMatchObject({event_id: records[0]!.eventID, copies: 2})
    expect((dups[0]!.artifact_keys as string[]).map((k) => k.split('/').at(-1))).toEqual(['trail.json.gz', 'lookup.ndjson.gz'])
    const row = await tableRows(dbPath, `SELECT copies FROM cloudtrail_events WHERE event_id = '${String(records[0]!.eventID)}'`)
    expect(row).toEqual([{copies: 2}])
    // Stored once each, side by side by service and API, then time (one file: the key ties).
    const stored = await tableRows(dbPath, 'SELECT event_id FROM cloudtrail_records ORDER BY rowid')
    const key = (r: Record<string, unknown>): string => [r.eventSource, r.eventName, Date.parse(String(r.eventTime)).toString().padStart(15, '0'), r.eventID].join('\u0000')
    expect(stored.map((r) => r.event_id)).toEqual([...records].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)).map((r) => r.eventID))
  })

  it('stops when interrupted part-way: the reason thrown, the database it replaces untouched, nothing half-built left', async () => {
    const dir = await tempDir()
    const {records} = generateRecords({events: 600, seed: 12})
    const {store} = await writeCase(path.join(dir, 'store'), 'INC-I', [
      deliveryFile(records.slice(0, 200), 'a.json.gz'),
      deliveryFile(records.slice(200, 400), 'b.json.gz'),
      deliveryFile(records.slice(400), 'c.json.gz'),
    ])
    const dbPath = path.join(dir, 'db', 'case.duckdb')
    await loadCase(store, 'INC-I', {dbPath})
    const before = readFileSync(dbPath)
    const stop = new AbortController()
    const reason = interruption('SIGINT')
    let advanced = 0
    // One file a batch: stopped once the first batch is in.
    const progress = {task: () => ({advance: () => void (++advanced === 1 && stop.abort(reason)), setTotal() {}, done() {}})}
    await expect(loadCase(store, 'INC-I', {dbPath, batchBytes: 1, progress, signal: stop.signal})).rejects.toBe(reason)
    expect(advanced).toBeGreaterThanOrEqual(1)
    expect(await readdir(path.dirname(dbPath))).toEqual(['case.duckdb'])
    expect(readFileSync(dbPath).equals(before)).toBe(true)
    expect(await tableRows(dbPath, 'SELECT count(*) AS n FROM cloudtrail_events')).toEqual([{n: 600}])
  })

  it('stores records by service and API a batch of files at a time; a broken file in a later batch costs only itself', async () => {
    const dir = await tempDir()
    const {records} = generateRecords({events: 600, seed: 11})
    const files = [records.slice(0, 200), records.slice(200, 400), records.slice(400)]
    const {store} = await writeCase(path.join(dir, 'store'), 'INC-B', [
      deliveryFile(files[0]!, 'a.json.gz'),
      deliveryFile(files[1]!, 'b.json.gz'),
      {segments: ['cloudtrail', 'r', 'c-truncated.json.gz'], kind: 'cloudtrail.delivery-file', body: gz('{"Records":[{"eventID":"lost"},'), contentType: 'application/json+gzip'},
      deliveryFile(files[2]!, 'd.json.gz'),
    ])
    const dbPath = path.join(dir, 'case.duckdb')
    const counts: Array<[number, number]> = []
    const progress = {task: () => ({advance: (n = 1, b = 0) => void counts.push([n, b]), setTotal() {}, done() {}})}
    // One file a batch, all four in one transaction: the broken one rolls it back and it runs again without it.
    const result = await loadCase(store, 'INC-B', {dbPath, batchBytes: 1, progress})
    expect(result.artifacts.unreadable.map((u) => u.key.split('/').at(-1))).toEqual(['c-truncated.json.gz'])
    expect(result.tables.cloudtrail_events).toBe(600)
    // The rolled-back batches are taken back off the progress: it ends at the three files loaded.
    expect(counts.filter(([n]) => n < 0).length).toBeGreaterThan(0)
    expect(counts.reduce((sum, [n]) => sum + n, 0)).toBe(3)
    const stored = await tableRows(dbPath, "SELECT event_id, event_source, event_name, regexp_extract(artifact_key, '[^/]+$') AS file FROM cloudtrail_records ORDER BY rowid")
    // Files in key order; within each, records by service, API and time.
    expect([...new Set(stored.map((r) => r.file))]).toEqual(['a.json.gz', 'b.json.gz', 'd.json.gz'])
    const key = (r: Record<string, unknown>): string => [r.eventSource, String(r.eventName).replace(/20[0-9]{6}(v[0-9]+)?$/, ''), Date.parse(String(r.eventTime)).toString().padStart(15, '0'), r.eventID].join('\u0000')
    const sorted = (rs: Array<Record<string, unknown>>): unknown[] => [...rs].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0)).map((r) => r.eventID)
    expect(stored.map((r) => r.event_id)).toEqual(files.flatMap((f) => sorted(f as Array<Record<string, unknown>>)))
    // And each file's batch really was reordered: its records arrive in time order, not by service.
    expect(sorted(files[0] as Array<Record<string, unknown>>)).not.toEqual(files[0]!.map((r) => (r as Record<string, unknown>).eventID))
  })

  it('loads malformed lines, nulls, unknown fields and a 5 MB request without error', async () => {
    const dir = await tempDir()
    const huge = 'A'.repeat(5 * 1024 * 1024)
    const lines = [
      JSON.stringify({eventID: 'big', eventTime: '2026-11-20T10:00:00Z', eventName: 'PutObject', eventSource: 's3.amazonaws.com', requestParameters: {body: huge}, userIdentity: {type: 'IAMUser'}}),
      '{not json',
      JSON.stringify({eventID: 'nulls', eventTime: null, eventName: null, userIdentity: null, readOnly: 'true', requestParameters: null, brandNewField: {x: [1, 2]}}),
      JSON.stringify({eventID: 'badtime', eventTime: 'yesterday', readOnly: 'maybe', userIdentity: 'a string'}),
      JSON.stringify([1, 2, 3]),
      '',
    ]
    const {store} = await writeCase(path.join(dir, 'store'), 'INC-4', [
      {segments: ['cloudtrail', 'r', 'odd.ndjson.gz'], kind: 'cloudtrail.records', body: gz(lines.join('\n')), contentType: 'application/x-ndjson+gzip'},
      {segments: ['cloudtrail', 'r', 'truncated.json.gz'], kind: 'cloudtrail.delivery-file', body: gz('{"Records":[{"eventID":"lost"},'), contentType: 'application/json+gzip'},
      {segments: ['cloudtrail', 'r', 'plain.json.gz'], kind: 'cloudtrail.delivery-file', body: JSON.stringify({Records: [{eventID: 'plain', eventName: 'GetFunction20150331'}]}), contentType: 'application/json'},
      deliveryFile([{eventID: 'bigger', eventName: 'PutObject', requestParameters: {body: 'B'.repeat(24 * 1024 * 1024)}}], 'bigger.json.gz'),
    ])
    const dbPath = path.join(dir, 'case.duckdb')
    const result = await loadCase(store, 'INC-4', {dbPath})
    expect(result.malformedRecords).toBe(1)
    expect(result.artifacts.unreadable.map((u) => u.key.split('/').at(-1))).toEqual(['truncated.json.gz'])
    expect(result.warnings.join('\n')).toMatch(/truncated\.json\.gz/)
    const rows = await tableRows(dbPath, 'SELECT event_id, event_name, event_time, read_only, length(CAST(request_parameters AS VARCHAR)) AS len FROM cloudtrail_events ORDER BY event_id NULLS LAST')
    expect(rows.map((r) => r.event_id)).toEqual(['badtime', 'big', 'bigger', 'nulls', 'plain', null])
    expect(rows.find((r) => r.event_id === 'big')!.len).toBeGreaterThan(5 * 1024 * 1024)
    expect(rows.find((r) => r.event_id === 'bigger')!.len).toBeGreaterThan(24 * 1024 * 1024)
    expect(rows.find((r) => r.event_id === 'badtime')).toMatchObject({event_time: null, read_only: null})
    expect(rows.find((r) => r.event_id === 'nulls')).toMatchObject({read_only: true, event_name: null})
    expect(rows.find((r) => r.event_id === 'plain')!.event_name).toBe('GetFunction')
  })

  it('gives identical tables when the same evidence is loaded twice', async () => {
    const dir = await tempDir()
    const records = [...stratusRecords('aws.execution.ssm-send-command'), ...stratusRecords('aws.discovery.ec2-download-user-data')]
    const {store} = await writeCase(path.join(dir, 'store'), 'INC-5', [deliveryFile(records.slice(0, 40)), recordsFile(records.slice(30)), lookupFile(records.slice(50, 60)), ...lambdaSpecs()])
    const dumps: Array<Record<string, string>> = []
    for (const name of ['a.duckdb', 'b.duckdb']) {
      const dbPath = path.join(dir, name)
      await loadCase(store, 'INC-5', {dbPath})
      const db = await AnalysisDb.open(dbPath, {readOnly: true})
      // case_load records when the database was built: the one table that differs by design.
      const tables = (await db.all("SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_name <> 'case_load' ORDER BY 1")).rows.map((r) => r.table_name as string)
      const dump: Record<string, string> = {load: JSON.stringify((await db.all('SELECT * EXCLUDE (loaded_at) FROM case_load')).rows)}
      for (const t of [...tables, 'cloudtrail_events', 'timeline', 'cloudtrail_duplicates']) dump[t] = JSON.stringify((await db.all(`SELECT * FROM ${t} ORDER BY ALL`)).rows)
      db.close()
      dumps.push(dump)
    }
    const differing = Object.keys(dumps[0]!).filter((t) => dumps[0]![t] !== dumps[1]![t])
    expect(differing).toEqual([])
    expect(JSON.stringify(dumps[0]).length).toBeGreaterThan(10_000)
  })

  it('refuses a case with an altered artifact whole; accepted, loads it with its rows marked', async () => {
    const dir = await tempDir()
    const root = path.join(dir, 'store')
    const {store, records} = await writeCase(root, 'INC-6', [deliveryFile(stratusRecords('aws.defense-evasion.cloudtrail-stop'), 'a.json.gz'), deliveryFile(stratusRecords('aws.defense-evasion.cloudtrail-delete'), 'b.json.gz')])
    const altered = path.join(root, ...records[1]!.key.split('/'))
    await chmod(altered, 0o644)
    await writeFile(altered, gz(JSON.stringify({Records: [{eventID: 'forged', eventName: 'Nothing'}]})))
    const dbPath = path.join(dir, 'case.duckdb')
    await expect(loadCase(store, 'INC-6', {dbPath})).rejects.toMatchObject({code: 'evidence-unverified', message: expect.stringContaining(records[1]!.key)})
    const result = await loadCase(store, 'INC-6', {dbPath, acceptDamaged: true})
    expect(result.artifacts.refused).toEqual([])
    expect(result.damage.map((d) => [d.code, d.key])).toEqual([['artifact-altered', records[1]!.key]])
    expect(result.warnings.join('\n')).toMatch(/loaded with --accept-damaged/)
    expect(await tableRows(dbPath, 'SELECT event_name, evidence_damage IS NOT NULL AS damaged FROM cloudtrail_events ORDER BY event_name')).toEqual([
      {event_name: 'Nothing', damaged: true},
      {event_name: 'StopLogging', damaged: false},
    ])
    expect(await tableRows(dbPath, 'SELECT status FROM artifacts ORDER BY key')).toEqual([{status: 'loaded'}, {status: 'damaged'}])
    expect((await readFile(altered)).length).toBeGreaterThan(0)
  })

  it("refuses an artifact a manifest lists outside its own run's prefix, even with a recomputed selfDigest", async () => {
    const dir = await tempDir()
    const root = path.join(dir, 'store')
    const other = await writeCase(root, 'INC-OTHER', [deliveryFile(stratusRecords('aws.defense-evasion.cloudtrail-delete'), 'theirs.json.gz')])
    const {store, records} = await writeCase(root, 'INC-8', [deliveryFile(stratusRecords('aws.defense-evasion.cloudtrail-stop'), 'ours.json.gz')], {start: '2026-11-20T11:00:00Z'})
    // Rewrite INC-8's manifest to also list INC-OTHER's artifact, digest and all.
    const manifestPath = path.join(root, 'cases', 'INC-8', 'runs', records[0]!.key.split('/')[3]!, 'manifest.json')
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest
    manifest.artifacts.push(other.records[0]!)
    manifest.selfDigest = computeSelfDigest(manifest)
    await chmod(manifestPath, 0o644)
    await writeFile(manifestPath, JSON.stringify(manifest))
    const dbPath = path.join(dir, 'case.duckdb')
    await expect(loadCase(store, 'INC-8', {dbPath})).rejects.toMatchObject({code: 'evidence-unverified', message: expect.stringContaining('artifact-outside-run')})
    const result = await loadCase(store, 'INC-8', {dbPath, acceptDamaged: true})
    expect(result.artifacts.refused).toEqual([expect.objectContaining({key: other.records[0]!.key, state: 'untrusted'})])
    expect((await tableRows(dbPath, 'SELECT event_name FROM cloudtrail_events')).map((r) => r.event_name)).toEqual(['StopLogging'])
  })

  it('refuses a run that never sealed; accepted, loads what its journal recorded, marked', async () => {
    const dir = await tempDir()
    const {store} = await writeCase(path.join(dir, 'store'), 'INC-7', [deliveryFile(stratusRecords('aws.defense-evasion.cloudtrail-stop'))], {seal: false})
    const dbPath = path.join(dir, 'case.duckdb')
    await expect(loadCase(store, 'INC-7', {dbPath})).rejects.toMatchObject({code: 'evidence-unverified', message: expect.stringMatching(/\[run-unsealed\].*never finished/)})
    const result = await loadCase(store, 'INC-7', {dbPath, acceptDamaged: true})
    expect(result.tables.cloudtrail_events).toBe(1)
    expect(await tableRows(dbPath, 'SELECT evidence_damage FROM cloudtrail_events')).toEqual([{evidence_damage: expect.stringMatching(/^run-unsealed: /)}])
    expect(await tableRows(dbPath, 'SELECT sealed FROM artifacts')).toEqual([{sealed: false}])
  })
})

describe('coroner load: reproducible order at scale', () => {
  it('stores rows in the same physical order on every load, with parallel readers', async () => {
    const dir = await tempDir()
    const files = Array.from({length: 24}, (_, f) =>
      deliveryFile(
        Array.from({length: 2500}, (_, i) => ({
          eventID: `e-${f}-${i}`,
          eventTime: new Date(Date.UTC(2026, 10, 1) + ((i * 7919 + f * 104729) % 86_400_000)).toISOString(),
          eventName: i % 3 === 0 ? 'GetObject' : 'ListBuckets',
          eventSource: 's3.amazonaws.com',
          requestParameters: {bucketName: `b-${i % 17}`, key: 'k'.repeat(i % 200)},
          userIdentity: {type: 'IAMUser', arn: `arn:aws:iam::111122223333:user/u${i % 13}`},
        })),
        `file-${String(f).padStart(3, '0')}.json.gz`,
      ),
    )
    const {store} = await writeCase(path.join(dir, 'store'), 'INC-ORDER', files)
    const digests: string[] = []
    for (const name of ['a.duckdb', 'b.duckdb']) {
      const dbPath = path.join(dir, name)
      await loadCase(store, 'INC-ORDER', {dbPath, threads: 4})
      const rows = await tableRows(dbPath, "SELECT count(*)::INTEGER AS n, md5(string_agg(event_id || '|' || artifact_key, ',' ORDER BY rowid)) AS h FROM cloudtrail_records")
      expect(rows[0]!.n).toBe(60_000)
      digests.push(String(rows[0]!.h))
    }
    expect(digests[0]).toBe(digests[1])
  })
})
