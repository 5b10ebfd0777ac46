// Hunting as `coroner findings` runs it: every shipped Sigma rule in one scan beside every detection
// query (and the scan alone, for its speed), over databases `coroner load` built from generated archives of growing size, each hunt in
// a process of its own (peak RSS from the kernel), median of the rounds. The hunt fails the
// benchmark if it misses an injected attack event or fires where the attack's near misses say it
// must not. At the smallest size the straightforward evaluation (each rule alone over the JSON
// records) is measured too, for comparison.
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {loadedDb} from './lib/datasets.js'
import {EVENTS, ROUNDS, SCALE, log, median, mustRun, report, workDir} from './lib/measure.js'

// 5M events only with BENCH_EVENTS=200000,1000000,5000000 (their load alone would take most of the suite's 15 minutes).
const sizes = EVENTS ?? (SCALE === 'small' ? [30_000, 100_000] : [200_000, 1_000_000])
const rounds = (n) => ROUNDS ?? (n >= 5_000_000 || SCALE === 'small' ? 1 : 2)
// Each rule alone over the JSON (about 35 s at 200k events) only when asked: BENCH_PER_RULE=1.
const PER_RULE = process.env.BENCH_PER_RULE === '1'
const label = (n) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`)
const once = path.join(import.meta.dirname, 'lib', 'hunt-once.js')

const rows = []
const details = {}
let failed = false
const perEvent = []
for (const events of sizes) {
  const {db, attack} = await loadedDb(events)
  const attackFile = path.join(workDir('hunt'), `attack-${events}.json`)
  writeFileSync(attackFile, JSON.stringify(attack))
  const runs = []
  for (let r = 0; r < rounds(events); r++) {
    const t = await mustRun(process.execPath, [once, db, attackFile])
    const out = JSON.parse(t.stdout.trim().split('\n').pop())
    runs.push({...out, peakRssMiB: t.peakRssMiB, processCpu: t.cpuSeconds})
    log(`hunt ${events}: sigma ${out.sigmaSeconds.toFixed(2)} s (cpu ${out.sigmaCpuSeconds.toFixed(2)}), ${out.rules} rules; with ${out.queries} queries side by side ${out.checksSeconds.toFixed(2)} s (cpu ${out.checksCpuSeconds.toFixed(2)}); peak RSS ${t.peakRssMiB.toFixed(0)} MiB; missed ${out.missed.length}, false alarms ${out.falseAlarms.length}`)
  }
  const last = runs.at(-1)
  if (last.missed.length > 0 || last.falseAlarms.length > 0 || last.failed.length > 0) {
    failed = true
    log(`hunt ${events}: missed ${JSON.stringify(last.missed)}; false alarms ${JSON.stringify(last.falseAlarms)}; failed ${JSON.stringify(last.failed)}`)
  }
  const sigma = median(runs.map((r) => r.sigmaSeconds))
  const checks = median(runs.map((r) => r.checksSeconds))
  const rss = median(runs.map((r) => r.peakRssMiB))
  perEvent.push({events, sigma, both: checks})
  details[`hunt${events}`] = {runs}
  const check = last.missed.length + last.falseAlarms.length + last.failed.length === 0 ? {} : {error: `missed ${last.missed.length}, false alarms ${last.falseAlarms.length}, failed ${last.failed.length}`}
  const cores = median(runs.map((r) => r.sigmaCpuSeconds / r.sigmaSeconds))
  rows.push({workload: `hunt ${label(events)} events: ${last.rules} Sigma rules, one scan`, coroner: events / sigma, unit: 'events/s', peakRssMiB: rss, rssTarget: 1024, ...(events === 1_000_000 ? {minimum: 500_000} : {}), cores, ...check})
  rows.push({workload: `hunt ${label(events)} events: + ${last.queries} detection queries`, coroner: checks, unit: 's', peakRssMiB: rss, ...(events === 1_000_000 ? {maximum: 2} : {}), ...check})
  if (events === sizes[0] && PER_RULE) {
    const plain = await mustRun(process.execPath, [once, db, attackFile, 'per-rule'])
    const p = JSON.parse(plain.stdout.trim().split('\n').pop())
    log(`hunt ${events}: each rule alone over the JSON records ${p.seconds.toFixed(2)} s`)
    rows.at(-2).peer = events / p.seconds
    rows.at(-2).peerName = 'each rule alone over JSON'
    rows.at(-2).ratio = events / sigma / (events / p.seconds)
    rows.at(-2).better = 'higher'
  }
}
const [first, , lastSize] = [perEvent[0], perEvent[1], perEvent.at(-1)]
if (perEvent.length > 1) rows.push({
  workload: `hunt time per event, ${label(lastSize.events)} against ${label(first.events)}`,
  coroner: lastSize.sigma / lastSize.events * 1e6, peer: first.sigma / first.events * 1e6, peerName: `at ${label(first.events)}`, unit: 'µs/event',
  ratio: (lastSize.sigma / lastSize.events) / (first.sigma / first.events), target: 1.2,
})
report('sigma', rows, details)
if (failed) process.exitCode = 1
