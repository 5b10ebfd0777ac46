import {z} from 'zod'
import type {Row} from '../../analysis/db.js'
import {functionPackages, versionPackage} from '../../analysis/code/packages.js'
import {defineStep} from '../step.js'
import {OFFLINE} from './offline.js'
import {codeParams, withCodeDb} from './code-db.js'

const params = z
  .object({...codeParams, version: z.string().min(1).optional().describe('List the files of this version ($LATEST, 1, 2, …); without it, list the versions')})
  .strict()

export interface CodeLsResult {
  function: string
  version: string | null
  /** Every collected version's package: status, counts and evidence. */
  packages: Row[]
  /** The files of `version`, in archive order. */
  files: Row[]
  /** What is wrong with the archive of `version`. */
  anomalies: Row[]
  warnings: string[]
}

/** `code ls`: the collected versions of a function, or the files of one version, from the case database. */
export const codeLsStep = defineStep({
  id: 'code-ls',
  kind: 'analyse',
  title: 'List the code packages of a function, or the files of one version, with their hashes and indicators',
  command: 'code ls',
  params,
  ...OFFLINE,
  run(ctx, p): Promise<CodeLsResult> {
    return withCodeDb(ctx, p.db, async (db, warnings) => {
      const listed = await functionPackages(db, p.function)
      warnings.push(...listed.warnings)
      const packages = (
        await db.all(
          `SELECT p.version, p.previous_version, p.status, p.listed_entries AS entries,
             (SELECT count(*) FROM lambda_code_indicators i WHERE i.function_name = p.function_name AND i.version = p.version AND i.artifact_key = p.artifact_key) AS indicators,
             (SELECT count(*) FROM lambda_code_anomalies a WHERE a.function_name = p.function_name AND a.version = p.version AND a.artifact_key = p.artifact_key) AS anomalies,
             p.verified, p.artifact_key AS evidence_key, p.artifact_sha256 AS evidence_sha256
           FROM lambda_code_packages p WHERE p.function_name = $fn AND p.region IS NOT DISTINCT FROM $region
           ORDER BY TRY_CAST(p.version AS BIGINT) NULLS LAST, p.version, p.run_id`,
          {fn: listed.packages[0]?.functionName ?? p.function, region: listed.packages[0]?.region ?? null},
        )
      ).rows
      if (p.version === undefined) return {function: p.function, version: null, packages, files: [], anomalies: [], warnings}
      const {pkg, warnings: more} = await versionPackage(db, p.function, p.version)
      warnings.push(...more)
      const where = 'function_name = $fn AND region IS NOT DISTINCT FROM $region AND version = $version AND artifact_key = $key'
      const bind = {fn: pkg.functionName, region: pkg.region, version: pkg.version, key: pkg.artifactKey}
      const files = (await db.all(`SELECT path, entry_type AS type, size, mode, modified, sha256, content, language, indicators, note FROM lambda_code_files WHERE ${where} ORDER BY entry_index`, bind)).rows
      const anomalies = (await db.all(`SELECT anomaly, path, entry_index, detail FROM lambda_code_anomalies WHERE ${where} ORDER BY entry_index NULLS FIRST, anomaly`, bind)).rows
      return {function: p.function, version: pkg.version, packages: packages.filter((r) => r.evidence_key === pkg.artifactKey && r.version === pkg.version), files, anomalies, warnings}
    })
  },
})
