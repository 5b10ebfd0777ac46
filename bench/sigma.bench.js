// Runs the SigmaHQ CloudTrail rules that compile over generated cloudtrail_events tables of
// 200k and 1M events (realistic records from the Stratus Red Team detonations, each with its
// own event id, time and source address) and reports rule×event evaluations per second and
// peak resident memory.
import {mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {DuckDBInstance} from '@duckdb/node-api'
import {huntCase} from '../dist/analysis/sigma/hunt.js'
import {loadRules} from '../dist/analysis/sigma/load.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const fixtures = path.join(here, '..', 'test', 'fixtures')
const sizes = (process.env.SIGMA_BENCH_SIZES ?? '200000,1000000').split(',').map(Number)
// Query-per-rule is run for comparison on the smaller table only, to stay within two minutes.
const perRuleUpTo = Number(process.env.SIGMA_BENCH_PER_RULE_UP_TO ?? 200000)

let peak = 0
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss))
const timer = setInterval(sample, 20)

const dir = mkdtempSync(path.join(os.tmpdir(), 'coroner-sigma-bench-'))
const out = {bench: 'sigma'}
try {
  const templates = []
  const stratus = path.join(fixtures, 'stratus')
  for (const f of readdirSync(stratus).filter((n) => n.startsWith('aws.') && n.endsWith('.json')).sort()) {
    for (const r of JSON.parse(readFileSync(path.join(stratus, f), 'utf8'))) templates.push(JSON.stringify(r))
  }
  const templateFile = path.join(dir, 'templates.ndjson')
  writeFileSync(templateFile, templates.join('\n'))
  const rules = await loadRules([path.join(fixtures, 'sigma', 'rules')])
  out.rules = rules.compiled.length
  out.templates = templates.length

  for (const n of sizes) {
    const instance = await DuckDBInstance.create(path.join(dir, `case-${n}.duckdb`))
    const connection = await instance.connect()
    let started = process.hrtime.bigint()
    await connection.run(`CREATE TABLE tpl AS SELECT row_number() OVER () - 1 AS i, json AS raw FROM read_ndjson_objects(?)`, [templateFile])
    await connection.run(
      `CREATE TABLE cloudtrail_events AS
       SELECT 'ev-' || r.range AS event_id,
              TIMESTAMPTZ '2024-08-01 00:00:00+00' + to_seconds(r.range) AS event_time,
              json_extract_string(t.raw, '$.eventName') AS event_name,
              json_extract_string(t.raw, '$.eventSource') AS event_source,
              json_merge_patch(t.raw, json_object('eventID', 'ev-' || r.range,
                                                  'sourceIPAddress', (r.range % 223 + 1) || '.' || (r.range // 7 % 256) || '.' || (r.range // 11 % 256) || '.' || (r.range % 254 + 1))) AS raw,
              'cases/BENCH/runs/r1/cloudtrail/' || (r.range // 10000) || '.json.gz' AS artifact_key,
              sha256(CAST(r.range // 10000 AS VARCHAR)) AS artifact_sha256
       FROM range(?) r JOIN tpl t ON t.i = r.range % (SELECT count(*) FROM tpl)`,
      [n],
    )
    out[`generateSeconds_${n}`] = Number((Number(process.hrtime.bigint() - started) / 1e9).toFixed(2))
    // Warm the buffer pool so that both strategies read the table from memory.
    await connection.run('SELECT count(*) FROM cloudtrail_events WHERE length(CAST(raw AS VARCHAR)) > 0')
    const strategies = n <= perRuleUpTo ? ['one-scan', 'per-rule'] : ['one-scan']
    for (const strategy of strategies) {
      globalThis.gc?.()
      const cpu = process.cpuUsage()
      started = process.hrtime.bigint()
      const result = await huntCase(connection, rules, {strategy})
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      const used = process.cpuUsage(cpu)
      sample()
      const tag = `${strategy === 'one-scan' ? 'oneScan' : 'perRule'}_${n}`
      out[`huntSeconds_${tag}`] = Number(seconds.toFixed(2))
      out[`huntCpuSeconds_${tag}`] = Number(((used.user + used.system) / 1e6).toFixed(2))
      out[`ruleEventsPerSecond_${tag}`] = Math.round((n * rules.compiled.length) / seconds)
      out[`eventsPerSecond_${tag}`] = Math.round(n / seconds)
      out[`hits_${tag}`] = result.rules.reduce((s, r) => s + r.hits, 0)
      out[`ruleErrors_${tag}`] = result.rules.filter((r) => r.error !== undefined).length
      process.stderr.write(`sigma ${strategy}: ${n} events × ${rules.compiled.length} rules in ${seconds.toFixed(1)} s (cpu ${((used.user + used.system) / 1e6).toFixed(1)} s)\n`)
    }
    connection.closeSync()
    instance.closeSync()
  }
} finally {
  clearInterval(timer)
  sample()
  out.peakRssMiB = Math.round(peak / 1024 / 1024)
  rmSync(dir, {recursive: true, force: true})
}
console.log(JSON.stringify(out))
