// Uploads generated artifacts larger than 64 MiB through the S3 evidence store (multipart, Object
// Lock headers, SHA-256 checksums) to a moto_server started here, and reports throughput and the
// peak RSS, heap and Buffer memory of this process for each size: memory should stay flat as the
// artifact grows. Memory is sampled every 20 ms; with BENCH_LIVE=1 (and --expose-gc) each sample
// first collects garbage, so the Buffer figure is what is still referenced (slower).
import {createHash, randomBytes} from 'node:crypto'
import {Readable} from 'node:stream'
import {CreateBucketCommand, PutObjectLockConfigurationCommand, S3Client} from '@aws-sdk/client-s3'
import {S3EvidenceStore} from '../dist/evidence/stores/s3/store.js'
import {startMoto} from './lib/moto.js'

const MiB = 1024 * 1024
const SIZES_MIB = (process.env.BENCH_SIZES_MIB ?? (process.env.BENCH_SCALE === 'small' ? "32,96" : "96,192,384,768")).split(",").map(Number)
const PART_MIB = 8
const QUEUE = 4
const LIVE = process.env.BENCH_LIVE === '1' && typeof globalThis.gc === 'function'

/** A stream of `size` bytes in 1 MiB chunks, each distinct, hashed as it is generated. */
function generated(size, hash) {
  const base = randomBytes(MiB)
  async function* chunks() {
    for (let sent = 0, n = 0; sent < size; n++) {
      const len = Math.min(MiB, size - sent)
      const chunk = Buffer.from(base.subarray(0, len))
      chunk.writeUInt32BE(n, 0)
      hash.update(chunk)
      sent += len
      yield chunk
    }
  }
  return Readable.from(chunks())
}

const moto = await startMoto()
const {endpoint} = moto
const client = new S3Client({endpoint, forcePathStyle: true, region: 'us-east-1', credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}, maxAttempts: 1})
try {
  await client.send(new CreateBucketCommand({Bucket: 'bench-evidence', ObjectLockEnabledForBucket: true}))
  await client.send(new PutObjectLockConfigurationCommand({Bucket: 'bench-evidence', ObjectLockConfiguration: {ObjectLockEnabled: 'Enabled', Rule: {DefaultRetention: {Mode: 'GOVERNANCE', Days: 1}}}}))
  const store = new S3EvidenceStore({client, bucket: 'bench-evidence', prefix: 'bench/', partSize: PART_MIB * MiB, queueSize: QUEUE})
  // One unreported upload first, so the allocator's warm-up is not mistaken for growth.
  await store.put('cases/BENCH/runs/r/warm-up.bin', generated(4 * PART_MIB * MiB, createHash('sha256')))
  const results = []
  let overallPeak = 0
  for (const [i, sizeMiB] of SIZES_MIB.entries()) {
    globalThis.gc?.()
    let peak = process.memoryUsage().rss
    let peakBuffers = 0
    let peakHeap = 0
    const sampler = setInterval(() => {
      if (LIVE) globalThis.gc()
      const m = process.memoryUsage()
      peak = Math.max(peak, m.rss)
      peakBuffers = Math.max(peakBuffers, m.arrayBuffers)
      peakHeap = Math.max(peakHeap, m.heapUsed)
    }, 20)
    const hash = createHash('sha256')
    const started = process.hrtime.bigint()
    const stored = await store.put(`cases/BENCH/runs/r/artifact-${i}-${sizeMiB}.bin`, generated(sizeMiB * MiB, hash))
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    clearInterval(sampler)
    peak = Math.max(peak, process.memoryUsage().rss)
    overallPeak = Math.max(overallPeak, peak)
    const expected = hash.digest('hex')
    if (stored.sha256 !== expected || stored.size !== sizeMiB * MiB) throw new Error(`hash or size mismatch for ${sizeMiB} MiB`)
    const r = {sizeMiB, seconds: +seconds.toFixed(2), mbPerSec: +(sizeMiB / seconds).toFixed(1), peakRssMiB: +(peak / MiB).toFixed(1), peakBuffersMiB: +(peakBuffers / MiB).toFixed(1), peakHeapUsedMiB: +(peakHeap / MiB).toFixed(1)}
    results.push(r)
    process.stderr.write(`${sizeMiB} MiB: ${r.seconds} s, ${r.mbPerSec} MiB/s, peak RSS ${r.peakRssMiB} MiB, peak ${LIVE ? 'live ' : ''}buffers ${r.peakBuffersMiB} MiB, peak heap ${r.peakHeapUsedMiB} MiB\n`)
  }
  const small = results[0]
  const large = results[results.length - 1]
  process.stdout.write(`${JSON.stringify({
    bench: 's3-multipart',
    partSizeMiB: PART_MIB,
    queueSize: QUEUE,
    ...(LIVE ? {live: true} : {}),
    sizes: results,
    mbPerSec: large.mbPerSec,
    rssGrowthMiB: +(large.peakRssMiB - small.peakRssMiB).toFixed(1),
    peakRssMiB: +(overallPeak / MiB).toFixed(1),
  })}\n`)
} finally {
  client.destroy()
  await moto.stop()
}
