import {createHash} from 'node:crypto'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {gunzipSync, gzipSync} from 'node:zlib'
import {CloudWatchLogsClient, CreateExportTaskCommand, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand} from '@aws-sdk/client-cloudwatch-logs'
import {CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client} from '@aws-sdk/client-s3'
import {GapLog} from '../../src/evidence/gap-log.js'
import {importLogsExport} from '../../src/collectors/logs-export.js'
import {EvidenceRun} from '../../src/evidence/run.js'
import {beforeEach, describe, expect, it} from 'vitest'
import {fixedClock} from '../../src/core/clock.js'
import {logsStep} from '../../src/steps/collect/logs.js'
import {readManifest} from '../../src/evidence/cases.js'
import {LocalDirectoryStore} from '../../src/evidence/stores/local.js'
import type {ArtifactRecord} from '../../src/evidence/manifest.js'
import {collectIn, testContext} from '../support/context.js'
import {AwsClientFactory} from '../../src/aws/client-factory.js'
import {startLambdaProxy} from '../support/lambda-proxy.js'
import {motoAws, motoEndpoint, resetMoto} from '../support/moto.js'
import {tempDir} from '../support/temp.js'

const HOUR = 3_600_000
const GROUP = '/aws/lambda/payments-api'
// moto keeps events of the last 14 days only; the window is three whole hours ending an hour ago.
const base = Math.floor(Date.now() / HOUR) * HOUR - 4 * HOUR

/** Events in three streams spread over three hours; 2 + 3 + 4 per hour. */
async function seedLogs(): Promise<Array<{stream: string; timestamp: number; message: string}>> {
  const aws = motoAws()
  const logs = aws.client(CloudWatchLogsClient)
  await logs.send(new CreateLogGroupCommand({logGroupName: GROUP}))
  const streams = ['2026/11/20/[$LATEST]aaa', '2026/11/20/[$LATEST]bbb', '2026/11/20/[3]ccc']
  for (const s of streams) await logs.send(new CreateLogStreamCommand({logGroupName: GROUP, logStreamName: s}))
  const events: Array<{stream: string; timestamp: number; message: string}> = []
  for (let h = 0; h < 3; h++) {
    for (let i = 0; i < h + 2; i++) {
      events.push({stream: streams[i % 3]!, timestamp: base + h * HOUR + i * 60_000, message: `START RequestId: ${h}-${i} =cmd|' /C calc'!A0 \u001b[31m`})
    }
  }
  for (const s of streams) {
    const mine = events.filter((e) => e.stream === s).sort((a, b) => a.timestamp - b.timestamp)
    await logs.send(new PutLogEventsCommand({logGroupName: GROUP, logStreamName: s, logEvents: mine.map((e) => ({timestamp: e.timestamp, message: e.message}))}))
  }
  aws.destroy()
  return events
}

let runs = 0

async function collect(root: string, groups: string[], start: number, end: number, resume = false, endpointUrl?: string) {
  const store = new LocalDirectoryStore(root)
  const aws =
    endpointUrl === undefined
      ? motoAws('INC-LOGS')
      : new AwsClientFactory({endpointUrl, region: 'us-east-1', maxAttempts: 1, credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}})
  // Each run starts an hour after the one before, so run ids (and the manifest chain) are ordered.
  const ctx = testContext(store, {aws, clock: fixedClock(new Date(Date.UTC(2026, 10, 20, 10 + runs++)), 1000)})
  const run = await collectIn(ctx, 'INC-LOGS', logsStep, {groups, start: new Date(start).toISOString(), end: new Date(end).toISOString(), sliceMs: HOUR, resume})
  const out = {...run, collected: run.collected.groups}
  aws.destroy()
  return {out, manifest: await readManifest(store, out.manifestKey)}
}

const lines = async (root: string, a: ArtifactRecord): Promise<any[]> => {
  const raw = await readFile(path.join(root, ...a.key.split('/')))
  expect(createHash('sha256').update(raw).digest('hex')).toBe(a.sha256)
  return gunzipSync(raw).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
}

describe('collect logs (moto CloudWatch Logs)', () => {
  beforeEach(resetMoto)

  it('stores each hour slice as gzip NDJSON with its hash and per-stream counts', async () => {
    const events = await seedLogs()
    const root = await tempDir()
    const {out, manifest} = await collect(root, [GROUP], base, base + 3 * HOUR)
    expect(out.status).toBe('complete')
    const slices = manifest.artifacts.filter((a) => a.kind === 'logs.events')
    expect(slices).toHaveLength(3)
    expect(slices.map((a) => a.records).sort()).toEqual([2, 3, 4])
    const group = out.collected[0]!
    expect(group.events).toBe(9)
    expect(group.streams).toEqual({'2026/11/20/[$LATEST]aaa': 4, '2026/11/20/[$LATEST]bbb': 3, '2026/11/20/[3]ccc': 2})
    const last = slices.find((a) => a.records === 4)!
    expect(last.attributes).toMatchObject({logGroupName: GROUP, startTime: base + 2 * HOUR, endTime: base + 3 * HOUR, streams: {'2026/11/20/[$LATEST]aaa': 2, '2026/11/20/[$LATEST]bbb': 1, '2026/11/20/[3]ccc': 1}})
    expect(last.key).toMatch(/\/logs\/us-east-1\/%2Faws%2Flambda%2Fpayments-api\/events_\d{8}T\d{6}Z_\d{8}T\d{6}Z\.ndjson\.gz$/)
    const all = (await Promise.all(slices.map((a) => lines(root, a)))).flat()
    expect(all).toHaveLength(9)
    expect(all.map((e) => e.timestamp).sort()).toEqual(events.map((e) => e.timestamp).sort())
    // Attacker-written messages are kept exactly; fields as the API names them.
    expect(all[0]).toEqual(expect.objectContaining({logGroupName: GROUP, logStreamName: expect.any(String), timestamp: expect.any(Number), ingestionTime: expect.any(Number), eventId: expect.any(String)}))
    expect(all[0].message).toContain("=cmd|' /C calc'!A0 \u001b[31m")
  })

  it('resumes: slices sealed by an earlier run are skipped and named, only new ones are fetched', async () => {
    await seedLogs()
    const root = await tempDir()
    const first = await collect(root, [GROUP], base, base + 2 * HOUR)
    expect(first.manifest.artifacts).toHaveLength(2)
    const second = await collect(root, [GROUP], base, base + 3 * HOUR, true)
    const slices = second.out.collected[0]!.slices
    expect(slices.map((s) => s.status)).toEqual(['skipped', 'skipped', 'complete'])
    expect(slices[0]!.runId).toBe(first.out.runId)
    // Slices finish in any order; find the first one by its start.
    const firstSlice = first.manifest.artifacts.find((a) => a.attributes?.startTime === base)!
    expect(slices[0]).toMatchObject({sha256: firstSlice.sha256, key: firstSlice.key, events: firstSlice.records})
    expect(second.manifest.artifacts.filter((a) => a.kind === 'logs.events').map((a) => a.records)).toEqual([4])
    expect(second.manifest.previousManifest?.runId).toBe(first.out.runId)
  })

  it('records a missing log group as a gap and still collects the others', async () => {
    await seedLogs()
    const root = await tempDir()
    const {out, manifest} = await collect(root, ['/aws/lambda/ghost', GROUP], base, base + HOUR)
    expect(out.status).toBe('partial')
    expect(out.gaps).toEqual([expect.objectContaining({code: 'log-group-not-found', resource: '/aws/lambda/ghost', reason: expect.stringMatching(/describe-log-groups/)})])
    expect(manifest.artifacts.filter((a) => a.kind === 'logs.events')).toHaveLength(1)
  })

  it('writes real-format FilterLogEvents answers field for field, one line per event', async () => {
    const answer = JSON.parse(await readFile(path.join(import.meta.dirname, '../fixtures/aws_aws-cli_examples/logs_filter-log-events_output.json'), 'utf8'))
    const aws = motoAws()
    await aws.client(CloudWatchLogsClient).send(new CreateLogGroupCommand({logGroupName: 'my-group'}))
    aws.destroy()
    const proxy = await startLambdaProxy(motoEndpoint())
    proxy.canned.push({method: 'POST', path: /^\/$/, target: 'Logs_20140328.FilterLogEvents', status: 200, body: answer})
    try {
      const root = await tempDir()
      const day = Date.UTC(2024, 3, 8)
      const {manifest} = await collect(root, ['my-group'], day, day + 24 * HOUR, false, proxy.url)
      const [slice] = manifest.artifacts.filter((a) => a.kind === 'logs.events')
      const got = await lines(root, slice!)
      expect(got).toEqual(answer.events.map((e: object) => ({logGroupName: 'my-group', ...e})))
      expect(slice!.attributes).toMatchObject({streams: {teststream: 1, '2024/05/09/[$LATEST]abc1024': 1}, firstEventTime: '2024-04-08T09:17:23.827Z'})
      expect(proxy.requests.filter((r) => r.startsWith('POST /'))).not.toHaveLength(0)
    } finally {
      await proxy.close()
    }
  })

  it('records a throttled and a denied slice as gaps; the other slices still land', async () => {
    await seedLogs()
    const proxy = await startLambdaProxy(motoEndpoint())
    const sliceStarting = (t: number) => (body: string) => (JSON.parse(body) as {startTime?: number}).startTime === t
    proxy.canned.push(
      {method: 'POST', path: /^\/$/, target: 'Logs_20140328.FilterLogEvents', when: sliceStarting(base), status: 400, errorType: 'ThrottlingException', body: {__type: 'ThrottlingException', message: 'Rate exceeded'}},
      {method: 'POST', path: /^\/$/, target: 'Logs_20140328.FilterLogEvents', when: sliceStarting(base + HOUR), status: 400, errorType: 'AccessDeniedException', body: {__type: 'AccessDeniedException', message: 'not authorized to perform: logs:FilterLogEvents'}},
    )
    try {
      const root = await tempDir()
      const {out, manifest} = await collect(root, [GROUP], base, base + 3 * HOUR, false, proxy.url)
      expect(out.status).toBe('partial')
      expect(out.gaps.map((g) => g.code).sort()).toEqual(['access-denied', 'throttled'])
      expect(out.gaps.find((g) => g.code === 'access-denied')!.reason).toMatch(/logs:FilterLogEvents/)
      expect(out.collected[0]!.slices.map((s) => s.status)).toEqual(['failed', 'failed', 'complete'])
      const stored = manifest.artifacts.filter((a) => a.kind === 'logs.events')
      expect(stored.map((a) => a.records)).toEqual([4])
      expect(await lines(root, stored[0]!)).toHaveLength(4)
    } finally {
      await proxy.close()
    }
  })

  it('collects log groups side by side, recording every group, its events and its gaps', async () => {
    await seedLogs()
    const others = ['/aws/lambda/orders-worker', '/aws/lambda/fraud-guard']
    const aws = motoAws()
    const client = aws.client(CloudWatchLogsClient)
    for (const [g, group] of others.entries()) {
      await client.send(new CreateLogGroupCommand({logGroupName: group}))
      await client.send(new CreateLogStreamCommand({logGroupName: group, logStreamName: 's'}))
      const logEvents = Array.from({length: 3 * (g + 1)}, (_, i) => ({timestamp: base + i * (HOUR / (g + 1)), message: `${group} ${i}`}))
      await client.send(new PutLogEventsCommand({logGroupName: group, logStreamName: 's', logEvents}))
    }
    aws.destroy()
    const proxy = await startLambdaProxy(motoEndpoint())
    const asked: string[] = []
    proxy.canned.push(
      // Never answers: notes which group each FilterLogEvents asks about, in the order they come.
      {method: 'POST', path: /^\/$/, target: 'Logs_20140328.FilterLogEvents', when: (body) => (asked.push((JSON.parse(body) as {logGroupName: string}).logGroupName), false), status: 500, body: {}},
      {method: 'POST', path: /^\/$/, target: 'Logs_20140328.FilterLogEvents', when: (body) => (JSON.parse(body) as {logGroupName: string; startTime: number}).logGroupName === others[1] && JSON.parse(body).startTime === base + HOUR, status: 400, errorType: 'ThrottlingException', body: {__type: 'ThrottlingException', message: 'Rate exceeded'}},
    )
    try {
      const root = await tempDir()
      const groups = [GROUP, ...others]
      const {out, manifest} = await collect(root, groups, base, base + 3 * HOUR, false, proxy.url)
      expect(out.collected.map((c) => c.logGroupName)).toEqual(groups)
      expect(out.collected.map((c) => c.events)).toEqual([9, 3, 4])
      expect(out.gaps).toEqual([expect.objectContaining({code: 'throttled', resource: expect.stringContaining(others[1]!)})])
      expect(out.collected[2]!.slices.map((s) => s.status)).toEqual(['complete', 'failed', 'complete'])
      const stored = manifest.artifacts.filter((a) => a.kind === 'logs.events')
      expect(new Set(stored.map((a) => a.attributes?.logGroupName))).toEqual(new Set(groups))
      expect(stored).toHaveLength(8)
      expect(new Set(asked)).toEqual(new Set(groups))
      // Side by side: every group starts before the first one ends.
      const journal = (await readFile(path.join(root, ...manifest.journal.key.split('/')), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as {type: string; step?: string; parameters?: {logGroupName?: string}})
      const groupSteps = journal.filter((e) => e.step === 'logs-group')
      const firstEnd = groupSteps.findIndex((e) => e.type === 'step-ended')
      expect(groupSteps.slice(0, firstEnd).map((e) => e.parameters?.logGroupName)).toEqual(groups)
    } finally {
      await proxy.close()
    }
  })

  it('chooses the slices for all the groups together: at most 24 in all, not 24 each', async () => {
    await seedLogs()
    const store = new LocalDirectoryStore(await tempDir())
    const aws = motoAws('INC-LOGS')
    const ctx = testContext(store, {aws, clock: fixedClock(new Date(Date.UTC(2026, 10, 20, 10 + runs++)), 1000)})
    const groups = [GROUP, '/aws/lambda/a', '/aws/lambda/b', '/aws/lambda/c']
    // Two hours alone would be cut in 5-minute slices; four groups of two hours share 1-hour slices.
    const run = await collectIn(ctx, 'INC-LOGS', logsStep, {groups, start: new Date(base).toISOString(), end: new Date(base + 2 * HOUR).toISOString()})
    aws.destroy()
    expect(run.collected.groups.map((g) => g.sliceMinutes)).toEqual([60, 60, 60, 60])
    expect(run.collected.groups[0]!.events).toBe(5)
  })

  it('imports export task output from S3 where the task wrote it, byte for byte; a truncated object is a gap', async () => {
    await seedLogs()
    const aws = motoAws('INC-LOGS')
    const s3 = aws.client(S3Client)
    await s3.send(new CreateBucketCommand({Bucket: 'ir-exports'}))
    await aws.client(CloudWatchLogsClient).send(
      new CreateExportTaskCommand({logGroupName: GROUP, from: base, to: base + 3 * HOUR, destination: 'ir-exports', destinationPrefix: 'exportedlogs'}),
    )
    const whole = Buffer.from(gzipSync(Buffer.from(Array.from({length: 3000}, (_, i) => `2026-11-20T10:00:00.000Z ${'x'.repeat(40)}${i}`).join('\n'))))
    await s3.send(new PutObjectCommand({Bucket: 'ir-exports', Key: 'exportedlogs/0f6bd2f2-1f9c-4b1e-9c43-5d1f7a3c2b10/cut-stream/000000.gz', Body: whole.subarray(0, 200)}))

    const root = await tempDir()
    const store = new LocalDirectoryStore(root)
    const ctx = testContext(store, {aws})
    const run = await EvidenceRun.begin({store, caseId: 'INC-LOGS', command: 'import logs', parameters: {}, clock: ctx.clock})
    const gaps = new GapLog(run)
    const result = await importLogsExport({...ctx, caseId: 'INC-LOGS', run, gaps}, ['s3://ir-exports/exportedlogs'], GROUP)
    const manifest = await readManifest(store, (await run.finish()).manifestKey)

    expect(result.files.filter((f) => f.status === 'complete')).toHaveLength(3)
    expect(result.files.filter((f) => f.status === 'complete').reduce((n, f) => n + f.lines, 0)).toBe(9)
    expect(result.files.find((f) => f.status === 'partial')?.logStreamName).toBe('cut-stream')
    expect(gaps.gaps).toEqual([expect.objectContaining({code: 'truncated-gzip', resource: 's3://ir-exports/exportedlogs/0f6bd2f2-1f9c-4b1e-9c43-5d1f7a3c2b10/cut-stream/000000.gz'})])
    expect(manifest.status).toBe('partial')
    for (const a of manifest.artifacts) {
      expect(a.kind).toBe('logs.export')
      const key = a.attributes!.s3Key as string
      const original = Buffer.from(await (await s3.send(new GetObjectCommand({Bucket: 'ir-exports', Key: key}))).Body!.transformToByteArray())
      expect(createHash('sha256').update(original).digest('hex')).toBe(a.sha256)
      expect((await readFile(path.join(root, ...a.key.split('/')))).equals(original)).toBe(true)
    }
    const lines = gunzipSync(await readFile(path.join(root, ...manifest.artifacts.find((a) => a.records === 4)!.key.split('/')))).toString('utf8')
    expect(lines).toMatch(/^\d{4}-\d{2}-\d{2}T\S+ START RequestId: /)
    expect(manifest.artifacts.every((a) => a.key.includes('/logs-export/s3/'))).toBe(true)
    aws.destroy()
  })
})
