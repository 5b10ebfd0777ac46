// Code archives through `coroner load`: packages of growing size and entry count, and a zip bomb,
// each in a case of its own in a temporary local store, loaded into a fresh database by a child
// process of its own (so its peak resident memory is the load's alone, not the generator's).
// Prints the throughput and the peak RSS of each: reading a package must keep memory flat,
// whatever its size, its number of entries or what it claims to inflate to.
import {execFileSync} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import {fileURLToPath} from 'node:url'
import os from 'node:os'
import path from 'node:path'
import {constants, deflateRawSync} from 'node:zlib'
import {loadCase} from '../dist/analysis/load.js'
import {fixedClock} from '../dist/core/clock.js'
import {EvidenceRun} from '../dist/evidence/run.js'
import {LocalDirectoryStore} from '../dist/evidence/stores/local.js'
import {buildZip} from './lib/generate-zip.js'

const MiB = 1024 * 1024

/** A JavaScript file of about `bytes`, varied enough to compress like real code (3-6x), with a few indicators. */
function jsFile(i, bytes) {
  const lines = []
  let size = 0
  for (let n = 0; size < bytes; n++) {
    const line = `const v${i}_${n} = require('mod${(i * 7 + n) % 97}').call(${(i * 31 + n * 17) % 100003}, "${((i + 1) * (n + 3) * 2654435761 % 4294967296).toString(36)}")${n % 50 === 0 ? ` // https://host${i}.example.com/${n}` : ''}\n`
    lines.push(line)
    size += line.length
  }
  return lines.join('')
}

/**
 * DEFLATE of `bytes` zero bytes (rounded up to a MiB), without deflating them: one MiB deflated
 * with a full flush is a run of blocks that starts afresh, so copies of it follow each other, and
 * an empty final block ends the stream. Deflating 4 GiB of zeros took 15 s of the suite.
 */
function deflatedZeros(bytes) {
  const mib = deflateRawSync(Buffer.alloc(MiB), {level: 9, finishFlush: constants.Z_FULL_FLUSH})
  return Buffer.concat([...Array.from({length: Math.ceil(bytes / MiB)}, () => mib), Buffer.from([0x03, 0x00])])
}

/** A zip holding one entry whose DEFLATE bytes are given, claiming its size (and a CRC it does not have). */
const bombZip = (deflated, size) => buildZip([{name: 'bomb.bin', compressed: deflated, declaredSize: size, crc: 0}])

/** In the child: loads the case of `root` into `dbPath` and prints what it took. */
async function childLoad(root, dbPath) {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10)
  const result = await loadCase(new LocalDirectoryStore(root), 'BENCH', {dbPath})
  clearInterval(timer)
  peak = Math.max(peak, process.memoryUsage().rss)
  const m = process.memoryUsage()
  console.log(JSON.stringify({code: result.code, codeSeconds: result.phases.code, peakMiB: peak / MiB, heapMiB: m.heapUsed / MiB, heapTotalMiB: m.heapTotal / MiB, externalMiB: m.external / MiB}))
}

/** Writes the archive `build` makes as a case of its own, then loads it in a child process. */
async function loadOne(dir, name, build) {
  const zip = await build()
  const root = path.join(dir, name)
  const store = new LocalDirectoryStore(root)
  const run = await EvidenceRun.begin({store, caseId: 'BENCH', command: 'bench', parameters: {}, clock: fixedClock('2026-11-20T10:00:00Z', 1000)})
  await run.putArtifact(['lambda', 'us-east-1', 'fn', 'versions', '1', 'code.zip'], zip, {kind: 'lambda.code', contentType: 'application/zip', source: 'arn:aws:lambda:us-east-1:111122223333:function:fn:1', collector: 'bench', attributes: {functionName: 'fn', version: '1'}})
  await run.finish()
  const child = execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'load', root, path.join(dir, `${name}.duckdb`)], {encoding: 'utf8', maxBuffer: 16 * MiB})
  return {bytes: zip.length, ...JSON.parse(child.trim().split('\n').pop())}
}

if (process.argv[2] === 'load') {
  await childLoad(process.argv[3], process.argv[4])
  process.exit(0)
}

const out = {bench: 'code-archives'}
const dir = await mkdtemp(path.join(os.tmpdir(), 'coroner-bench-code-'))
try {
  for (const n of process.env.BENCH_SCALE === 'small' ? [10_000] : [10_000, 100_000]) {
    const r = await loadOne(dir, `tiny-${n}`, () => buildZip(Array.from({length: n}, (_, i) => ({name: `t/${i}.js`, data: 'x'}))))
    out[`entriesPerSec_tiny${n / 1000}k`] = n / r.codeSeconds
    out[`peakRssMiB_tiny${n / 1000}k`] = r.peakMiB
    out[`jsHeapMiB_tiny${n / 1000}k`] = r.heapMiB
    console.error(`${n} tiny entries: ${r.codeSeconds.toFixed(2)} s in the code phase (${(n / r.codeSeconds).toFixed(0)} entries/s), peak RSS ${r.peakMiB.toFixed(0)} MiB`)
  }
  for (const mib of process.env.BENCH_SCALE === 'small' ? [32] : [32, 128]) {
    const count = mib * 4
    const r = await loadOne(dir, `text-${mib}`, () => buildZip(Array.from({length: count}, (_, i) => ({name: `src/m${i}.js`, data: jsFile(i, 256 * 1024), deflate: true}))))
    out[`MiBps_text${mib}MiB`] = mib / r.codeSeconds
    out[`peakRssMiB_text${mib}MiB`] = r.peakMiB
    out[`jsHeapMiB_text${mib}MiB`] = r.heapMiB
    out[`indicators_text${mib}MiB`] = r.code.indicators
    console.error(`${mib} MiB of JavaScript in ${count} files (${(r.bytes / MiB).toFixed(1)} MiB zipped): ${r.codeSeconds.toFixed(2)} s (${(mib / r.codeSeconds).toFixed(1)} MiB/s scanned), ${r.code.indicators} indicators, peak RSS ${r.peakMiB.toFixed(0)} MiB`)
  }
  // Past the 256 MiB inflation cap either way.
  const claimed = (process.env.BENCH_SCALE === 'small' ? 1024 : 4 * 1024) * MiB - 1
  const r = await loadOne(dir, 'bomb', async () => bombZip(deflatedZeros(claimed), claimed))
  out.bombSeconds = r.codeSeconds
  out.peakRssMiB_bomb = r.peakMiB
  out.bombAnomalies = r.code.anomalies
  console.error(`zip bomb (${((claimed + 1) / MiB / 1024).toFixed(0)} GiB of zeros in ${r.code.files} entry): stopped in ${r.codeSeconds.toFixed(2)} s, anomalies ${JSON.stringify(r.code.anomalies)}, peak RSS ${r.peakMiB.toFixed(0)} MiB`)
} finally {
  await rm(dir, {recursive: true, force: true})
}
console.log(JSON.stringify(out))
