import type {Progress} from '../../core/progress.js'
import type {EvidenceStore} from '../../evidence/store.js'
import type {AnalysisDb} from '../db.js'
import type {CaseArtifact} from '../inventory.js'
import {DEFAULT_LIMITS} from './zip-walk.js'
import {appendRow, readPackage, type PackageOwner, type PackageTarget, type ReadOptions} from './package-reader.js'
import {CODE_KINDS} from './tables.js'

/** What reading the case's code packages found and could not do. */
export interface CodeLoadSummary {
  packages: number
  read: number
  partial: number
  unreadable: number
  files: number
  indicators: number
  /** Anomalies by code (path-traversal, symlink, encrypted, compression-ratio, …). */
  anomalies: Record<string, number>
  /** Files not scanned for indicators, by reason. */
  notScanned: {binary: number; oversized: number; unread: number}
}

export interface CodeLoadResult {
  summary: CodeLoadSummary
  /** Packages that are not readable archives at all (truncated, not a zip). */
  unreadable: Array<{key: string; kind: string; state: 'unreadable'; detail: string}>
  warnings: string[]
}

export const DEFAULT_READ_OPTIONS: ReadOptions = {...DEFAULT_LIMITS, maxScanBytes: 8 * 1024 * 1024}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : v === undefined || v === null ? null : String(v))
const regionOf = (arn: string | undefined): string | null => (arn?.startsWith('arn:') ? (arn.split(':')[3] ?? null) : null)
const versionRank = (v: string): number => (/^\d+$/.test(v) ? Number(v) : Number.MAX_SAFE_INTEGER)

/** Which function versions run each package: the version it was stored under, and every version whose CodeSha256 is its hash. */
async function versionsByPackage(db: AnalysisDb): Promise<Map<string, string[]>> {
  const rows = (await db.all("SELECT DISTINCT function_name, version, function_arn, code_sha256 FROM lambda_functions_history WHERE package_type IS DISTINCT FROM 'Image' ORDER BY 1, 2")).rows
  const out = new Map<string, string[]>()
  for (const r of rows) {
    if (typeof r.code_sha256 !== 'string' || typeof r.function_name !== 'string' || typeof r.version !== 'string') continue
    const id = `${r.function_name}|${regionOf(str(r.function_arn) ?? undefined)}|${Buffer.from(r.code_sha256, 'base64').toString('hex')}`
    out.set(id, [...(out.get(id) ?? []), r.version])
  }
  return out
}

/** One read per distinct package (the same bytes collected twice are read once), with all its owners. */
function packageTargets(artifacts: CaseArtifact[], versions: Map<string, string[]>): PackageTarget[] {
  const targets = new Map<string, PackageTarget>()
  for (const a of artifacts) {
    const attrs = a.attributes ?? {}
    const layer = a.kind === 'lambda.layer-code'
    const sourceParts = (a.source ?? '').split(':')
    const region = str(a.region) ?? regionOf(a.source)
    const owner: PackageOwner = layer
      ? {functionName: null, layerArn: (a.source ?? '').replace(/:\d+$/, ''), region, version: str(attrs.version) ?? sourceParts.at(-1) ?? '?'}
      : {functionName: str(attrs.functionName) ?? sourceParts[6] ?? '?', layerArn: null, region, version: str(attrs.version) ?? sourceParts[7] ?? '$LATEST'}
    const id = `${layer ? owner.layerArn : owner.functionName}|${region}|${a.sha256}`
    const target = targets.get(id) ?? {key: a.key, sha256: a.sha256, size: a.size, versionId: a.versionId, layer, owners: []}
    const names = [owner.version, ...(layer ? [] : (versions.get(id) ?? []))]
    for (const v of names) if (!target.owners.some((o) => o.version === v)) target.owners.push({...owner, version: v})
    targets.set(id, target)
  }
  for (const t of targets.values()) t.owners.sort((x, y) => versionRank(x.version) - versionRank(y.version) || (x.version < y.version ? -1 : 1))
  return [...targets.values()]
}

/**
 * Reads every verified code package and layer archive of the case into the code tables
 * (docs/code-forensics.md), in evidence-key order. A package that is not a readable archive is
 * named and counted; anomalies are rows of lambda_code_anomalies and, summed, warnings.
 */
export async function loadCodePackages(
  db: AnalysisDb,
  store: EvidenceStore,
  artifacts: CaseArtifact[],
  options: {progress?: Progress | undefined; read?: Partial<ReadOptions>} = {},
): Promise<CodeLoadResult> {
  const code = artifacts.filter((a) => (a.state === 'verified' || a.state === 'damaged') && CODE_KINDS.has(a.kind)).sort((a, b) => (a.runId === b.runId ? (a.key < b.key ? -1 : 1) : a.runId < b.runId ? -1 : 1))
  const runOf = new Map(code.map((a) => [a.key, a.runId]))
  const verifiedOf = new Map(code.map((a) => [a.key, a.attributes?.verified !== false]))
  const targets = packageTargets(code, await versionsByPackage(db))
  const read = {...DEFAULT_READ_OPTIONS, ...options.read}
  const result: CodeLoadResult = {
    summary: {packages: targets.length, read: 0, partial: 0, unreadable: 0, files: 0, indicators: 0, anomalies: {}, notScanned: {binary: 0, oversized: 0, unread: 0}},
    unreadable: [],
    warnings: [],
  }
  await db.run(`CREATE TEMP TABLE _code_packages (function_name VARCHAR, layer_arn VARCHAR, region VARCHAR, version VARCHAR, verified BOOLEAN,
    status VARCHAR, entries BIGINT, listed_entries BIGINT, inflated_bytes BIGINT, detail VARCHAR, run_id VARCHAR, artifact_key VARCHAR, artifact_sha256 VARCHAR)`)
  const out = {
    files: await db.connection.createAppender('lambda_code_files'),
    indicators: await db.connection.createAppender('lambda_code_indicators'),
    anomalies: await db.connection.createAppender('lambda_code_anomalies'),
  }
  const packages = await db.connection.createAppender('_code_packages', 'main', 'temp')
  const task = targets.length === 0 ? undefined : options.progress?.task('Reading code packages', targets.length)
  const s = result.summary
  for (const t of targets) {
    const stats = await readPackage(store, t, out, read)
    const o = stats.outcome
    for (const owner of t.owners) {
      appendRow(packages, [owner.functionName, owner.layerArn, owner.region, owner.version, verifiedOf.get(t.key) ?? true, o.status, BigInt(o.declaredEntries),
        BigInt(o.listedEntries), BigInt(o.inflatedBytes), o.detail, runOf.get(t.key) ?? null, t.key, t.sha256])
    }
    s[o.status]++
    s.files += stats.files
    s.indicators += stats.indicators
    s.notScanned.binary += stats.binary
    s.notScanned.oversized += stats.oversized
    s.notScanned.unread += stats.unread
    for (const [code, n] of Object.entries(stats.anomalies)) s.anomalies[code] = (s.anomalies[code] ?? 0) + n
    const found = Object.entries(stats.anomalies).map(([code, n]) => `${code} ${n}`).join(', ')
    if (o.status === 'unreadable') {
      result.unreadable.push({key: t.key, kind: t.layer ? 'lambda.layer-code' : 'lambda.code', state: 'unreadable', detail: o.detail ?? 'not a readable archive'})
      result.warnings.push(`code package ${t.key} could not be read: ${o.detail}`)
    } else if (found !== '') result.warnings.push(`code package ${t.key}: ${found} (see lambda_code_anomalies)`)
    task?.advance()
  }
  for (const a of [...Object.values(out), packages]) a.closeSync()
  await db.run(`INSERT INTO lambda_code_packages
    SELECT function_name, layer_arn, region, version, verified, status, entries, listed_entries, inflated_bytes, detail, run_id, artifact_key, artifact_sha256,
      lag(version) OVER w, lag(artifact_key) OVER w, lag(artifact_sha256) OVER w
    FROM _code_packages
    WINDOW w AS (PARTITION BY coalesce(function_name, layer_arn), region ORDER BY TRY_CAST(version AS BIGINT) NULLS LAST, version, run_id, artifact_key)
    ORDER BY coalesce(function_name, layer_arn), region, TRY_CAST(version AS BIGINT) NULLS LAST, version, run_id, artifact_key`)
  await db.run('DROP TABLE _code_packages')
  task?.done(`${s.files} files, ${s.indicators} indicators`)
  return result
}
