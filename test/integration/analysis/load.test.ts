import {chmod, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {AnalysisDb} from '../../../src/analysis/db.js'
import {loadCase} from '../../../src/analysis/load.js'
import {tempDir} from '../../support/temp.js'
import {deliveryFile, gz, jsonArtifact, lookupFile, recordsFile, stratusRecords, writeCase, type ArtifactSpec} from '../../support/evidence-case.js'

async function tableRows(dbPath: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const db = await AnalysisDb.open(dbPath, {readOnly: true})
  try {
    return (await db.all(sql)).rows
  } finally {
    db.close()
  }
}

describe('coroner load', () => {
  it('loads every CloudTrail kind with typed columns next to the raw record', async () => {
    const dir = await tempDir()
    const secrets = stratusRecords('aws.credential-access.secretsmanager-retrieve-secrets')
    const lambda = stratusRecords('aws.persistence.lambda-overwrite-code')
    const stop = stratusRecords('aws.defense-evasion.cloudtrail-stop')
    const {store} = await writeCase(path.join(dir, 'store'), 'INC-1', [deliveryFile(secrets), recordsFile(lambda), lookupFile(stop)])
    const dbPath = path.join(dir, 'db', 'case.duckdb')
    const result = await loadCase(store, 'INC-1', {dbPath})
    expect(result.tables.cloudtrail_events).toBe(secrets.length + lambda.length + stop.length)
    expect(result.artifacts.refused).toEqual([])
    const rows = await tableRows(dbPath, "SELECT * FROM cloudtrail_events WHERE event_source = 'lambda.amazonaws.com' OR event_name = 'StopLogging' ORDER BY event_time")
    expect(rows.map((r) => [r.event_name, r.event_name_raw])).toEqual([
      ['StopLogging', 'StopLogging'],
      ['UpdateFunctionCode', 'UpdateFunctionCode20150331v2'],
    ])
    const code = rows[1]!
    expect(code).toMatchObject({
      event_id: '4672b74f-2466-4784-b3fb-5b4db904a995',
      event_time: '2024-08-01T13:52:02.000Z',
      account_id: '266106314375',
      source_ip: '253.8.50.132',
      principal_arn: 'arn:aws:iam::266106314375:user/christophe',
      principal_type: 'IAMUser',
      access_key_id: 'AKIAKHYV6FI4F4CJQMDV',
      read_only: false,
      management_event: true,
      copies: 1,
    })
    expect(JSON.parse(code.raw as string)).toEqual(lambda[0])
    expect(JSON.parse(code.request_parameters as string).publish).toBe(true)
    expect(code.artifact_key).toMatch(/records\.ndjson\.gz$/)
    expect(JSON.parse(rows[0]!.raw as string)).toEqual(stop[0])
  })
})
