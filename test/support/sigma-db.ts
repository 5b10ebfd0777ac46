import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {DuckDBInstance, LIST, VARCHAR, listValue, type DuckDBConnection} from '@duckdb/node-api'
import {CLOUDTRAIL_READERS, cloudtrailSource, insertCloudtrail} from '../../src/analysis/sql/cloudtrail.js'
import {CASE_DB_LAYOUT} from '../../src/analysis/load-record.js'
import {MACROS, OBJECT_SIZE} from '../../src/analysis/sql/loaders.js'
import {TABLES, VIEWS} from '../../src/analysis/sql/tables.js'

/**
 * Builds the tables the case loader builds (cloudtrail_records with its typed columns, artifacts,
 * the cloudtrail_events view) with the loader's own SQL, straight from CloudTrail records: each
 * record is read from a file named by its `artifactKey`, so Sigma tests need no evidence store.
 */
export async function cloudTrailTable(connection: DuckDBConnection, records: ReadonlyArray<Record<string, unknown> & {artifactKey?: string}>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'coroner-sigma-'))
  try {
    const byKey = new Map<string, string[]>()
    for (const {artifactKey, ...r} of records) {
      const key = artifactKey ?? 'cases/T/runs/r1/cloudtrail/records.json.gz'
      byKey.set(key, [...(byKey.get(key) ?? []), JSON.stringify(r)])
    }
    const files: string[] = []
    for (const [key, lines] of [...byKey].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const file = path.join(dir, ...key.split('/'))
      await mkdir(path.dirname(file), {recursive: true})
      await writeFile(file, lines.join('\n'))
      files.push(file)
    }
    for (const sql of [TABLES.artifacts!, TABLES.cloudtrail_records!, ...MACROS]) await connection.run(sql)
    const reader = CLOUDTRAIL_READERS['cloudtrail.records']!('uncompressed').replaceAll(OBJECT_SIZE, String(64 * 1024 * 1024))
    await connection.run(insertCloudtrail(cloudtrailSource(reader, [...dir].length), false), {files: listValue(files)}, {files: LIST(VARCHAR)})
    await connection.run('INSERT INTO artifacts (key, sha256) SELECT DISTINCT artifact_key, sha256(artifact_key) FROM cloudtrail_records')
    await connection.run(VIEWS.cloudtrail_events!)
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

/** An in-memory DuckDB with the tables filled from the records. */
export async function memoryCase(records: ReadonlyArray<Record<string, unknown>>): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  await cloudTrailTable(connection, records)
  return connection
}

/**
 * Records a hand-built database as `coroner load` would have built it from `store` (a case with no
 * runs): the case_load row the analysis commands check a database against before they use it.
 */
export async function recordAsLoaded(connection: DuckDBConnection, caseId: string, store: string): Promise<void> {
  await connection.run(`CREATE TABLE case_load AS SELECT $case AS case_id, $store AS store, 'local' AS store_kind, now() AS loaded_at,
    'coroner test' AS tool, true AS verified, false AS accepted_damage, NULL::VARCHAR AS head, NULL::VARCHAR AS expected_head,
    NULL::VARCHAR AS public_key_sha256, '[]'::JSON AS runs, '[]'::JSON AS problems, '[]'::JSON AS warnings, ${CASE_DB_LAYOUT} AS layout`, {case: caseId, store: `file://${path.resolve(store)}`})
}
