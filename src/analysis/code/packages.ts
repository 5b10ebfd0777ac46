import {CoronerError, usageError} from '../../core/errors.js'
import type {AnalysisDb, Row} from '../db.js'
import {caseSecrets, secretText, type CaseSecret} from '../secrets.js'

/** One code package of one function version, as lambda_code_packages records it. */
export interface PackageRef {
  functionName: string
  region: string | null
  version: string
  artifactKey: string
  artifactSha256: string
  /** The S3 version of the evidence object, where the store keeps versions. */
  versionId: string | null
  status: string
  verified: boolean
}

/** A function given by name, or by ARN (whose region then narrows the match). */
export function parseFunction(input: string): {name: string; region: string | null} {
  const m = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):\d{12}:function:([^:]+)(?::[^:]+)?$/.exec(input)
  return m ? {name: m[2]!, region: m[1]!} : {name: input, region: null}
}

const versionOrder = "TRY_CAST(p.version AS BIGINT) NULLS LAST, p.version"

/**
 * The packages of a function (every version, or one), newest collection last within a version.
 * A function name collected in several regions must be given by ARN.
 */
export async function functionPackages(db: AnalysisDb, fn: string | {name: string; region: string | null}, version?: string): Promise<{packages: PackageRef[]; warnings: string[]}> {
  const {name, region} = typeof fn === 'string' ? parseFunction(fn) : fn
  const rows = (
    await db.all(
      `SELECT p.function_name, p.region, p.version, p.artifact_key, p.artifact_sha256, a.version_id, p.status, p.verified, p.run_id
       FROM lambda_code_packages p LEFT JOIN artifacts a ON a.key = p.artifact_key
       WHERE p.function_name = $name AND ($region IS NULL OR p.region = $region) AND ($version IS NULL OR p.version = $version)
       ORDER BY p.region, ${versionOrder}, p.run_id, p.artifact_key`,
      {name, region, version: version ?? null},
    )
  ).rows
  const regions = [...new Set(rows.map((r) => r.region))]
  if (regions.length > 1) {
    throw usageError('ambiguous-function', `Function ${name} was collected in ${regions.join(', ')}.`, `Give its ARN: --function arn:aws:lambda:${String(regions[0])}:<account>:function:${name}`)
  }
  const packages = rows.map(toRef)
  const warnings: string[] = []
  for (const p of packages) if (!p.verified) warnings.push(`the package of version ${p.version} (${p.artifactKey}) did not match the CodeSha256 AWS reported: unverified evidence`)
  return {packages, warnings}
}

function toRef(r: Row): PackageRef {
  return {
    functionName: String(r.function_name),
    region: r.region === null ? null : String(r.region),
    version: String(r.version),
    artifactKey: String(r.artifact_key),
    artifactSha256: String(r.artifact_sha256),
    versionId: r.version_id === null || r.version_id === undefined ? null : String(r.version_id),
    status: String(r.status),
    verified: r.verified !== false,
  }
}

/**
 * The package of one function version; when it was collected more than once with different code
 * (an unpublished $LATEST changes), the latest collection, with a warning naming the others.
 */
export async function versionPackage(db: AnalysisDb, fn: string, version: string): Promise<{pkg: PackageRef; warnings: string[]}> {
  const {packages, warnings} = await functionPackages(db, fn, version)
  const pkg = packages.at(-1)
  if (pkg === undefined) {
    const known = (await functionPackages(db, fn)).packages.map((p) => p.version)
    if (known.length === 0) {
      throw new CoronerError('no-code', `The case database holds no code package of function ${fn}.`, {
        hint: 'Collect it with `coroner collect lambda --function F --all-versions`, then `coroner load` again; `coroner code ls --case X --function F` lists what is there.',
      })
    }
    throw usageError('unknown-version', `Function ${fn} has no collected package for version ${version}; it has ${[...new Set(known)].join(', ')}.`)
  }
  if (packages.length > 1) warnings.push(`version ${version} was collected ${packages.length} times with different code; using ${pkg.artifactKey}, the latest`)
  return {pkg, warnings}
}

/**
 * The secrets code output hides: every known secret of the case (caseSecrets) and the function's
 * own environment values of 4 characters or more (short ones are likely to sit in its code).
 */
export async function codeSecrets(db: AnalysisDb, functionName: string): Promise<CaseSecret[]> {
  const rows = (
    await db.all(
      `SELECT DISTINCT e.key AS name, e.value ->> '$' AS value FROM lambda_functions_history f, json_each(json_extract(f.environment, '$.Variables')) e
       WHERE f.function_name = $name AND json_type(e.value) = 'VARCHAR'`,
      {name: functionName},
    )
  ).rows
  const known = new Map((await caseSecrets(db)).map((s) => [s.value.toLowerCase(), s]))
  for (const r of rows) {
    const value = String(r.value)
    if (value.length >= 4 && !known.has(value.toLowerCase())) known.set(value.toLowerCase(), {name: String(r.name), value})
  }
  return [...known.values()].sort((a, b) => b.value.length - a.value.length)
}

/** A function hiding every given secret in text as `[redacted:NAME]` (nothing to hide: the text as it is). */
export function codeRedactor(secrets: readonly CaseSecret[]): (text: string) => string {
  return secrets.length === 0 ? (text) => text : secretText(secrets)
}
