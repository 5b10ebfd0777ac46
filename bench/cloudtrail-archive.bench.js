// Reads a generated CloudTrail archive (the S3 layout in a local folder) of 2,500, 5,000 and
// 10,000 delivery files into a case, each size in its own process: files/s, MB/s and peak RSS,
// which should stay flat as the archive grows.
import {spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {gzipSync} from 'node:zlib'

const MiB = 1024 * 1024
const SIZES = [2500, 5000, 10000]
const here = path.dirname(fileURLToPath(import.meta.url))
const self = fileURLToPath(import.meta.url)

if (process.argv[2] === '--files') await measure(Number(process.argv[3]))
else await main()

async function main() {
  const runs = []
  for (const files of SIZES) {
    const line = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--expose-gc', self, '--files', String(files)], {stdio: ['ignore', 'pipe', 'inherit']})
      let out = ''
      child.stdout.on('data', (d) => (out += d))
      child.on('close', (code) => (code === 0 ? resolve(out.trim().split('\n').pop()) : reject(new Error(`size ${files} exited ${code}`))))
    })
    runs.push(JSON.parse(line))
  }
  const out = {bench: 'cloudtrail-archive'}
  for (const r of runs) {
    out[`filesPerSec_${r.files}`] = r.filesPerSec
    out[`MBps_${r.files}`] = r.mbPerSec
    out[`peakRssMiB_${r.files}`] = r.peakRssMiB
  }
  out.filesPerSec = runs.at(-1).filesPerSec
  out.MBps = runs.at(-1).mbPerSec
  out.peakRssMiB = Math.max(...runs.map((r) => r.peakRssMiB))
  console.log(JSON.stringify(out))
}

function generateArchive(root, files) {
  const fixtures = path.join(here, '..', 'test', 'fixtures', 'datadog_stratus-red-team_detonation-logs')
  const base = readdirSync(fixtures).filter((f) => f.endsWith('.json')).flatMap((f) => JSON.parse(readFileSync(path.join(fixtures, f), 'utf8')))
  const account = '111122223333'
  const start = Date.parse('2026-11-10T00:00:00Z')
  let bytes = 0
  for (let i = 0; i < files; i++) {
    const region = i % 2 === 0 ? 'us-east-1' : 'eu-west-1'
    const delivered = new Date(start + i * 60_000)
    const iso = delivered.toISOString()
    const dir = path.join(root, 'AWSLogs', account, 'CloudTrail', region, iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10))
    mkdirSync(dir, {recursive: true})
    const records = Array.from({length: 8}, (_, j) => ({...base[(i * 8 + j) % base.length], eventID: `bench-${i}-${j}`, eventTime: new Date(delivered.getTime() - 60_000 + j).toISOString(), awsRegion: region}))
    const body = gzipSync(Buffer.from(JSON.stringify({Records: records})))
    bytes += body.length
    const stamp = iso.replace(/[-:]/g, '').slice(0, 13)
    writeFileSync(path.join(dir, `${account}_CloudTrail_${region}_${stamp}Z_${String(i).padStart(8, '0')}.json.gz`), body)
  }
  return {bytes, since: new Date(start - 3_600_000), until: new Date(start + files * 60_000)}
}

async function measure(files) {
  const {AwsClientFactory} = await import('../dist/aws/client-factory.js')
  const {collectCloudTrail} = await import('../dist/collectors/cloudtrail.js')
  const {fixedClock} = await import('../dist/core/clock.js')
  const {silentLogger} = await import('../dist/core/logger.js')
  const {quietProgress} = await import('../dist/core/progress.js')
  const {LocalDirectoryStore} = await import('../dist/evidence/local-store.js')
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coroner-bench-'))
  try {
    const root = path.join(dir, 'archive')
    const {bytes, since, until} = generateArchive(root, files)
    globalThis.gc?.()
    let peak = 0
    const sample = () => (peak = Math.max(peak, process.memoryUsage().rss))
    const timer = setInterval(sample, 20)
    sample()
    const ctx = {
      clock: fixedClock('2026-11-25T10:00:00Z', 1),
      logger: silentLogger,
      progress: quietProgress,
      signal: new AbortController().signal,
      aws: new AwsClientFactory({region: 'us-east-1'}),
      store: new LocalDirectoryStore(path.join(dir, 'store')),
      showSecrets: false,
    }
    const started = performance.now()
    const result = await collectCloudTrail(ctx, 'BENCH-ARCHIVE', {mode: 'archive', location: root, since, until})
    const seconds = (performance.now() - started) / 1000
    sample()
    clearInterval(timer)
    if (result.archive.stored !== files) throw new Error(`stored ${result.archive.stored} of ${files}`)
    const r = {files, seconds, filesPerSec: files / seconds, mbPerSec: bytes / MiB / seconds, records: result.archive.records, peakRssMiB: peak / MiB}
    console.error(`${files} files (${(bytes / MiB).toFixed(1)} MiB gzip, ${r.records} records) in ${seconds.toFixed(1)} s: ${r.filesPerSec.toFixed(0)} files/s, ${r.mbPerSec.toFixed(2)} MB/s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB`)
    console.log(JSON.stringify(r))
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
