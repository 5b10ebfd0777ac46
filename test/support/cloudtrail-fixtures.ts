import {readFileSync, readdirSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export const fixturesDir = path.resolve(fileURLToPath(import.meta.url), '../../fixtures')

/** Real CloudTrail records: the Stratus Red Team detonation logs and the AWS CLI's LookupEvents example. */
export function fixtureRecords(): Array<Record<string, unknown>> {
  const dir = path.join(fixturesDir, 'datadog_stratus-red-team_detonation-logs')
  const records: Array<Record<string, unknown>> = []
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    records.push(...(JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Array<Record<string, unknown>>))
  }
  const cli = JSON.parse(readFileSync(path.join(fixturesDir, 'aws_aws-cli_examples', 'cloudtrail_lookup-events_output.json'), 'utf8')) as {Events: Array<{CloudTrailEvent: string}>}
  for (const e of cli.Events) records.push(JSON.parse(e.CloudTrailEvent) as Record<string, unknown>)
  return records
}

/**
 * `count` records cycled from `base`, each with its own eventID and an eventTime spread evenly over
 * [start, end), in region `region`: realistic records at a volume the fixtures alone do not have.
 */
export function spreadRecords(base: Array<Record<string, unknown>>, count: number, start: Date, end: Date, region: string, tag = 'ev'): Array<Record<string, unknown>> {
  const span = end.getTime() - start.getTime()
  return Array.from({length: count}, (_, i) => {
    const r = structuredClone(base[i % base.length]!)
    r.eventID = `${tag}-${region}-${String(i).padStart(6, '0')}`
    r.eventTime = new Date(start.getTime() + Math.floor((span * i) / count / 1000) * 1000).toISOString().replace('.000Z', 'Z')
    r.awsRegion = region
    return r
  })
}
