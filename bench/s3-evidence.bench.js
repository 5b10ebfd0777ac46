// Collection and evidence over S3, each against the AWS CLI on the same moto_server bucket in the
// same run: a trail archive of delivery files collected from S3 (`collect cloudtrail --archive
// s3://…`, which also checks, hashes and records each file) against `aws s3 sync` of the same
// prefix into a folder; and a case of as many artifacts in an S3 evidence store (Object Lock)
// verified and pulled (`evidence verify`, `evidence pull`, reading every byte) against `aws s3
// sync` of the case prefix. The archive is generated and put once per run (in parallel); the
// case is made by `collect cloudtrail --archive DIR --store s3://…`, timed as a detail.
import {mkdirSync, rmSync} from 'node:fs'
import path from 'node:path'
import {ARCHIVE_ACCOUNT, generateDeliveryFiles} from './lib/delivery-files.js'
import {coroner, log, mustRun, report, SCALE, workDir} from './lib/measure.js'
import {createBucket, motoEnv, motoS3, startMoto, uploadFiles} from './lib/moto.js'

// 5,000 at full scale keeps the suite within 15 minutes (moto serves about 280 requests a second
// here, and the benchmark makes about six per file); BENCH_S3_FILES=10000 for the larger case.
const FILES = process.env.BENCH_S3_FILES !== undefined ? Number(process.env.BENCH_S3_FILES) : SCALE === 'small' ? 250 : 5_000
const CASE = 'INC-S3BENCH'

const moto = await startMoto()
const env = motoEnv(moto.endpoint)
const client = motoS3(moto.endpoint)
const work = workDir(`s3-evidence-${FILES}`)
const fresh = (name) => {
  const dir = path.join(work, name)
  rmSync(dir, {recursive: true, force: true})
  mkdirSync(path.dirname(dir), {recursive: true})
  return dir
}
const aws = (args) => mustRun('aws', ['--endpoint-url', moto.endpoint, ...args, '--only-show-errors'], {env})
const rows = []
const details = {files: FILES}
try {
  const archiveDir = fresh('archive')
  const archive = generateDeliveryFiles(archiveDir, FILES)
  await createBucket(client, 'bench-trail')
  await createBucket(client, 'bench-evidence', {locked: true})
  let started = performance.now()
  await uploadFiles(client, 'bench-trail', '', archiveDir, archive.files, 32)
  details.seedSeconds = (performance.now() - started) / 1000
  log(`put ${FILES} delivery files (${(archive.bytes / 2 ** 20).toFixed(1)} MiB) in ${details.seedSeconds.toFixed(1)} s`)

  // (a) The trail archive, read from S3 into a local case, against aws s3 sync of the same prefix.
  const window = ['--since', archive.since, '--until', archive.until]
  const sync = await aws(['s3', 'sync', `s3://bench-trail/AWSLogs/${ARCHIVE_ACCOUNT}/`, fresh('synced-archive')])
  const collect = await coroner(['collect', 'cloudtrail', '--archive', 's3://bench-trail', ...window, '--case', CASE, '--store', fresh('archive-store'), '--endpoint-url', moto.endpoint, '--json'], {env, ok: [0, 6]})
  const stored = JSON.parse(collect.stdout).result?.archive?.stored
  if (stored !== FILES) throw new Error(`collect stored ${stored} of ${FILES} files`)
  rows.push({
    workload: `collect cloudtrail --archive s3:// (${FILES.toLocaleString('en-US')} files)`,
    coroner: collect.seconds, peer: sync.seconds, peerName: 'aws s3 sync', unit: 's',
    ratio: sync.seconds / collect.seconds, target: 2, better: 'higher', peakRssMiB: collect.peakRssMiB,
  })
  details.archive = {coroner: collect, awsS3Sync: sync}

  // (b) A case of FILES artifacts in the S3 evidence store: verify and pull against aws s3 sync of the case prefix.
  started = performance.now()
  const made = await coroner(['collect', 'cloudtrail', '--archive', archiveDir, ...window, '--case', CASE, '--store', 's3://bench-evidence', '--endpoint-url', moto.endpoint, '--json'], {env, ok: [0, 6]})
  details.caseSeconds = (performance.now() - started) / 1000
  log(`made case ${CASE} of ${FILES} artifacts in the S3 store in ${made.seconds.toFixed(1)} s (peak RSS ${made.peakRssMiB.toFixed(0)} MiB)`)
  const s3store = ['--store', 's3://bench-evidence', '--endpoint-url', moto.endpoint, '--json']
  const caseSync = await aws(['s3', 'sync', `s3://bench-evidence/cases/${CASE}/`, fresh('synced-case')])
  const verify = await coroner(['evidence', 'verify', '--case', CASE, ...s3store], {env})
  if (JSON.parse(verify.stdout).result?.ok !== true) throw new Error(`verify of the untouched case failed:\n${verify.stdout.slice(0, 2000)}`)
  const pull = await coroner(['evidence', 'pull', '--case', CASE, '--to', fresh('pulled'), ...s3store], {env})
  if (JSON.parse(pull.stdout).result?.ok !== true) throw new Error(`pull of the untouched case failed:\n${pull.stdout.slice(0, 2000)}`)
  for (const [what, r] of [['verify', verify], ['pull', pull]]) {
    rows.push({
      workload: `evidence ${what}, S3 case of ${FILES.toLocaleString('en-US')} artifacts`,
      coroner: r.seconds, peer: caseSync.seconds, peerName: 'aws s3 sync', unit: 's',
      ratio: r.seconds / caseSync.seconds, target: 1, peakRssMiB: r.peakRssMiB,
    })
  }
  details.case = {make: made, awsS3Sync: caseSync, verify, pull}
  for (const d of [details.archive.coroner, details.archive.awsS3Sync, made, caseSync, verify, pull]) delete d.stdout, delete d.stderr
} finally {
  client.destroy()
  await moto.stop()
}
report('s3-evidence', rows, details)
