import {createHash} from 'node:crypto'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {gunzipSync} from 'node:zlib'
import {afterEach, describe, expect, it} from 'vitest'
import {AwsClientFactory} from '../../src/aws/client-factory.js'
import {findLookupCheckpoints} from '../../src/collectors/cloudtrail-resume.js'
import {collectCloudTrail} from '../support/cloudtrail-steps.js'
import {LocalDirectoryStore} from '../../src/evidence/stores/local.js'
import type {Manifest} from '../../src/evidence/manifest.js'
import {verifyCase} from '../../src/evidence/verify.js'
import {fixtureRecords, spreadRecords} from '../support/cloudtrail-fixtures.js'
import {testContext} from '../support/context.js'
import {lookupEventFromRecord, startFakeCloudTrail, type FakeCloudTrail, type WireEvent} from '../support/fake-cloudtrail.js'
import {tempDir} from '../support/temp.js'

const WINDOW_START = new Date('2026-11-19T00:00:00Z')
const WINDOW_END = new Date('2026-11-20T00:00:00Z')
const servers: FakeCloudTrail[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close()
})

function events(region: string, count: number, tag = 'ev'): WireEvent[] {
  return spreadRecords(fixtureRecords(), count, WINDOW_START, WINDOW_END, region, tag).map(lookupEventFromRecord)
}

async function setup(eventsByRegion: Record<string, WireEvent[]>, opts: {throttleAlways?: boolean; maxAttempts?: number; onArrival?: (n: number) => void} = {}) {
  const server = await startFakeCloudTrail({events: eventsByRegion, ...opts})
  servers.push(server)
  const dir = await tempDir()
  const store = new LocalDirectoryStore(path.join(dir, 'store'))
  const aws = new AwsClientFactory({
    endpointUrl: server.endpoint,
    region: 'us-east-1',
    credentials: {accessKeyId: 'AKIDTEST', secretAccessKey: 'secret'},
    ...(opts.maxAttempts === undefined ? {} : {maxAttempts: opts.maxAttempts}),
  })
  return {server, store, dir, aws}
}

async function readManifest(dir: string, key: string): Promise<Manifest> {
  return JSON.parse(await readFile(path.join(dir, 'store', ...key.split('/')), 'utf8')) as Manifest
}

async function chunkEvents(dir: string, manifest: Manifest): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = []
  for (const a of manifest.artifacts.filter((x) => x.kind === 'cloudtrail.lookup-events')) {
    const bytes = await readFile(path.join(dir, 'store', ...a.key.split('/')))
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(a.sha256)
    const lines = gunzipSync(bytes).toString('utf8').trim().split('\n')
    expect(lines).toHaveLength(a.records!)
    out.push(...lines.map((l) => JSON.parse(l) as Record<string, unknown>))
  }
  return out
}

describe('collect cloudtrail (LookupEvents) against a CloudTrail JSON 1.1 endpoint', () => {
  it('collects every event of the window in each region, paced under 2 requests/s, in hashed chunks', async () => {
    const outside = spreadRecords(fixtureRecords(), 20, new Date('2026-11-18T00:00:00Z'), new Date('2026-11-18T12:00:00Z'), 'us-east-1', 'old').map(lookupEventFromRecord)
    const {server, store, dir, aws} = await setup({'us-east-1': [...events('us-east-1', 260), ...outside], 'eu-west-1': events('eu-west-1', 180)})
    const ctx = testContext(store, {aws})
    const started = performance.now()
    const result = await collectCloudTrail(ctx, 'INC-LOOKUP', {mode: 'lookup', since: WINDOW_START, until: WINDOW_END, regions: ['us-east-1', 'eu-west-1'], filters: [], chunkEvents: 100})
    const elapsed = performance.now() - started

    expect(result.status).toBe('complete')
    expect(result.lookup!.map((s) => [s.stream, s.status, s.events])).toEqual([
      ['us-east-1/all', 'complete', 260],
      ['eu-west-1/all', 'complete', 180],
    ])
    expect(server.throttled).toBe(0)
    const lookups = server.requests.filter((r) => r.target.endsWith('LookupEvents'))
    expect(lookups).toHaveLength(6 + 4)
    for (const region of ['us-east-1', 'eu-west-1']) {
      const times = lookups.filter((r) => r.region === region).map((r) => r.at)
      for (let i = 2; i < times.length; i++) expect(times[i]! - times[i - 2]!).toBeGreaterThanOrEqual(1000)
    }
    // Regions run in parallel: 6 paced pages in one region take about 2.5 s, not 4.5 s for both.
    expect(elapsed).toBeLessThan(4500)

    const manifest = await readManifest(dir, result.manifestKey)
    const chunks = manifest.artifacts.filter((a) => a.kind === 'cloudtrail.lookup-events')
    expect(chunks.map((c) => c.records).sort((a, b) => a! - b!)).toEqual([60, 80, 100, 100, 100])
    const collected = await chunkEvents(dir, manifest)
    expect(collected).toHaveLength(440)
    expect(new Set(collected.map((e) => e.EventId)).size).toBe(440)
    expect(collected.some((e) => String(e.EventId).startsWith('old-'))).toBe(false)
    const first = collected[0]!
    expect(typeof first.CloudTrailEvent).toBe('string')
    expect(JSON.parse(first.CloudTrailEvent as string)).toHaveProperty('eventID', first.EventId)
    expect((await verifyCase(store, 'INC-LOOKUP')).ok).toBe(true)
  })

  it('sends exactly one LookupAttribute per call, one stream per filter', async () => {
    const base = events('us-east-1', 120)
    const fn = base.filter((e) => e.Resources.some((r) => r.ResourceType === 'AWS::Lambda::Function'))
    const fnName = fn[0]!.Resources[0]!.ResourceName!
    const {server, store, aws} = await setup({'us-east-1': base})
    const ctx = testContext(store, {aws})
    const result = await collectCloudTrail(ctx, 'INC-ATTR', {
      mode: 'lookup',
      since: WINDOW_START,
      until: WINDOW_END,
      regions: ['us-east-1'],
      filters: [
        {key: 'ResourceName', value: fnName},
        {key: 'EventName', value: 'DeleteTrail'},
      ],
    })
    expect(result.lookup!.map((s) => s.stream)).toEqual([`us-east-1/ResourceName=${fnName}`, 'us-east-1/EventName=DeleteTrail'])
    expect(result.lookup![0]!.events).toBe(base.filter((e) => e.Resources.some((r) => r.ResourceName === fnName)).length)
    expect(result.lookup![1]!.events).toBe(base.filter((e) => e.EventName === 'DeleteTrail').length)
    expect(result.lookup![1]!.events).toBeGreaterThan(0)
    expect(server.requests.every((r) => r.attributes === 1)).toBe(true)
    expect(server.throttled).toBe(0)
  })

  it('resumes after an abort from the last sealed chunk, without duplicates, by NextToken or by time', {timeout: 120_000}, async () => {
    // The third case packs 100 events into each second, so the instant a time-based resume restarts at spans pages.
    for (const {sameServer, clustered} of [{sameServer: true, clustered: false}, {sameServer: false, clustered: false}, {sameServer: false, clustered: true}]) {
      const all = clustered
        ? spreadRecords(fixtureRecords(), 400, new Date('2026-11-19T12:00:00Z'), new Date('2026-11-19T12:00:04Z'), 'us-east-1').map(lookupEventFromRecord)
        : events('us-east-1', 400)
      const controller = new AbortController()
      const {server, store, dir, aws} = await setup({'us-east-1': all}, {
        // Interrupted as a request arrives, so the pages before it are complete. Clustered: after 6
        // pages, when all 100 events of the oldest second written are in the checkpoint.
        onArrival: (n) => {
          if (n === (clustered ? 7 : 5)) controller.abort(new Error('interrupted by the test'))
        },
      })
      const first = await collectCloudTrail(testContext(store, {aws, signal: controller.signal}), 'INC-RESUME', {
        mode: 'lookup',
        since: WINDOW_START,
        until: WINDOW_END,
        regions: ['us-east-1'],
        filters: [],
        chunkEvents: 100,
      })
      expect(first.status).toBe('incomplete')
      expect(first.lookup![0]!.status).toBe('incomplete')
      const firstEvents = await chunkEvents(dir, await readManifest(dir, first.manifestKey))
      expect(firstEvents).toHaveLength(clustered ? 300 : 200)
      const checkpoint = (await findLookupCheckpoints(store, 'INC-RESUME'))!.checkpoints.get('us-east-1/all')!
      expect(checkpoint.events).toBe(firstEvents.length)
      expect(checkpoint.nextToken).toBeTruthy()
      if (clustered) expect(checkpoint.boundaryEventIds).toHaveLength(100)

      let resumeAws = aws
      let resumeServer = server
      if (!sameServer) {
        // A new endpoint refuses the old NextToken, as AWS refuses stale ones: resume by time instead.
        const fresh = await setup({'us-east-1': all})
        resumeAws = fresh.aws
        resumeServer = fresh.server
      }
      const before = resumeServer.requests.length
      const second = await collectCloudTrail(testContext(store, {aws: resumeAws}), 'INC-RESUME', {mode: 'lookup', regions: [], filters: [], resume: true, chunkEvents: 100})
      expect(second.status).toBe('complete')
      expect(second.resumedFrom).toBe(first.runId)
      // Straight after the interruption the region may still be at its limit; the SDK retries that.
      const resumed = resumeServer.requests.slice(before).filter((r) => r.error !== 'ThrottlingException')
      expect(resumed[0]!.hadToken).toBe(true)
      // The same endpoint takes the stored NextToken; a new one refuses it and the time fallback asks without one.
      expect(resumed[0]!.error).toBe(sameServer ? undefined : 'InvalidNextTokenException')
      if (!sameServer) expect(resumed[1]!.hadToken).toBe(false)
      const secondEvents = await chunkEvents(dir, await readManifest(dir, second.manifestKey))
      const ids = [...firstEvents, ...secondEvents].map((e) => e.EventId)
      expect(ids).toHaveLength(400)
      expect(new Set(ids).size).toBe(400)
      expect(new Set(ids)).toEqual(new Set(all.map((e) => e.EventId)))
      for (const s of servers.splice(0)) await s.close()
    }
  })

  it('records a gap and stops the region when the SDK gives up on throttling', async () => {
    const {server, store, dir, aws} = await setup({'us-east-1': events('us-east-1', 60), 'eu-west-1': events('eu-west-1', 60)}, {throttleAlways: true, maxAttempts: 2})
    const result = await collectCloudTrail(testContext(store, {aws}), 'INC-THROTTLE', {
      mode: 'lookup',
      since: WINDOW_START,
      until: WINDOW_END,
      regions: ['us-east-1'],
      filters: [
        {key: 'EventName', value: 'DeleteTrail'},
        {key: 'EventName', value: 'StopLogging'},
      ],
    })
    expect(result.status).toBe('partial')
    expect(result.lookup!.map((s) => [s.status, s.error?.code])).toEqual([
      ['failed', 'ThrottlingException'],
      ['failed', 'ThrottlingException'],
    ])
    // The SDK's own retries only: 2 attempts for the first stream, none for the stream after it.
    expect(server.requests.filter((r) => r.target.endsWith('LookupEvents'))).toHaveLength(2)
    const manifest = await readManifest(dir, result.manifestKey)
    expect(manifest.gaps).toBe(2)
    const journal = await readFile(path.join(dir, 'store', ...manifest.journal.key.split('/')), 'utf8')
    // The gap's code is coroner's own; AWS's error name stays in the reason.
    expect(journal).toMatch(/"type":"gap".*"code":"throttled".*ThrottlingException/)
  })

  it('warns that LookupEvents keeps 90 days when --since is older, pointing to the archive', async () => {
    const {store, dir, aws} = await setup({'us-east-1': []})
    const ctx = testContext(store, {aws})
    const result = await collectCloudTrail(ctx, 'INC-OLD', {mode: 'lookup', since: new Date('2026-06-01T00:00:00Z'), until: WINDOW_END, regions: ['us-east-1'], filters: []})
    const manifest = await readManifest(dir, result.manifestKey)
    expect(manifest.warnings.join('\n')).toMatch(/90 days.*--archive s3:\/\//s)
  })
})
