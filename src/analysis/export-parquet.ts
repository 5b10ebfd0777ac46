import {mkdir, readdir, rm, stat, writeFile} from 'node:fs/promises'
import path from 'node:path'
import type {Progress} from '../core/progress.js'
import {usageError} from '../core/errors.js'
import {CODE_TABLES} from './code/tables.js'
import {AnalysisDb, sqlString} from './db.js'
import {caseSecrets, redactSqlText, type CaseSecret} from './secrets.js'
import {SNAPSHOT_TABLES} from './sql/tables.js'

/**
 * The date each table is partitioned by: its event time, or for inventory tables the time the
 * evidence was collected (`a`, the artifact its `artifact_key` names). The checks of the findings
 * and the load record carry no evidence of their own: the date of the load.
 */
const PARTITION_TIME: Record<string, string> = {
  cloudtrail_events: 't.event_time',
  log_events: 't.time',
  custody: 't."at"',
  artifacts: 't.collected_at',
  guardduty_findings: 'coalesce(t.created_at, a.collected_at)',
  snapshot_changes: 't."time"',
  findings: 'coalesce(t.time, a.collected_at)',
  finding_checks: '(SELECT max(loaded_at) FROM case_load)',
  containment_actions: 'coalesce(t."at", a.collected_at)',
  readiness_checks: 'coalesce(t.checked_at, a.collected_at)',
  case_load: 't.loaded_at',
}

/** The column naming a table's artifact, where it is not `artifact_key`. */
const ARTIFACT_COLUMN: Record<string, string> = {findings: 'evidence_key'}

/**
 * What is exported: every table, with cloudtrail_events (a view) in place of its storage table,
 * and the views of the latest snapshots beside their histories. Left out: the storage table itself,
 * and `case_facts`, the report's summary of the events (rebuilt by `coroner findings`).
 */
const EXPORTED = [
  'cloudtrail_events', 'cloudtrail_event_copies', 'log_events', 'lambda_functions', 'lambda_aliases', 'lambda_policies',
  'lambda_url_configs', 'lambda_event_source_mappings', 'lambda_layers', 'iam_policies', 'guardduty_findings', 'artifacts', 'custody',
  // Every snapshot, where the tables above hold the latest of each resource.
  ...SNAPSHOT_TABLES.map((t) => `${t}_history`), 'snapshots', 'snapshot_changes',
  'findings', 'finding_checks', 'containment_actions', 'readiness_checks', ...Object.keys(CODE_TABLES), 'case_load',
]

/** Why a table the export names may be missing from a case database. */
const LATER: Record<string, string> = {
  findings: 'no findings computed yet: run `coroner findings` first',
  finding_checks: 'no findings computed yet: run `coroner findings` first',
}

export interface ExportResult {
  dir: string
  tables: Array<{table: string; rows: number; files: number; location: string}>
  /** Tables the export names that the case database lacks, with why: nothing was written for them. */
  notExported: Array<{table: string; reason: string}>
  ddl: string
  /**
   * What the export did with the case's secrets (Lambda environment values): `redacted` (each
   * value replaced by `[redacted:NAME]` in every text column) or `shown` (--show-secrets).
   */
  secrets: {treatment: 'redacted' | 'shown'; values: number}
}

const SCALAR_TYPES: Record<string, string> = {
  VARCHAR: 'string',
  JSON: 'string',
  BIGINT: 'bigint',
  INTEGER: 'int',
  DOUBLE: 'double',
  BOOLEAN: 'boolean',
  'TIMESTAMP WITH TIME ZONE': 'timestamp',
  TIMESTAMP: 'timestamp',
}

/** A DuckDB column type as Athena and Trino's Hive connector name it: lists as arrays, JSON and anything else as text. */
const athenaType = (type: string): string => (type.endsWith('[]') ? `array<${athenaType(type.slice(0, -2))}>` : (SCALAR_TYPES[type] ?? 'string'))

/**
 * Writes every table of a case database as Parquet under `dir/<table>/year=…/month=…/day=…/`,
 * JSON columns as text, and `dir/ddl.sql` with a matching CREATE EXTERNAL TABLE for Athena or
 * Trino (Hive connector). The target must be empty or new, so exports never mix.
 */
export async function exportParquet(dbPath: string, dir: string, options: {showSecrets: boolean; progress?: Progress; signal?: AbortSignal}): Promise<ExportResult> {
  const target = path.resolve(dir)
  const existing = await stat(target).catch(() => undefined)
  if (existing !== undefined && !existing.isDirectory()) throw usageError('export-not-a-directory', `The export target ${target} exists and is not a directory.`, 'Choose a new or empty directory with --to.')
  await mkdir(target, {recursive: true})
  if ((await readdir(target)).length > 0) throw usageError('export-not-empty', `The export directory ${target} is not empty.`, 'Choose a new or empty directory with --to.')
  const db = await AnalysisDb.open(dbPath, {readOnly: true, allowedDirectories: [target], queryProgress: true, ...(options.signal === undefined ? {} : {signal: options.signal})})
  const task = options.progress?.task(`exporting to ${target}`)
  // The target was empty: what is written into it is this export's, and a failed export takes it away again.
  const written: string[] = []
  try {
    const secrets: CaseSecret[] = options.showSecrets ? [] : await caseSecrets(db)
    const result: ExportResult = {dir: target, tables: [], notExported: [], ddl: path.join(target, 'ddl.sql'), secrets: {treatment: options.showSecrets ? 'shown' : 'redacted', values: secrets.length}}
    const held = new Set((await db.all("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")).rows.map((r) => String(r.table_name)))
    const tables: Array<{table: string; count: number}> = []
    for (const table of EXPORTED) {
      if (!held.has(table)) result.notExported.push({table, reason: LATER[table] ?? 'not in this case database (built by an older coroner: `--reload` rebuilds it)'})
      else tables.push({table, count: Number((await db.all(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n ?? 0)})
    }
    task?.setTotal(tables.reduce((n, t) => n + t.count, 0))
    const ddl: string[] = [
      '-- External tables over a coroner case export (Parquet, partitioned by year/month/day).',
      '-- Copy the export to S3, replace s3://BUCKET/PREFIX with its location, run these statements,',
      '-- then MSCK REPAIR TABLE <name> (Athena) or CALL system.sync_partition_metadata (Trino) to find the partitions.',
      '',
    ]
    for (const {table, count} of tables) {
      const cols = (await db.all(`SELECT column_name, column_type FROM (DESCRIBE ${table})`)).rows.map((r) => ({name: String(r.column_name), type: String(r.column_type)}))
      const select = cols.map((c) => `${columnText(c, secrets)} AS "${c.name}"`).join(', ')
      const when = PARTITION_TIME[table] ?? 'a.collected_at'
      const join = when.includes('a.') ? `LEFT JOIN artifacts a ON a.key = t.${ARTIFACT_COLUMN[table] ?? 'artifact_key'}` : ''
      const out = path.join(target, table)
      if (count > 0) {
        written.push(out)
        // DuckDB counts the rows its scans read: at most the table's, told as they go.
        let told = 0
        const tell = (rows: number): void => {
          const now = Math.min(rows, count)
          if (now <= told) return
          task?.advance(now - told)
          told = now
        }
        await db.runTracked(
          `COPY (
            SELECT ${select}, year(${when}) AS year, month(${when}) AS month, day(${when}) AS day
            FROM ${table} t ${join}
          ) TO ${sqlString(out)} (FORMAT parquet, PARTITION_BY (year, month, day), COMPRESSION zstd, FILENAME_PATTERN 'part-{i}')`,
          tell,
        )
        tell(count)
      }
      const files = count > 0 ? await countFiles(out) : 0
      result.tables.push({table, rows: count, files, location: out})
      const columns = cols.map((c) => `  \`${c.name}\` ${athenaType(c.type)}`).join(',\n')
      ddl.push(
        `CREATE EXTERNAL TABLE IF NOT EXISTS \`${table}\` (\n${columns}\n)\nPARTITIONED BY (\`year\` int, \`month\` int, \`day\` int)\nSTORED AS PARQUET\nLOCATION 's3://BUCKET/PREFIX/${table}/';\n`,
      )
    }
    await writeFile(result.ddl, ddl.join('\n'))
    return result
  } catch (error) {
    // Half an export would pass for a whole one, and an export directory that is not empty is refused.
    for (const out of [...written, path.join(target, 'ddl.sql')]) await rm(out, {recursive: true, force: true})
    throw error
  } finally {
    task?.done()
    db.close()
  }
}

/** A column as exported: JSON as text, and text (a list's too) with every known secret replaced. */
function columnText(c: {name: string; type: string}, secrets: readonly CaseSecret[]): string {
  const column = `t."${c.name}"`
  if (c.type === 'VARCHAR[]') return secrets.length === 0 ? column : `list_transform(${column}, lambda v: ${redactSqlText('v', secrets)})`
  if (c.type !== 'JSON' && c.type !== 'VARCHAR') return column
  const text = c.type === 'JSON' ? `CAST(${column} AS VARCHAR)` : column
  return secrets.length === 0 ? text : redactSqlText(text, secrets)
}

async function countFiles(dir: string): Promise<number> {
  let n = 0
  for (const entry of await readdir(dir, {withFileTypes: true, recursive: true})) if (entry.isFile() && entry.name.endsWith('.parquet')) n++
  return n
}
