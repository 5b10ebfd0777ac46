// `coroner load` through the CLI, as a responder runs it, against a bare DuckDB read_json of the
// same delivery files (the peer), alternately, median of the rounds. Two cases: one imported with
// `import cloudtrail` (records converted, originals kept and re-hashed too) and one collected from
// the archive with `collect cloudtrail --archive` (delivery files stored as they are), the latter at
// two sizes to show that memory stays flat as the case grows.
import {rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {collectedCase, importedCase, rememberLoadedDb} from './lib/datasets.js'
import {EVENTS, ROUNDS, SCALE, alternate, coroner, log, mustRun, report, summary, workDir} from './lib/measure.js'

// Small: collected cases only (an import of its own would take a quarter of the 2 minutes).
// 5M events take about 9 minutes of their own on 2 cores (generate, collect, load, read_json):
// within the suite's 15 only when asked for, with BENCH_EVENTS=1000000,5000000.
const sizes = SCALE === 'small' ? {imported: undefined, archive: [30_000, 100_000]} : {imported: 1_000_000, archive: [1_000_000]}
// BENCH_EVENTS=N[,M…] measures only collected archives of those sizes (no imported case).
if (EVENTS !== undefined) Object.assign(sizes, {imported: undefined, archive: EVENTS})
// Two rounds at full scale: the suite's 15 minutes hold both cases' loads and read_json runs.
const roundsFor = (events) => ROUNDS ?? (events >= 5_000_000 || SCALE === 'small' ? 1 : 2)
const label = (n) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`)

async function compare(name, c) {
  const dir = workDir(`load-${name}`)
  const list = path.join(dir, 'files.json')
  writeFileSync(list, JSON.stringify(c.deliveryFiles))
  const db = path.join(dir, 'case.duckdb')
  const bareDb = path.join(dir, 'bare.duckdb')
  const [loads, bares] = await alternate(
    roundsFor(c.events),
    async () => {
      rmSync(db, {force: true})
      const r = await coroner(['load', '--case', c.caseId, '--store', c.store, '--db', db, '--json'])
      const out = JSON.parse(r.stdout).result
      // `tables` is a list of {table, rows} in the CLI's JSON.
      const events = out.tables.find((t) => t.table === 'cloudtrail_events')?.rows
      if (events !== c.events) throw new Error(`load found ${events} events, expected ${c.events}`)
      log(`${name}: coroner load ${r.seconds.toFixed(2)} s (cpu ${r.cpuSeconds.toFixed(1)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB) ${JSON.stringify(out.phases)}`)
      return r
    },
    async () => {
      rmSync(bareDb, {force: true})
      const r = await mustRun(process.execPath, [path.join(import.meta.dirname, 'lib', 'bare-read-json.js'), bareDb, list])
      if (Number(r.stdout.trim()) !== c.events) throw new Error(`bare read_json found ${r.stdout.trim()} records, expected ${c.events}`)
      log(`${name}: bare read_json ${r.seconds.toFixed(2)} s (cpu ${r.cpuSeconds.toFixed(1)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB)`)
      return r
    },
  )
  rmSync(bareDb, {force: true})
  if (name.startsWith('collected')) rememberLoadedDb(c.events, db, c.attack)
  return {load: summary(loads), bare: summary(bares)}
}

const rows = []
const details = {}
if (sizes.imported !== undefined) {
  const imported = await importedCase(sizes.imported)
  const i = await compare(`imported-${sizes.imported}`, imported)
  details.imported = {events: sizes.imported, importSeconds: imported.importSeconds, ...i}
  rows.push({
  workload: `load ${label(sizes.imported)} events (import cloudtrail)`,
  coroner: i.load.seconds, peer: i.bare.seconds, peerName: 'DuckDB read_json', unit: 's',
  ratio: i.load.seconds / i.bare.seconds, target: 1.2, peakRssMiB: i.load.peakRssMiB, rssTarget: 2048,
  cpuRatio: i.load.cpuSeconds / i.bare.cpuSeconds, rounds: i.load.rounds,
  })
}
const rss = []
for (const events of sizes.archive) {
  const c = await collectedCase(events)
  const a = await compare(`collected-${events}`, c)
  details[`collected${events}`] = {events, collectSeconds: c.collectSeconds, ...a}
  rss.push(a.load.peakRssMiB)
  rows.push({
    workload: `load ${label(events)} events (collect --archive)`,
    coroner: a.load.seconds, peer: a.bare.seconds, peerName: 'DuckDB read_json', unit: 's',
    ratio: a.load.seconds / a.bare.seconds, target: 1.2, peakRssMiB: a.load.peakRssMiB, ...(events <= 1_000_000 ? {rssTarget: 2048} : {}),
    cpuRatio: a.load.cpuSeconds / a.bare.cpuSeconds, rounds: a.load.rounds,
  })
}
if (rss.length > 1) rows.push({
  workload: `load peak RSS ${label(sizes.archive[0])} → ${label(sizes.archive[1])} events`,
  coroner: rss[1], peer: rss[0], peerName: `RSS at ${label(sizes.archive[0])}`, unit: 'MiB', ratio: rss[1] / rss[0], target: 1.2, peakRssMiB: rss[1],
})
report('load', rows, details)
