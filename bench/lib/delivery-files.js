// A trail archive in the S3 layout (`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/…json.gz`)
// of `files` small delivery files, made from the Stratus Red Team records in test/fixtures (each
// re-stamped with its own id and time): what the archive, evidence and memory benchmarks read.
import {mkdirSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {gzipSync} from 'node:zlib'
import {ROOT} from './measure.js'

export const ARCHIVE_ACCOUNT = '111122223333'
const START = Date.parse('2026-11-10T00:00:00Z')

/** Writes the archive under `root`: `{bytes, since, until, files}` (`files`: paths relative to `root`). */
export function generateDeliveryFiles(root, files, {recordsPerFile = 8} = {}) {
  const fixtures = path.join(ROOT, 'test', 'fixtures', 'datadog_stratus-red-team_detonation-logs')
  const base = readdirSync(fixtures).filter((f) => f.endsWith('.json')).flatMap((f) => JSON.parse(readFileSync(path.join(fixtures, f), 'utf8')))
  const account = ARCHIVE_ACCOUNT
  const names = []
  let bytes = 0
  for (let i = 0; i < files; i++) {
    const region = i % 2 === 0 ? 'us-east-1' : 'eu-west-1'
    // Ten seconds apart, so 100,000 files still fit in a dozen days.
    const delivered = new Date(START + i * 10_000)
    const iso = delivered.toISOString()
    const rel = path.posix.join('AWSLogs', account, 'CloudTrail', region, iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10))
    mkdirSync(path.join(root, rel), {recursive: true})
    const records = Array.from({length: recordsPerFile}, (_, j) => ({...base[(i * recordsPerFile + j) % base.length], eventID: `bench-${i}-${j}`, eventTime: new Date(delivered.getTime() - 10_000 + j).toISOString(), awsRegion: region}))
    const body = gzipSync(Buffer.from(JSON.stringify({Records: records})))
    bytes += body.length
    const stamp = iso.replace(/[-:]/g, '').slice(0, 15)
    const name = path.posix.join(rel, `${account}_CloudTrail_${region}_${stamp}Z_${String(i).padStart(8, '0')}.json.gz`)
    writeFileSync(path.join(root, name), body)
    names.push(name)
  }
  return {bytes, since: new Date(START - 3_600_000).toISOString(), until: new Date(START + files * 10_000).toISOString(), files: names}
}
