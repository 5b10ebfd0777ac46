// Streams generated artifacts of growing size through the local evidence store and reports
// throughput and peak resident memory: hashing while streaming must keep memory flat.
import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {Readable} from 'node:stream'
import {LocalDirectoryStore} from '../dist/evidence/stores/local.js'

const MiB = 1024 * 1024
const sizes = process.env.BENCH_SCALE === 'small' ? [64, 256] : [64, 256, 1024]

function generated(bytes) {
  const chunk = Buffer.alloc(MiB, 'coroner evidence bytes\n')
  let left = bytes
  return Readable.from((function* () {
    while (left > 0) {
      const n = Math.min(left, chunk.length)
      left -= n
      yield n === chunk.length ? chunk : chunk.subarray(0, n)
    }
  })())
}

let peak = 0
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss))
const timer = setInterval(sample, 20)

const dir = mkdtempSync(path.join(os.tmpdir(), 'coroner-bench-'))
const out = {bench: 'local-store'}
try {
  const store = new LocalDirectoryStore(dir)
  for (const mib of sizes) {
    globalThis.gc?.()
    peak = 0
    sample()
    const started = process.hrtime.bigint()
    await store.put(`cases/BENCH/runs/r/${mib}.bin`, generated(mib * MiB))
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    sample()
    out[`MBps_${mib}MiB`] = mib / seconds
    out[`peakRssMiB_${mib}MiB`] = peak / MiB
    console.error(`${mib} MiB: ${(mib / seconds).toFixed(0)} MiB/s, peak RSS ${(peak / MiB).toFixed(0)} MiB`)
  }
} finally {
  clearInterval(timer)
  rmSync(dir, {recursive: true, force: true})
}
out.peakRssMiB = Math.max(...sizes.map((s) => out[`peakRssMiB_${s}MiB`]))
console.log(JSON.stringify(out))
