// The generated data the benchmarks share within one run: archives by size, and the cases made
// from them (imported, or collected from the archive as a trail's S3 copy would be), each made
// once in the run's work folder and reused by the benchmarks that need it.
import {existsSync, readFileSync, readdirSync, renameSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {CASE_DB_LAYOUT} from '../../dist/analysis/load-record.js'
import {writeArchive} from './generate-cloudtrail.js'
import {coroner, log, workDir} from './measure.js'

const SEED = 42

/** What `make` made in an earlier run of the same work folder, unless `stale` says it no longer serves. */
function cached(name, make, stale = () => false) {
  const dir = workDir(name)
  const meta = path.join(dir, 'meta.json')
  if (existsSync(meta)) {
    const value = JSON.parse(readFileSync(meta, 'utf8'))
    if (!stale(value)) return Promise.resolve(value)
  }
  return make(dir).then((value) => {
    writeFileSync(meta, JSON.stringify(value))
    return value
  })
}

/** A trail archive of `events` generated events in delivery files of 1,000. */
export function archive(events) {
  return cached(`archive-${events}`, async (dir) => {
    const started = performance.now()
    const a = await writeArchive({dir: path.join(dir, 'trail'), events, seed: SEED})
    log(`generated ${events} events in ${a.files.length} files (${(a.gzipBytes / 2 ** 20).toFixed(0)} MiB gzip, ${(a.jsonBytes / 2 ** 20).toFixed(0)} MiB JSON) in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    return {root: a.dir, files: a.files, events, gzipBytes: a.gzipBytes, jsonBytes: a.jsonBytes, since: a.since, until: a.until, attack: a.attack, templates: a.templates}
  })
}

/** A case made by `coroner import cloudtrail` of the archive (originals kept, records converted). */
export function importedCase(events) {
  return cached(`imported-${events}`, async (dir) => {
    const a = await archive(events)
    const store = path.join(dir, 'store')
    const r = await coroner(['import', 'cloudtrail', a.root, '--case', 'INC-BENCH', '--store', store, '--json'])
    log(`imported ${events} events in ${r.seconds.toFixed(1)} s (peak RSS ${r.peakRssMiB.toFixed(0)} MiB)`)
    return {store, caseId: 'INC-BENCH', events, importSeconds: r.seconds, importPeakRssMiB: r.peakRssMiB, deliveryFiles: a.files, attack: a.attack}
  })
}

/** A case made by `coroner collect cloudtrail --archive DIR` (delivery files stored byte for byte). */
export function collectedCase(events) {
  return cached(`collected-${events}`, async (dir) => {
    const a = await archive(events)
    const store = path.join(dir, 'store')
    const r = await coroner(['collect', 'cloudtrail', '--archive', a.root, '--since', a.since, '--until', a.until, '--case', 'INC-BENCH', '--store', store, '--json'])
    log(`collected ${events} events from the archive in ${r.seconds.toFixed(1)} s (peak RSS ${r.peakRssMiB.toFixed(0)} MiB)`)
    return {store, caseId: 'INC-BENCH', events, collectSeconds: r.seconds, collectPeakRssMiB: r.peakRssMiB, deliveryFiles: storedDeliveryFiles(store), attack: a.attack}
  })
}

function storedDeliveryFiles(store) {
  const out = []
  const walk = (dir) => {
    for (const e of readdirSync(dir, {withFileTypes: true})) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.name.endsWith('.json.gz')) out.push(p)
    }
  }
  walk(path.join(store, 'cases'))
  return out.sort()
}

/** Records a database the load benchmark built, so the hunt benchmark uses it instead of loading again. */
export function rememberLoadedDb(events, db, attack) {
  const dir = workDir(`db-${events}`)
  const target = path.join(dir, 'case.duckdb')
  renameSync(db, target)
  writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({db: target, events, attack, layout: CASE_DB_LAYOUT}))
}

/**
 * The case database `coroner load` builds from a collected case of `events` events; one kept in
 * BENCH_WORK by a build of another table layout is built again, since commands refuse it.
 */
export function loadedDb(events) {
  return cached(`db-${events}`, async (dir) => {
    const c = await collectedCase(events)
    const db = path.join(dir, 'case.duckdb')
    const r = await coroner(['load', '--case', c.caseId, '--store', c.store, '--db', db, '--json'])
    return {db, events, loadSeconds: r.seconds, attack: c.attack, layout: CASE_DB_LAYOUT}
  }, (value) => value.layout !== CASE_DB_LAYOUT)
}
