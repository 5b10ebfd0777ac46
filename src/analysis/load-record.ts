import {TOOL} from '../core/version.js'
import {artifactSetDigest} from '../evidence/case-index.js'
import type {EvidenceStore} from '../evidence/store.js'
import type {AnalysisDb} from './db.js'
import type {CaseInventory, InventoryOptions} from './inventory.js'

/**
 * What a case database says of its own making, in table `case_load` (one row): the store and case
 * it was built from, the verification result it was built under, and the runs it holds with their
 * manifest SHA-256, so that a later command can tell a database of another store, or of older
 * evidence, from the one it needs.
 */
export interface LoadRecord {
  caseId: string
  /** The layout of its tables and views (CASE_DB_LAYOUT when it was built); 1 for a database built before layouts were numbered. */
  layout: number
  store: string
  storeKind: string
  loadedAt: string
  tool: string
  verified: boolean
  acceptedDamage: boolean
  head: string | null
  /** `loadedOpen`: the run was open when the database was built inside it (a playbook's), and these are the artifacts loaded of it (artifactSetDigest). */
  runs: Array<{runId: string; sealed: boolean; manifestSha256: string | null; loadedOpen?: string}>
}

/**
 * The layout of a case database's tables and views, raised with every change to them that a
 * command reads (a column added, a view's meaning changed): a database of another layout is
 * rebuilt from the evidence (`--reload`), never read as if it were this one.
 * 2: cloudtrail_records stores each event's target.
 */
export const CASE_DB_LAYOUT = 2

const CREATE = `CREATE TABLE case_load (case_id VARCHAR, store VARCHAR, store_kind VARCHAR, loaded_at TIMESTAMPTZ, tool VARCHAR,
  verified BOOLEAN, accepted_damage BOOLEAN, head VARCHAR, expected_head VARCHAR, public_key_sha256 VARCHAR, runs JSON, problems JSON, warnings JSON,
  layout INTEGER)`

/** Writes the case_load row of a database being built. */
export async function recordLoad(db: AnalysisDb, store: EvidenceStore, inventory: CaseInventory, options: InventoryOptions): Promise<void> {
  const v = inventory.verification
  const runs = v.runs.map((r) => ({
    runId: r.runId,
    sealed: r.status !== 'unsealed' && r.status !== 'open',
    manifestSha256: r.manifestSha256 ?? null,
    ...(r.status === 'open' ? {loadedOpen: artifactSetDigest(inventory.artifacts.filter((a) => a.runId === r.runId))} : {}),
  }))
  await db.run(CREATE)
  await db.run(
    `INSERT INTO case_load VALUES ($case, $store, $kind, now(), $tool, $verified, $accepted, $head, $expected, $key, CAST($runs AS JSON), CAST($problems AS JSON), CAST($warnings AS JSON), $layout)`,
    {
      case: inventory.caseId,
      store: store.location,
      kind: store.kind,
      tool: `${TOOL.name} ${TOOL.version}`,
      verified: v.ok,
      accepted: options.acceptDamaged === true && !v.ok,
      head: v.head?.text ?? null,
      expected: v.expected?.head ?? null,
      key: v.runs.find((r) => r.signature?.checkedWith === 'given-key')?.signature?.publicKeySha256 ?? null,
      runs: JSON.stringify(runs),
      problems: JSON.stringify(v.issues),
      warnings: JSON.stringify(v.warnings),
      layout: CASE_DB_LAYOUT,
    },
  )
}

/**
 * The case_load row of a database, or undefined when it has none that reads as one (built by
 * another tool, by hand, or crafted: a view in its place that reads files is refused by the lock
 * on every connection, and counts as none).
 */
export async function readLoadRecord(db: AnalysisDb): Promise<LoadRecord | undefined> {
  const has = await db.all("SELECT count(*) AS n FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'case_load'")
  if (Number(has.rows[0]?.n ?? 0) === 0) return undefined
  let row
  try {
    row = (await db.all('SELECT case_id, store, store_kind, loaded_at, tool, verified, accepted_damage, head, CAST(runs AS VARCHAR) AS runs FROM case_load LIMIT 1')).rows[0]
  } catch {
    return undefined
  }
  if (!row) return undefined
  // A database built before layouts were numbered has no such column.
  const layout = await db.all('SELECT layout FROM case_load LIMIT 1').then((r) => Number(r.rows[0]?.layout ?? 1), () => 1)
  let runs: LoadRecord['runs'] = []
  try {
    runs = JSON.parse(String(row.runs)) as LoadRecord['runs']
  } catch {
    runs = []
  }
  return {
    caseId: String(row.case_id),
    layout: Number.isInteger(layout) ? layout : 1,
    store: String(row.store),
    storeKind: String(row.store_kind),
    loadedAt: String(row.loaded_at),
    tool: String(row.tool),
    verified: row.verified === true,
    acceptedDamage: row.accepted_damage === true,
    head: row.head === null ? null : String(row.head),
    runs: Array.isArray(runs) ? runs : [],
  }
}

/**
 * Gives every table whose rows cite an evidence object an `evidence_damage` column (and custody,
 * by journal): NULL for rows of evidence that verified, the problems verify named otherwise, so a
 * case loaded with --accept-damaged marks each affected row where a query sees it.
 */
export async function markDamage(db: AnalysisDb, inventory: CaseInventory): Promise<void> {
  const tables = await db.all(`SELECT t.table_name, EXISTS (SELECT 1 FROM duckdb_columns() c WHERE c.table_oid = t.table_oid AND c.column_name = 'evidence_damage') AS has
    FROM duckdb_tables() t WHERE t.schema_name = 'main' AND NOT t.temporary
    AND EXISTS (SELECT 1 FROM duckdb_columns() c WHERE c.table_oid = t.table_oid AND c.column_name = 'artifact_key') ORDER BY 1`)
  const damaged = inventory.artifacts.some((a) => a.state === 'damaged')
  for (const {table_name: name, has} of tables.rows) {
    const t = `"${String(name).replace(/"/g, '""')}"`
    // The largest tables (cloudtrail_records) are created with the column, so they are never altered whole.
    if (has !== true) await db.run(`ALTER TABLE ${t} ADD COLUMN evidence_damage VARCHAR`)
    if (damaged) await db.run(`UPDATE ${t} SET evidence_damage = a.detail FROM artifacts a WHERE a.key = ${t}.artifact_key AND a.status LIKE 'damaged%'`)
  }
  await db.run('ALTER TABLE custody ADD COLUMN evidence_damage VARCHAR')
  for (const j of inventory.journals) if (j.damage !== undefined) await db.run('UPDATE custody SET evidence_damage = $d WHERE journal_key = $k', {d: j.damage, k: j.key})
}
