// Every event of a case as CSV, as a responder hands a spreadsheet on: `coroner query --sql … --csv
// --limit 0 > file` (rows streamed from DuckDB, redacted, escaped for CSV and formulas as they are
// written) against DuckDB's own COPY of the same query to a CSV file (no redaction, no escaping),
// over the databases `coroner load` built, at two sizes. coroner's peak RSS must stay within 1.2×
// of DuckDB's own for the same rows: the rows are never held, so what grows is DuckDB's sort, which
// its memory limit bounds (and spills past).
import {rmSync, statSync} from 'node:fs'
import path from 'node:path'
import {loadedDb} from './lib/datasets.js'
import {CLI, EVENTS, SCALE, log, mustRun, report, workDir} from './lib/measure.js'

// Small: one size, as the peer's peak is the target's measure (the suite's 2 minutes are nearly spent).
const sizes = EVENTS?.slice(0, 2) ?? (SCALE === 'small' ? [100_000] : [200_000, 1_000_000])
const label = (n) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`)
// The timeline's columns, in its order: what a responder filters in a spreadsheet.
const SQL = 'SELECT event_time, event_source, event_name, principal_arn, source_ip, user_agent, error_code, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256 FROM cloudtrail_events ORDER BY event_time, event_id'
const bare = path.join(import.meta.dirname, 'lib', 'bare-copy-csv.js')
const quote = (s) => `'${s.replaceAll("'", "'\\''")}'`

const rows = []
const runs = []
for (const events of sizes) {
  const {db} = await loadedDb(events)
  const dir = workDir(`query-export-${events}`)
  const ours = path.join(dir, 'coroner.csv')
  const theirs = path.join(dir, 'duckdb.csv')
  // Through a shell, as a user redirects it: the rows never pass through this process.
  const c = await mustRun('sh', ['-c', `${quote(process.execPath)} ${quote(CLI)} query --db ${quote(db)} --sql ${quote(SQL)} --csv --limit 0 > ${quote(ours)}`])
  const d = await mustRun(process.execPath, [bare, db, SQL, theirs])
  const lines = Number((await mustRun('wc', ['-l', ours])).stdout.trim().split(/\s+/)[0])
  if (lines !== events + 1) throw new Error(`coroner wrote ${lines} lines for ${events} events`)
  if (Number(d.stdout.trim()) !== events) throw new Error(`DuckDB copied ${d.stdout.trim()} rows for ${events} events`)
  const run = {events, seconds: c.seconds, cpuSeconds: c.cpuSeconds, peakRssMiB: c.peakRssMiB, mib: statSync(ours).size / 2 ** 20, peerSeconds: d.seconds, peerPeakRssMiB: d.peakRssMiB}
  log(`query --csv of ${label(events)} events: ${c.seconds.toFixed(2)} s (cpu ${c.cpuSeconds.toFixed(1)}), peak RSS ${c.peakRssMiB.toFixed(0)} MiB, ${run.mib.toFixed(0)} MiB of CSV; DuckDB COPY ${d.seconds.toFixed(2)} s, peak RSS ${d.peakRssMiB.toFixed(0)} MiB`)
  runs.push(run)
  rows.push({workload: `query --csv, ${label(events)} events`, coroner: c.seconds, peer: d.seconds, peerName: 'DuckDB COPY TO csv', unit: 's', ratio: c.seconds / d.seconds, peakRssMiB: c.peakRssMiB})
  rmSync(dir, {recursive: true, force: true})
}
const large = runs.at(-1)
rows.push({
  workload: `query --csv peak RSS, ${label(large.events)} events`,
  coroner: large.peakRssMiB, peer: large.peerPeakRssMiB, peerName: 'DuckDB COPY TO csv', unit: 'MiB',
  ratio: large.peakRssMiB / large.peerPeakRssMiB, target: 1.2, peakRssMiB: large.peakRssMiB,
})
report('query-export', rows, {runs})
