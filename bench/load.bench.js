// Load benchmark: 1,000,000 CloudTrail events in gzip delivery files, loaded (a) by a bare DuckDB
// read_json into a table and (b) by `coroner load` (hash check, typed columns, dedup, ordering).
// Prints one JSON line on stdout; progress on stderr. BENCH_EVENTS overrides the event count.
import {mkdtemp, rm, stat} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {DuckDBInstance, LIST, VARCHAR, listValue} from '@duckdb/node-api'
import {loadCase} from '../dist/analysis/load.js'
import {generateCloudTrailCase} from './lib/generate-cloudtrail.js'

/** CPU time of this process (DuckDB's threads included) since `since`, in seconds. */
const cpuSeconds = (since) => {
  const d = process.cpuUsage(since)
  return (d.user + d.system) / 1e6
}

const events = Number(process.env.BENCH_EVENTS ?? 1_000_000)
let peakRss = process.memoryUsage().rss
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
}, 25)

const dir = await mkdtemp(path.join(os.tmpdir(), 'coroner-bench-load-'))
try {
  let t = performance.now()
  const generated = await generateCloudTrailCase({root: path.join(dir, 'store'), events})
  process.stderr.write(`generated ${events} events in ${generated.files.length} files (${(generated.compressedBytes / 2 ** 20).toFixed(1)} MiB gzip, ${(generated.jsonBytes / 2 ** 20).toFixed(1)} MiB JSON) in ${((performance.now() - t) / 1000).toFixed(1)} s\n`)

  // (a) The floor: DuckDB's own reader, one row per record, nothing else.
  t = performance.now()
  let cpu = process.cpuUsage()
  const instance = await DuckDBInstance.create(path.join(dir, 'bare.duckdb'))
  const connection = await instance.connect()
  await connection.run(
    "CREATE TABLE bare AS SELECT unnest(Records) AS record FROM read_json($files, columns={Records: 'JSON[]'}, format='auto', compression='gzip', maximum_object_size=268435456)",
    {files: listValue(generated.files)},
    {files: LIST(VARCHAR)},
  )
  await connection.run('CHECKPOINT')
  const bareCount = Number((await connection.runAndReadAll('SELECT count(*) FROM bare')).getRows()[0][0])
  connection.closeSync()
  instance.closeSync()
  const bareSeconds = (performance.now() - t) / 1000
  const bareCpu = cpuSeconds(cpu)
  process.stderr.write(`bare read_json: ${bareCount} rows in ${bareSeconds.toFixed(2)} s\n`)

  // (b) coroner load.
  t = performance.now()
  cpu = process.cpuUsage()
  const dbPath = path.join(dir, 'case.duckdb')
  const result = await loadCase(generated.store, 'BENCH', {dbPath})
  const loadSeconds = (performance.now() - t) / 1000
  const loadCpu = cpuSeconds(cpu)
  process.stderr.write(`coroner load: ${result.tables.cloudtrail_events} events in ${loadSeconds.toFixed(2)} s ${JSON.stringify(result.phases)}\n`)
  if (result.tables.cloudtrail_events !== events || bareCount !== events) throw new Error(`expected ${events} events, got ${result.tables.cloudtrail_events} / ${bareCount}`)

  const mib = generated.jsonBytes / 2 ** 20
  clearInterval(sampler)
  const out = {
    bench: 'load',
    events,
    files: generated.files.length,
    jsonMiB: Number(mib.toFixed(1)),
    gzipMiB: Number((generated.compressedBytes / 2 ** 20).toFixed(1)),
    bareSeconds: Number(bareSeconds.toFixed(2)),
    bareEventsPerSecond: Math.round(events / bareSeconds),
    bareMiBPerSecond: Number((mib / bareSeconds).toFixed(1)),
    loadSeconds: Number(loadSeconds.toFixed(2)),
    loadEventsPerSecond: Math.round(events / loadSeconds),
    loadMiBPerSecond: Number((mib / loadSeconds).toFixed(1)),
    ratio: Number((loadSeconds / bareSeconds).toFixed(2)),
    bareCpuSeconds: Number(bareCpu.toFixed(2)),
    loadCpuSeconds: Number(loadCpu.toFixed(2)),
    cpuRatio: Number((loadCpu / bareCpu).toFixed(2)),
    dbMiB: Number(((await stat(dbPath)).size / 2 ** 20).toFixed(1)),
    peakRssMiB: Math.round(peakRss / 2 ** 20),
  }
  process.stdout.write(`${JSON.stringify(out)}\n`)
} finally {
  clearInterval(sampler)
  await rm(dir, {recursive: true, force: true})
}
