// CloudWatch Logs over moto_server, against the AWS CLI in the same run: EVENTS events in
// several log groups, collected by `collect logs` (slices in sealed gzip NDJSON artifacts, the
// groups side by side within the one FilterLogEvents pace) against `aws logs filter-log-events`
// paging each group over the same window into a file. moto keeps events of the last 14 days only,
// so they are stamped over the two hours before now; PutLogEvents takes 10,000 events a call.
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand} from '@aws-sdk/client-cloudwatch-logs'
import {coroner, log, mustRun, report, SCALE, workDir} from './lib/measure.js'
import {CREDENTIALS, motoEnv, startMoto} from './lib/moto.js'

const EVENTS = SCALE === 'small' ? 10_000 : 200_000
const GROUPS = Array.from({length: 4}, (_, i) => `/aws/lambda/bench-fn-${i}`)
const STREAMS = 4
const BATCH = 5_000
const HOUR = 3_600_000
const end = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000
const start = end - 2 * HOUR

const moto = await startMoto()
const env = motoEnv(moto.endpoint)
const logs = new CloudWatchLogsClient({endpoint: moto.endpoint, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1})
const work = workDir(`logs-groups-${EVENTS}`)
const rows = []
const details = {events: EVENTS, groups: GROUPS.length}
try {
  const started = performance.now()
  const perStream = EVENTS / GROUPS.length / STREAMS
  await Promise.all(GROUPS.map(async (group, g) => {
    await logs.send(new CreateLogGroupCommand({logGroupName: group}))
    for (let s = 0; s < STREAMS; s++) {
      const logStreamName = `2026/12/01/[$LATEST]${String(g * STREAMS + s).padStart(32, '0')}`
      await logs.send(new CreateLogStreamCommand({logGroupName: group, logStreamName}))
      for (let from = 0; from < perStream; from += BATCH) {
        const logEvents = Array.from({length: Math.min(BATCH, perStream - from)}, (_, i) => {
          const n = from + i
          return {timestamp: start + Math.floor((n * 2 * HOUR) / perStream), message: `REPORT RequestId: ${g}-${s}-${n.toString(16).padStart(8, '0')}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB`}
        })
        await logs.send(new PutLogEventsCommand({logGroupName: group, logStreamName, logEvents}))
      }
    }
  }))
  details.seedSeconds = (performance.now() - started) / 1000
  log(`put ${EVENTS} events in ${GROUPS.length} log groups in ${details.seedSeconds.toFixed(1)} s`)

  const out = path.join(work, 'filter-log-events.json')
  writeFileSync(out, '')
  const script = GROUPS.map((g) => `aws --endpoint-url ${moto.endpoint} logs filter-log-events --log-group-name '${g}' --start-time ${start} --end-time ${end - 1} --output json >> '${out}'`).join(' && ')
  const cli = await mustRun('bash', ['-c', script], {env})
  const collect = await coroner(['collect', 'logs', ...GROUPS.flatMap((g) => ['--log-group', g]), '--since', new Date(start).toISOString(), '--until', new Date(end).toISOString(), '--case', 'INC-LOGSBENCH', '--store', path.join(work, `store-${Date.now()}`), '--endpoint-url', moto.endpoint, '--json'], {env})
  const collected = JSON.parse(collect.stdout).result
  const events = (collected.groups ?? []).reduce((n, g) => n + g.events, 0)
  if (events !== EVENTS) throw new Error(`collect logs collected ${events} of ${EVENTS} events`)
  rows.push({
    workload: `collect logs, ${EVENTS.toLocaleString('en-US')} events in ${GROUPS.length} groups`,
    coroner: collect.seconds, peer: cli.seconds, peerName: 'aws logs filter-log-events', unit: 's',
    ratio: collect.seconds / cli.seconds, target: 1, peakRssMiB: collect.peakRssMiB,
  })
  for (const r of [cli, collect]) delete r.stdout, delete r.stderr
  details.coroner = {...collect, eventsPerSecond: EVENTS / collect.seconds}
  details.awsCli = {...cli, eventsPerSecond: EVENTS / cli.seconds}
} finally {
  logs.destroy()
  await moto.stop()
}
report('logs-groups', rows, details)
