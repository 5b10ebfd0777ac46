import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {DuckDBInstance, type DuckDBConnection} from '@duckdb/node-api'

/**
 * Builds the `cloudtrail_events` table the case loader produces (same column names and types)
 * straight from CloudTrail records, so Sigma tests do not depend on the loader.
 */
export async function cloudTrailTable(connection: DuckDBConnection, records: ReadonlyArray<Record<string, unknown> & {artifactKey?: string}>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'coroner-sigma-'))
  try {
    const file = path.join(dir, 'records.ndjson')
    await writeFile(file, records.map((r) => JSON.stringify({record: r, key: r.artifactKey ?? 'cases/T/runs/r1/cloudtrail/records.json.gz'})).join('\n'))
    await connection.run(
      `CREATE OR REPLACE TABLE cloudtrail_events AS
       SELECT json_extract_string(j, '$.record.eventID') AS event_id,
              CAST(json_extract_string(j, '$.record.eventTime') AS TIMESTAMPTZ) AS event_time,
              regexp_replace(json_extract_string(j, '$.record.eventName'), '20[0-9]{6}(v[0-9]+)?$', '') AS event_name,
              json_extract_string(j, '$.record.eventSource') AS event_source,
              json_extract(j, '$.record') AS raw,
              json_extract_string(j, '$.key') AS artifact_key,
              sha256(json_extract_string(j, '$.key')) AS artifact_sha256
       FROM (SELECT json AS j FROM read_ndjson_objects(?))`,
      [file],
    )
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

/** An in-memory DuckDB with the table filled from the records. */
export async function memoryCase(records: ReadonlyArray<Record<string, unknown>>): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  await cloudTrailTable(connection, records)
  return connection
}
