// Memory flat as cases grow: `collect cloudtrail --archive DIR` of a local trail archive of
// 10,000 and of 100,000 delivery files, as a user runs it, in its own process: peak RSS of the
// two within 1.2× of each other (the run's artifact records are spooled to disk and streamed
// into the manifest, never held), and the files a second it ran at.
import {rmSync} from 'node:fs'
import path from 'node:path'
import {generateDeliveryFiles} from './lib/delivery-files.js'
import {coroner, log, report, SCALE, workDir} from './lib/measure.js'

const SIZES = SCALE === 'small' ? [500, 5_000] : [10_000, 100_000]
const label = (n) => n.toLocaleString('en-US')

const runs = []
for (const files of SIZES) {
  const work = workDir(`archive-memory-${files}`)
  const root = path.join(work, 'archive')
  rmSync(root, {recursive: true, force: true})
  const archive = generateDeliveryFiles(root, files)
  const store = path.join(work, 'store')
  rmSync(store, {recursive: true, force: true})
  const r = await coroner(['collect', 'cloudtrail', '--archive', root, '--since', archive.since, '--until', archive.until, '--case', 'INC-MEM', '--store', store, '--json'])
  const stored = JSON.parse(r.stdout).result?.archive?.stored
  if (stored !== files) throw new Error(`stored ${stored} of ${files} files`)
  rmSync(work, {recursive: true, force: true})
  log(`${label(files)} files in ${r.seconds.toFixed(1)} s (${(files / r.seconds).toFixed(0)} files/s), peak RSS ${r.peakRssMiB.toFixed(0)} MiB`)
  runs.push({files, seconds: r.seconds, cpuSeconds: r.cpuSeconds, filesPerSecond: files / r.seconds, peakRssMiB: r.peakRssMiB})
}
const [small, large] = runs
report('archive-memory', [
  ...runs.map((r) => ({workload: `collect --archive DIR, ${label(r.files)} files`, coroner: r.filesPerSecond, unit: 'files/s', peakRssMiB: r.peakRssMiB})),
  {
    workload: `collect --archive peak RSS ${label(small.files)} → ${label(large.files)} files`,
    coroner: large.peakRssMiB, peer: small.peakRssMiB, peerName: `RSS at ${label(small.files)}`, unit: 'MiB',
    ratio: large.peakRssMiB / small.peakRssMiB, target: 1.2, peakRssMiB: large.peakRssMiB,
  },
], {runs})
