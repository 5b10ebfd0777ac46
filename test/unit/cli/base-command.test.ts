import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {coroner, type Envelope} from '../../support/cli.js'
import {deliveryFile, gz, stratusRecords, writeCase} from '../../support/evidence-case.js'
import {tempDir} from '../../support/temp.js'

describe('warnings logged while a command runs', () => {
  it('reach the --json envelope\'s warnings, and stderr without --json', async () => {
    const dir = await tempDir()
    const store = path.join(dir, 'store')
    const stop = stratusRecords('aws.defense-evasion.cloudtrail-stop')
    await writeCase(store, 'INC-WARN', [
      deliveryFile(stratusRecords('aws.persistence.lambda-backdoor-function'), 'backdoor.json.gz'),
      {segments: ['cloudtrail', 'us-east-1', 'records', 'stop.ndjson.gz'], kind: 'cloudtrail.records', body: gz(`${JSON.stringify(stop[0])}\n{broken\n`), contentType: 'application/x-ndjson+gzip'},
    ])
    // No database yet: query builds it first, and that load warns of the line it could not read.
    const sql = 'SELECT count(*) AS n, max(artifact_key) AS evidence_key, max(artifact_sha256) AS evidence_sha256 FROM cloudtrail_events'
    const out = await coroner(['query', '--sql', sql, '--case', 'INC-WARN', '--store', store, '--db', path.join(dir, 'a.duckdb'), '--json'])
    expect(out.error, out.stdout).toBeUndefined()
    const env = JSON.parse(out.stdout) as Envelope<unknown>
    expect(env.warnings).toEqual(expect.arrayContaining([expect.stringContaining('1 malformed CloudTrail line(s)')]))
    expect(out.stderr).not.toContain('malformed')

    const human = await coroner(['query', '--sql', sql, '--case', 'INC-WARN', '--store', store, '--db', path.join(dir, 'b.duckdb')])
    expect(human.stderr).toContain('Warning: 1 malformed CloudTrail line(s)')
  })
})
