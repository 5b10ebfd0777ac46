import {DuckDBInstance, LIST, VARCHAR, listValue} from '@duckdb/node-api'
import {generateCloudTrailCase} from './lib/generate-cloudtrail.js'
import {TABLES} from '../dist/analysis/sql/tables.js'
import {CLOUDTRAIL_READERS, insertCloudtrail, cloudtrailSource} from '../dist/analysis/sql/loaders.js'
const g = await generateCloudTrailCase({root: '/tmp/ddbt/gen/store' + Date.now(), events: 100000})
const inst = await DuckDBInstance.create('/tmp/ddbt/gen/x' + Date.now() + '.duckdb')
const c = await inst.connect()
await c.run("SET TimeZone='UTC'")
await c.run('CREATE TEMP TABLE _files (path VARCHAR, key VARCHAR, sha256 VARCHAR)')
for (const f of g.files) await c.run('INSERT INTO _files VALUES ($1, $2, $3)', [f, f, 'x'])
const p = {files: listValue(g.files)}, ty = {files: LIST(VARCHAR)}
const reader = CLOUDTRAIL_READERS['cloudtrail.delivery-file']('gzip')
const ins = insertCloudtrail(cloudtrailSource(reader))
const sel = ins.slice(ins.indexOf('SELECT'))
const plain = `CREATE TABLE cloudtrail_events (event_id VARCHAR, event_time TIMESTAMPTZ, event_name_raw VARCHAR, event_source VARCHAR, source_ip VARCHAR, principal_arn VARCHAR, error_code VARCHAR, raw JSON, artifact_key VARCHAR, artifact_sha256 VARCHAR, copies INTEGER)`
const variants = {
  bare: [`CREATE OR REPLACE TABLE bare AS SELECT unnest(Records) AS record FROM read_json($files, columns={Records: 'JSON[]'}, format='auto', compression='gzip', maximum_object_size=268435456)`],
  ctas: [`CREATE OR REPLACE TABLE ce2 AS ${sel}`],
  insertVirtual: [`DROP TABLE IF EXISTS cloudtrail_events`, TABLES.cloudtrail_events, ins],
  insertPlain: [`DROP TABLE IF EXISTS cloudtrail_events`, plain, ins],
}
const best = {}
for (let i = 0; i < 2; i++) for (const [k, sqls] of Object.entries(variants)) {
  const u = process.cpuUsage()
  for (const s of sqls) await c.run(s, s.includes('$files') ? p : undefined, s.includes('$files') ? ty : undefined)
  const d = process.cpuUsage(u); const cpu = (d.user + d.system) / 1e6
  best[k] = Math.min(best[k] ?? 1e9, cpu)
}
console.log(best)
