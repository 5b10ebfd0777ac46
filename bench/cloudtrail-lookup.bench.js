// LookupEvents throughput against an endpoint that throttles above 2 requests/s, as AWS does:
// the collector's token bucket should come within 10% of the ceiling (2 requests/s × 50 events =
// 100 events/s) without a single throttled request.
import {mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {AwsClientFactory} from '../dist/aws/client-factory.js'
import {collectCloudTrailLookup} from '../dist/steps/collect/cloudtrail.js'
import {fixedClock} from '../dist/core/clock.js'
import {silentLogger} from '../dist/core/logger.js'
import {quietProgress} from '../dist/core/progress.js'
import {LocalDirectoryStore} from '../dist/evidence/stores/local.js'
import {startFakeCloudTrail} from './support/fake-cloudtrail.js'

const MiB = 1024 * 1024
const EVENTS = process.env.BENCH_SCALE === 'small' ? 500 : 2000 // 40 pages: about 20 s at the ceiling (10 pages when small)
const CEILING = 100

const here = path.dirname(fileURLToPath(import.meta.url))
const fixtures = path.join(here, '..', 'test', 'fixtures', 'datadog_stratus-red-team_detonation-logs')
const base = readdirSync(fixtures).filter((f) => f.endsWith('.json')).flatMap((f) => JSON.parse(readFileSync(path.join(fixtures, f), 'utf8')))
const start = Date.parse('2026-11-19T00:00:00Z')
const events = Array.from({length: EVENTS}, (_, i) => {
  const r = {...base[i % base.length], eventID: `bench-${i}`, eventTime: new Date(start + i * 20_000).toISOString()}
  return {
    EventId: r.eventID,
    EventName: r.eventName,
    ReadOnly: String(r.readOnly ?? false),
    EventTime: Date.parse(r.eventTime) / 1000,
    EventSource: r.eventSource,
    Username: r.userIdentity?.userName ?? 'unknown',
    Resources: [],
    CloudTrailEvent: JSON.stringify(r),
  }
})

let peak = 0
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss))
const timer = setInterval(sample, 50)
const server = await startFakeCloudTrail({events})
const dir = mkdtempSync(path.join(os.tmpdir(), 'coroner-bench-'))
const aws = new AwsClientFactory({endpointUrl: server.endpoint, region: 'us-east-1', credentials: {accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench'}})
try {
  const ctx = {
    clock: fixedClock('2026-11-20T10:00:00Z', 1),
    logger: silentLogger,
    progress: quietProgress,
    signal: new AbortController().signal,
    aws,
    store: new LocalDirectoryStore(dir),
    showSecrets: false,
  }
  const started = performance.now()
  const result = await collectCloudTrailLookup({...ctx, caseId: 'BENCH-LOOKUP'}, {since: new Date(start).toISOString(), until: new Date(start + EVENTS * 20_000).toISOString(), regions: ['us-east-1'], chunkEvents: 500})
  const seconds = (performance.now() - started) / 1000
  sample()
  const collected = result.lookup[0].events
  const eventsPerSec = collected / seconds
  console.error(`${collected} events in ${seconds.toFixed(1)} s: ${eventsPerSec.toFixed(1)} events/s (ceiling ${CEILING}), ${server.stats.throttled} throttled of ${server.stats.requests} requests`)
  console.log(JSON.stringify({
    bench: 'cloudtrail-lookup',
    events: collected,
    seconds,
    eventsPerSec,
    ceilingEventsPerSec: CEILING,
    ofCeiling: eventsPerSec / CEILING,
    requests: server.stats.requests,
    throttled: server.stats.throttled,
    peakRssMiB: peak / MiB,
  }))
  if (collected !== EVENTS || eventsPerSec < 0.9 * CEILING || server.stats.throttled > 0) process.exitCode = 1
} finally {
  clearInterval(timer)
  aws.destroy()
  await server.close()
  rmSync(dir, {recursive: true, force: true})
}
