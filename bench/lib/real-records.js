// The real CloudTrail records the generator starts from, read from the test fixtures (each folder
// keeps its licence and source): the Stratus Red Team detonation logs, the records of Panther's
// CloudTrail rule tests, the AWS CLI's documented LookupEvents output and the AWS CloudTrail
// Processing Library's serializer fixtures (odd identity types, new fields at random places).
import {readFileSync, readdirSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures')

const readJson = (...parts) => JSON.parse(readFileSync(path.join(FIXTURES, ...parts), 'utf8'))

/**
 * Every real record, as `{record, origin, alerting}`: `alerting` is true for records a rule is
 * meant to fire on (Panther's `expect: true` tests), which a real account sees rarely.
 */
export function realRecords() {
  const out = []
  const stratus = path.join(FIXTURES, 'stratus')
  for (const f of readdirSync(stratus).filter((n) => n.startsWith('aws.') && n.endsWith('.json')).sort()) {
    for (const record of readJson('stratus', f)) out.push({record, origin: `stratus/${f}`, alerting: false})
  }
  for (const t of readJson('panther-labs_panther-analysis', 'aws_cloudtrail_rule_tests_extracted.json')) {
    if (t.log && typeof t.log === 'object' && !Array.isArray(t.log)) out.push({record: t.log, origin: `panther/${t.rule}`, alerting: t.expect === true})
  }
  for (const e of readJson('aws_aws-cli_examples', 'cloudtrail_lookup-events_output.json').Events) {
    out.push({record: JSON.parse(e.CloudTrailEvent), origin: 'aws-cli/lookup-events', alerting: false})
  }
  for (const record of readJson('aws_cloudtrail-processing-library_fixtures', 'SerializerTestFile.json').Records) {
    out.push({record, origin: 'processing-library/SerializerTestFile', alerting: false})
  }
  return out
}

/** The shape of a JSON value: its keys and the types of its values, recursively. */
export function shapeOf(value) {
  if (value === null) return 'null'
  if (Array.isArray(value)) return `[${[...new Set(value.map(shapeOf))].sort().join('|')}]`
  if (typeof value === 'object') return `{${Object.keys(value).sort().map((k) => `${k}:${shapeOf(value[k])}`).join(',')}}`
  return typeof value
}
