// Collects a large log window from a local server speaking the CloudWatch Logs JSON protocol and
// reports events per second and peak resident memory: slices stream to the store, so memory must
// stay flat as the number of events grows. The request pacing (4/s) bounds the throughput, as it
// does against AWS.
import {mkdtempSync, rmSync} from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import {AwsClientFactory} from '../dist/aws/client-factory.js'
import {readManifest} from '../dist/evidence/cases.js'
import {logsStep} from '../dist/steps/collect/logs.js'
import {runStep} from '../dist/steps/runner.js'
import {systemClock} from '../dist/core/clock.js'
import {silentLogger} from '../dist/core/logger.js'
import {quietProgress} from '../dist/core/progress.js'
import {LocalDirectoryStore} from '../dist/evidence/stores/local.js'

const MiB = 1024 * 1024
const HOUR = 3_600_000
// About 1 MB of JSON a page, the most FilterLogEvents returns.
const PAGE = 4_000
const PAGES_PER_SLICE = 4
const SLICES = process.env.BENCH_SCALE === 'small' ? 3 : 12
const GROUP = '/aws/lambda/bench'
const start = Date.UTC(2026, 10, 20)

let requests = 0
const server = http.createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    requests++
    const target = String(req.headers['x-amz-target'] ?? '')
    const body = Buffer.concat(chunks).toString('utf8')
    const json = (o) => {
      res.writeHead(200, {'content-type': 'application/x-amz-json-1.1'})
      res.end(JSON.stringify(o))
    }
    if (target.endsWith('DescribeLogGroups')) return json({logGroups: [{logGroupName: GROUP}]})
    if (target.endsWith('FilterLogEvents')) {
      const input = JSON.parse(body)
      const page = input.nextToken === undefined ? 0 : Number(input.nextToken)
      const events = []
      const step = HOUR / (PAGE * PAGES_PER_SLICE)
      for (let i = 0; i < PAGE; i++) {
        const n = page * PAGE + i
        const timestamp = input.startTime + Math.floor(n * step)
        events.push({
          logStreamName: `2026/11/20/[$LATEST]${(n % 16).toString(16).padStart(32, '0')}`,
          timestamp,
          ingestionTime: timestamp + 150,
          message: `REPORT RequestId: ${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\n`,
          eventId: `${timestamp}${n}`.padEnd(56, '0'),
        })
      }
      return json({events, ...(page + 1 < PAGES_PER_SLICE ? {nextToken: String(page + 1)} : {}), searchedLogStreams: []})
    }
    if (target.includes('GetCallerIdentity') || body.includes('GetCallerIdentity')) {
      res.writeHead(200, {'content-type': 'text/xml'})
      return res.end('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/bench</Arn><UserId>AIDABENCH</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>b</RequestId></ResponseMetadata></GetCallerIdentityResponse>')
    }
    res.writeHead(400, {'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'UnknownOperationException'})
    res.end('{}')
  })
})
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const endpointUrl = `http://127.0.0.1:${server.address().port}`

let peak = 0
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss))
const timer = setInterval(sample, 20)
const dir = mkdtempSync(path.join(os.tmpdir(), 'coroner-bench-'))
const aws = new AwsClientFactory({endpointUrl, region: 'us-east-1', maxAttempts: 1, credentials: {accessKeyId: 'bench', secretAccessKey: 'bench'}})
try {
  const store = new LocalDirectoryStore(dir)
  const ctx = {clock: systemClock, logger: silentLogger, progress: quietProgress, signal: new AbortController().signal, aws, store, showSecrets: false}
  globalThis.gc?.()
  const started = process.hrtime.bigint()
  const {result, run} = await runStep({...ctx, caseId: 'BENCH'}, logsStep, {groups: [GROUP], start: new Date(start).toISOString(), end: new Date(start + SLICES * HOUR).toISOString(), sliceMs: HOUR})
  const out = {...run, collected: result.groups[0], artifacts: (await readManifest(store, run.manifestKey)).artifacts}
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  sample()
  const events = out.collected.events
  const storedMiB = out.artifacts.reduce((n, a) => n + a.size, 0) / MiB
  if (out.status !== 'complete' || events !== SLICES * PAGES_PER_SLICE * PAGE) throw new Error(`unexpected result: ${out.status}, ${events} events`)
  console.error(`${events} events in ${seconds.toFixed(1)} s (${(events / seconds).toFixed(0)}/s, ${requests} requests), ${storedMiB.toFixed(1)} MiB gzip, peak RSS ${(peak / MiB).toFixed(0)} MiB`)
  console.log(JSON.stringify({bench: 'logs', events, seconds, eventsPerSecond: events / seconds, requestsPerSecond: requests / seconds, storedMiB, peakRssMiB: peak / MiB}))
} finally {
  clearInterval(timer)
  aws.destroy()
  server.close()
  rmSync(dir, {recursive: true, force: true})
}
