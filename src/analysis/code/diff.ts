import type {AnalysisDb, Row} from '../db.js'
import {functionPackages, versionPackage, type PackageRef} from './packages.js'

/** One file that differs between two versions, compared by SHA-256. */
export interface CodeFileChange {
  path: string
  change: 'added' | 'removed' | 'changed'
  oldSha256: string | null
  newSha256: string | null
  oldSize: number | null
  newSize: number | null
  /** `text` or `binary` (of the newer side when both exist), null when unread. */
  content: string | null
  entryIndex: {old: number | null; new: number | null}
}

/** An indicator of the newer version that the older one does not have (in that file, that many times). */
export interface NewIndicator {
  path: string
  line: number
  col: number
  kind: string
  value: string
  detail: string | null
}

/** What changed from one version of a function to another: the new indicators first, then the files. */
export interface CodeVersionDiff {
  functionName: string
  region: string | null
  from: PackageRef
  to: PackageRef
  newIndicators: NewIndicator[]
  files: {added: CodeFileChange[]; removed: CodeFileChange[]; changed: CodeFileChange[]}
  unchanged: number
  warnings: string[]
}

interface FileRow {
  path: string
  sha256: string | null
  size: number
  content: string | null
  index: number
}

/** The files of a package as one version runs it: the last entry of a name held twice, directories left out. */
async function filesOf(db: AnalysisDb, p: PackageRef): Promise<Map<string, FileRow>> {
  const rows = (
    await db.all(
      `SELECT path, sha256, size, content, entry_index FROM lambda_code_files
       WHERE function_name = $fn AND region IS NOT DISTINCT FROM $region AND version = $version AND artifact_key = $key AND entry_type <> 'directory'
       ORDER BY entry_index`,
      {fn: p.functionName, region: p.region, version: p.version, key: p.artifactKey},
    )
  ).rows
  const out = new Map<string, FileRow>()
  for (const r of rows) out.set(String(r.path), {path: String(r.path), sha256: nullableString(r.sha256), size: Number(r.size), content: nullableString(r.content), index: Number(r.entry_index)})
  return out
}

const nullableString = (v: Row[string] | undefined): string | null => (v === null || v === undefined ? null : String(v))

/** Indicators of `to` beyond those `from` has, matched by file, kind and value and counted per file. */
async function newIndicators(db: AnalysisDb, from: PackageRef, to: PackageRef): Promise<NewIndicator[]> {
  const rows = (
    await db.all(
      `WITH cur AS (
         SELECT path, line, col, kind, value, detail, row_number() OVER (PARTITION BY path, kind, value ORDER BY line, col) AS nth
         FROM lambda_code_indicators WHERE function_name = $fn AND region IS NOT DISTINCT FROM $region AND version = $to AND artifact_key = $toKey),
       prev AS (
         SELECT path, kind, value, count(*) AS n FROM lambda_code_indicators
         WHERE function_name = $fn AND region IS NOT DISTINCT FROM $region AND version = $from AND artifact_key = $fromKey GROUP BY ALL)
       SELECT c.path, c.line, c.col, c.kind, c.value, c.detail FROM cur c
       LEFT JOIN prev p ON p.path = c.path AND p.kind = c.kind AND p.value = c.value
       WHERE c.nth > coalesce(p.n, 0) ORDER BY c.path, c.line, c.col, c.kind`,
      {fn: to.functionName, region: to.region, to: to.version, toKey: to.artifactKey, from: from.version, fromKey: from.artifactKey},
    )
  ).rows
  return rows.map((r) => ({path: String(r.path), line: Number(r.line), col: Number(r.col), kind: String(r.kind), value: String(r.value), detail: nullableString(r.detail)}))
}

/** The diff between two packages already resolved. */
export async function diffPackages(db: AnalysisDb, from: PackageRef, to: PackageRef, warnings: string[] = []): Promise<CodeVersionDiff> {
  const [older, newer] = [await filesOf(db, from), await filesOf(db, to)]
  const files: CodeVersionDiff['files'] = {added: [], removed: [], changed: []}
  let unchanged = 0
  const change = (kind: CodeFileChange['change'], o: FileRow | undefined, n: FileRow | undefined): CodeFileChange => ({
    path: (n ?? o)!.path,
    change: kind,
    oldSha256: o?.sha256 ?? null,
    newSha256: n?.sha256 ?? null,
    oldSize: o?.size ?? null,
    newSize: n?.size ?? null,
    content: n?.content ?? o?.content ?? null,
    entryIndex: {old: o?.index ?? null, new: n?.index ?? null},
  })
  for (const [path, n] of newer) {
    const o = older.get(path)
    if (o === undefined) files.added.push(change('added', undefined, n))
    else if (o.sha256 !== n.sha256 || o.sha256 === null) files.changed.push(change('changed', o, n))
    else unchanged++
  }
  for (const [path, o] of older) if (!newer.has(path)) files.removed.push(change('removed', o, undefined))
  for (const list of Object.values(files)) list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return {functionName: to.functionName, region: to.region, from, to, newIndicators: await newIndicators(db, from, to), files, unchanged, warnings}
}

/**
 * What changed in a function's code from version `from` to version `to`: files added, removed
 * and changed (by SHA-256), and the indicators only the newer version has. Reads the case
 * database only, so a report can render it per function.
 */
export async function codeVersionDiff(db: AnalysisDb, functionName: string, from: string, to: string): Promise<CodeVersionDiff> {
  const a = await versionPackage(db, functionName, from)
  const b = await versionPackage(db, functionName, to)
  return diffPackages(db, a.pkg, b.pkg, [...a.warnings, ...b.warnings])
}

/**
 * Every step in the code history of the functions of the case (or of one): each collected version
 * against the one collected before it, skipping versions that run the same package. For reports.
 */
export async function functionCodeChanges(db: AnalysisDb, functionName?: string): Promise<CodeVersionDiff[]> {
  const names = functionName === undefined
    ? (await db.all('SELECT DISTINCT function_name, region FROM lambda_code_packages WHERE function_name IS NOT NULL ORDER BY 1, 2')).rows.map((r) => ({fn: String(r.function_name), region: nullableString(r.region)}))
    : [{fn: functionName, region: null}]
  const out: CodeVersionDiff[] = []
  for (const {fn, region} of names) {
    const {packages} = await functionPackages(db, {name: fn, region})
    for (let i = 1; i < packages.length; i++) {
      if (packages[i]!.artifactKey !== packages[i - 1]!.artifactKey) out.push(await diffPackages(db, packages[i - 1]!, packages[i]!))
    }
  }
  return out
}
