// Load benchmark: 1,000,000 CloudTrail events in gzip delivery files, loaded (a) by a bare DuckDB
// read_json into a one-column table and (b) by `coroner load` (hash check, typed columns, dedup,
// custody, views), alternately, BENCH_ROUNDS times each (default 2); the best round of each counts.
// Prints one JSON line on stdout; progress on stderr. BENCH_EVENTS overrides the event count.
import {mkdtemp, rm, stat} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {DuckDBInstance, LIST, VARCHAR, listValue} from '@duckdb/node-api'
import {loadCase} from '../dist/analysis/load.js'
import {generateCloudTrailCase} from './lib/generate-cloudtrail.js'

const events = Number(process.env.BENCH_EVENTS ?? 1_000_000)
const rounds = Number(process.env.BENCH_ROUNDS ?? 2)
let peakRss = process.memoryUsage().rss
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
}, 25)

/** Wall and CPU seconds (CPU of this process, DuckDB's threads included) of `work`. */
async function measure(work) {
  const cpu = process.cpuUsage()
  const t = performance.now()
  const value = await work()
  const d = process.cpuUsage(cpu)
  return {wall: (performance.now() - t) / 1000, cpu: (d.user + d.system) / 1e6, value}
}

async function bareReadJson(dbPath, files) {
  const instance = await DuckDBInstance.create(dbPath)
  const connection = await instance.connect()
  await connection.run(
    "CREATE TABLE bare AS SELECT unnest(Records) AS record FROM read_json($files, columns={Records: 'JSON[]'}, format='auto', compression='gzip')",
    {files: listValue(files)},
    {files: LIST(VARCHAR)},
  )
  await connection.run('CHECKPOINT')
  const count = Number((await connection.runAndReadAll('SELECT count(*) FROM bare')).getRows()[0][0])
  connection.closeSync()
  instance.closeSync()
  return count
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'coroner-bench-load-'))
try {
  const gen = await measure(() => generateCloudTrailCase({root: path.join(dir, 'store'), events}))
  const generated = gen.value
  process.stderr.write(`generated ${events} events in ${generated.files.length} files (${(generated.compressedBytes / 2 ** 20).toFixed(1)} MiB gzip, ${(generated.jsonBytes / 2 ** 20).toFixed(1)} MiB JSON) in ${gen.wall.toFixed(1)} s\n`)

  let bare
  let load
  let dbMiB = 0
  for (let round = 0; round < rounds; round++) {
    const bareDb = path.join(dir, `bare-${round}.duckdb`)
    const b = await measure(() => bareReadJson(bareDb, generated.files))
    if (b.value !== events) throw new Error(`bare read_json found ${b.value} events, expected ${events}`)
    await rm(bareDb, {force: true})
    process.stderr.write(`round ${round + 1}: bare read_json ${b.wall.toFixed(2)} s (cpu ${b.cpu.toFixed(2)} s)\n`)
    if (!bare || b.wall < bare.wall) bare = b

    const dbPath = path.join(dir, `case-${round}.duckdb`)
    const l = await measure(() => loadCase(generated.store, 'BENCH', {dbPath}))
    if (l.value.tables.cloudtrail_events !== events) throw new Error(`coroner load found ${l.value.tables.cloudtrail_events} events, expected ${events}`)
    dbMiB = (await stat(dbPath)).size / 2 ** 20
    await rm(dbPath, {force: true})
    process.stderr.write(`round ${round + 1}: coroner load ${l.wall.toFixed(2)} s (cpu ${l.cpu.toFixed(2)} s) ${JSON.stringify(l.value.phases)}\n`)
    if (!load || l.wall < load.wall) load = l
  }

  const mib = generated.jsonBytes / 2 ** 20
  clearInterval(sampler)
  const out = {
    bench: 'load',
    events,
    files: generated.files.length,
    jsonMiB: Number(mib.toFixed(1)),
    gzipMiB: Number((generated.compressedBytes / 2 ** 20).toFixed(1)),
    rounds,
    bareSeconds: Number(bare.wall.toFixed(2)),
    bareEventsPerSecond: Math.round(events / bare.wall),
    bareMiBPerSecond: Number((mib / bare.wall).toFixed(1)),
    bareCpuSeconds: Number(bare.cpu.toFixed(2)),
    loadSeconds: Number(load.wall.toFixed(2)),
    loadEventsPerSecond: Math.round(events / load.wall),
    loadMiBPerSecond: Number((mib / load.wall).toFixed(1)),
    loadCpuSeconds: Number(load.cpu.toFixed(2)),
    ratio: Number((load.wall / bare.wall).toFixed(2)),
    cpuRatio: Number((load.cpu / bare.cpu).toFixed(2)),
    dbMiB: Number(dbMiB.toFixed(1)),
    peakRssMiB: Math.round(peakRss / 2 ** 20),
  }
  process.stdout.write(`${JSON.stringify(out)}\n`)
} finally {
  clearInterval(sampler)
  await rm(dir, {recursive: true, force: true})
}
