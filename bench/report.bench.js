// Report benchmark: a case of 1,000,000 CloudTrail events (10,000 with BENCH_SCALE=small; the first
// of BENCH_EVENTS overrides), loaded (the database the load benchmark built, copied, when the run
// has one) and with its findings, then reported as HTML, Markdown and JSON (the JSON streams every
// timeline row). Times each phase, the size of each report and the peak memory; one JSON line on stdout.
import {copyFile, mkdtemp, rm, stat} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {buildFindings} from '../dist/analysis/findings/build.js'
import {openForQuery} from '../dist/analysis/run-query.js'
import {buildReport} from '../dist/reports/build.js'
import {writeReport} from '../dist/reports/write.js'
import {LocalDirectoryStore} from '../dist/evidence/stores/local.js'
import {collectedCase, loadedDb} from './lib/datasets.js'

const events = Number((process.env.BENCH_EVENTS ?? (process.env.BENCH_SCALE === 'small' ? '10000' : '1000000')).split(',')[0])
let peakRss = process.memoryUsage().rss
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
}, 25)

async function timed(name, work) {
  const t = performance.now()
  const value = await work()
  const seconds = (performance.now() - t) / 1000
  process.stderr.write(`${name}: ${seconds.toFixed(2)} s\n`)
  return {seconds: Number(seconds.toFixed(2)), value}
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'coroner-bench-report-'))
try {
  // The case the load benchmark measures (shared within a run), collected from a generated archive.
  const c = await collectedCase(events)
  const store = new LocalDirectoryStore(c.store)
  const dbPath = path.join(dir, 'case.duckdb')
  const loaded = await loadedDb(events)
  await copyFile(loaded.db, dbPath)
  const findings = await timed('findings', () => buildFindings({dbPath}))
  const out = {bench: 'report', events, loadSeconds: loaded.loadSeconds, findings: findings.value.findings, findingsSeconds: findings.seconds, loadAverage: Number(os.loadavg()[0].toFixed(1))}
  for (const format of ['html', 'md', 'json']) {
    const db = await openForQuery(dbPath)
    try {
      const r = await timed(`report ${format}`, async () => {
        const built = await buildReport(db, {store, caseId: c.caseId, generatedAt: new Date().toISOString(), showSecrets: false, findingsComputed: false})
        return writeReport(built, format, path.join(dir, `report.${format}`))
      })
      out[`${format}Seconds`] = r.seconds
      out[`${format}MiB`] = Number(((await stat(r.value.path)).size / 2 ** 20).toFixed(2))
      out[`${format}LoadAverage`] = Number(os.loadavg()[0].toFixed(1))
    } finally {
      db.close()
    }
  }
  clearInterval(sampler)
  out.peakRssMiB = Math.round(peakRss / 2 ** 20)
  process.stdout.write(`${JSON.stringify(out)}\n`)
} finally {
  clearInterval(sampler)
  await rm(dir, {recursive: true, force: true})
}
