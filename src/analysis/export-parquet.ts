import {mkdir, readdir, stat, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {usageError} from '../core/errors.js'
import {AnalysisDb, sqlString} from './db.js'
import {caseSecrets, redactSqlText, type CaseSecret} from './secrets.js'
import {SNAPSHOT_TABLES} from './sql/tables.js'

/** The date each table is partitioned by: its event time, or for inventory tables the time the evidence was collected. */
const PARTITION_TIME: Record<string, string> = {
  cloudtrail_events: 't.event_time',
  log_events: 't.time',
  custody: 't."at"',
  artifacts: 't.collected_at',
  guardduty_findings: 'coalesce(t.created_at, a.collected_at)',
  snapshot_changes: 't."time"',
}

/** What is exported: every table, with cloudtrail_events (a view) in place of its storage table. */
const EXPORTED = [
  'cloudtrail_events', 'cloudtrail_event_copies', 'log_events', 'lambda_functions', 'lambda_aliases', 'lambda_policies',
  'lambda_url_configs', 'lambda_event_source_mappings', 'lambda_layers', 'iam_policies', 'guardduty_findings', 'artifacts', 'custody',
  // Every snapshot, where the tables above hold the latest of each resource.
  ...SNAPSHOT_TABLES.map((t) => `${t}_history`), 'snapshots', 'snapshot_changes',
]

export interface ExportResult {
  dir: string
  tables: Array<{table: string; rows: number; files: number; location: string}>
  ddl: string
  /**
   * What the export did with the case's secrets (Lambda environment values): `redacted` (each
   * value replaced by `[redacted:NAME]` in every text column) or `shown` (--show-secrets).
   */
  secrets: {treatment: 'redacted' | 'shown'; values: number}
}

const ATHENA_TYPES: Record<string, string> = {
  VARCHAR: 'string',
  JSON: 'string',
  BIGINT: 'bigint',
  INTEGER: 'int',
  DOUBLE: 'double',
  BOOLEAN: 'boolean',
  'TIMESTAMP WITH TIME ZONE': 'timestamp',
  TIMESTAMP: 'timestamp',
}

/**
 * Writes every table of a case database as Parquet under `dir/<table>/year=…/month=…/day=…/`,
 * JSON columns as text, and `dir/ddl.sql` with a matching CREATE EXTERNAL TABLE for Athena or
 * Trino (Hive connector). The target must be empty or new, so exports never mix.
 */
export async function exportParquet(dbPath: string, dir: string, options: {showSecrets: boolean}): Promise<ExportResult> {
  const target = path.resolve(dir)
  const existing = await stat(target).catch(() => undefined)
  if (existing !== undefined && !existing.isDirectory()) throw usageError('export-not-a-directory', `The export target ${target} exists and is not a directory.`, 'Choose a new or empty directory with --to.')
  await mkdir(target, {recursive: true})
  if ((await readdir(target)).length > 0) throw usageError('export-not-empty', `The export directory ${target} is not empty.`, 'Choose a new or empty directory with --to.')
  const db = await AnalysisDb.open(dbPath, {readOnly: true, allowedDirectories: [target]})
  try {
    const secrets: CaseSecret[] = options.showSecrets ? [] : await caseSecrets(db)
    const result: ExportResult = {dir: target, tables: [], ddl: path.join(target, 'ddl.sql'), secrets: {treatment: options.showSecrets ? 'shown' : 'redacted', values: secrets.length}}
    const ddl: string[] = [
      '-- External tables over a coroner case export (Parquet, partitioned by year/month/day).',
      '-- Copy the export to S3, replace s3://BUCKET/PREFIX with its location, run these statements,',
      '-- then MSCK REPAIR TABLE <name> (Athena) or CALL system.sync_partition_metadata (Trino) to find the partitions.',
      '',
    ]
    for (const table of EXPORTED) {
      const cols = (await db.all(`SELECT column_name, column_type FROM (DESCRIBE ${table})`)).rows.map((r) => ({name: String(r.column_name), type: String(r.column_type)}))
      const select = cols.map((c) => `${columnText(c, secrets)} AS "${c.name}"`).join(', ')
      const when = PARTITION_TIME[table] ?? 'a.collected_at'
      const join = when.includes('a.') ? 'LEFT JOIN artifacts a ON a.key = t.artifact_key' : ''
      const out = path.join(target, table)
      const count = Number((await db.all(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n ?? 0)
      if (count > 0) {
        await db.run(`COPY (
            SELECT ${select}, year(${when}) AS year, month(${when}) AS month, day(${when}) AS day
            FROM ${table} t ${join}
          ) TO ${sqlString(out)} (FORMAT parquet, PARTITION_BY (year, month, day), COMPRESSION zstd, FILENAME_PATTERN 'part-{i}')`)
      }
      const files = count > 0 ? await countFiles(out) : 0
      result.tables.push({table, rows: count, files, location: out})
      const columns = cols.map((c) => `  \`${c.name}\` ${ATHENA_TYPES[c.type] ?? 'string'}`).join(',\n')
      ddl.push(
        `CREATE EXTERNAL TABLE IF NOT EXISTS \`${table}\` (\n${columns}\n)\nPARTITIONED BY (\`year\` int, \`month\` int, \`day\` int)\nSTORED AS PARQUET\nLOCATION 's3://BUCKET/PREFIX/${table}/';\n`,
      )
    }
    await writeFile(result.ddl, ddl.join('\n'))
    return result
  } finally {
    db.close()
  }
}

/** A column as exported: JSON as text, and text with every known secret replaced. */
function columnText(c: {name: string; type: string}, secrets: readonly CaseSecret[]): string {
  const column = `t."${c.name}"`
  if (c.type !== 'JSON' && c.type !== 'VARCHAR') return column
  const text = c.type === 'JSON' ? `CAST(${column} AS VARCHAR)` : column
  return secrets.length === 0 ? text : redactSqlText(text, secrets)
}

async function countFiles(dir: string): Promise<number> {
  let n = 0
  for (const entry of await readdir(dir, {withFileTypes: true, recursive: true})) if (entry.isFile() && entry.name.endsWith('.parquet')) n++
  return n
}
