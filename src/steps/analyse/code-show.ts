import {z} from 'zod'
import {binarySummary, readEntries, verifyPackage} from '../../analysis/code/evidence-entry.js'
import {looksLikeText} from '../../analysis/code/file-sink.js'
import {codeRedactor, codeSecrets, versionPackage} from '../../analysis/code/packages.js'
import {CoronerError, usageError} from '../../core/errors.js'
import {defineStep} from '../step.js'
import {OFFLINE} from './offline.js'
import {codeParams, withCodeDb} from './code-db.js'

/** The most text shown of one file. */
const MAX_SHOWN = 4 * 1024 * 1024

const params = z
  .object({
    ...codeParams,
    version: z.string().min(1).describe('The version ($LATEST, 1, 2, …)'),
    path: z.string().min(1).describe('The file, as `code ls` lists it'),
  })
  .strict()

export interface CodeShowResult {
  function: string
  version: string
  path: string
  type: string
  size: number
  sha256: string | null
  content: 'text' | 'binary' | null
  /** The text (environment values redacted unless --show-secrets); cut at 4 MiB, `cut` says so. */
  text: string | null
  cut: boolean
  /** For a binary: what it is, its first bytes in hex and some printable strings. Never the raw bytes. */
  binary: ReturnType<typeof binarySummary> | null
  linkTarget: string | null
  evidenceKey: string
  evidenceSha256: string
  warnings: string[]
}

/** `code show`: one file of one version, read from the evidence after re-checking its SHA-256. */
export const codeShowStep = defineStep({
  id: 'code-show',
  kind: 'analyse',
  title: 'Show one file of a function version from verified evidence (binaries as a summary)',
  command: 'code show',
  params,
  ...OFFLINE,
  run(ctx, p): Promise<CodeShowResult> {
    return withCodeDb(ctx, p.db, async (db, warnings) => {
      const {pkg, warnings: more} = await versionPackage(db, p.function, p.version)
      warnings.push(...more)
      const rows = (
        await db.all(
          `SELECT entry_index, entry_type, sha256, link_target FROM lambda_code_files
           WHERE function_name = $fn AND region IS NOT DISTINCT FROM $region AND version = $version AND artifact_key = $key AND path = $path ORDER BY entry_index`,
          {fn: pkg.functionName, region: pkg.region, version: pkg.version, key: pkg.artifactKey, path: p.path},
        )
      ).rows
      const row = rows.at(-1)
      if (row === undefined) throw usageError('unknown-path', `Version ${pkg.version} of ${p.function} has no file ${JSON.stringify(p.path)}.`, `\`coroner code ls --function ${p.function} --version ${pkg.version}\` lists its files.`)
      if (rows.length > 1) warnings.push(`the archive holds ${rows.length} entries named ${JSON.stringify(p.path)}; showing the last (entry ${String(row.entry_index)}), as most extractors keep it`)
      const base = {function: p.function, version: pkg.version, path: p.path, type: String(row.entry_type), evidenceKey: pkg.artifactKey, evidenceSha256: pkg.artifactSha256, warnings}
      const {size} = await verifyPackage(ctx.store, pkg)
      const got = (await readEntries(ctx.store, pkg, size, new Map([[Number(row.entry_index), MAX_SHOWN]]))).get(Number(row.entry_index))
      if (got === undefined || got.read === null || got.read.sha256 === null) {
        throw new CoronerError('entry-unreadable', `Entry ${p.path} of ${pkg.artifactKey} cannot be read (${got?.read?.stopped ?? 'encrypted, a directory, or past a cap'}): see \`coroner code ls\` and the anomalies.`, {})
      }
      if (row.sha256 !== null && got.read.sha256 !== row.sha256) {
        throw new CoronerError('evidence-altered', `Entry ${p.path} hashes to ${got.read.sha256}, the case database recorded ${String(row.sha256)}.`, {hint: 'Run `coroner load` again, then `coroner evidence verify`.'})
      }
      const symlink = row.entry_type === 'symlink'
      const text = !symlink && looksLikeText(got.bytes.subarray(0, 8000), got.size <= 8000)
      const secrets = ctx.showSecrets ? [] : await codeSecrets(db, pkg.functionName)
      return {
        ...base,
        size: got.size,
        sha256: got.read.sha256,
        content: symlink ? null : text ? 'text' : 'binary',
        text: text ? codeRedactor(secrets)(got.bytes.toString('utf8')) : null,
        cut: text && got.cut,
        binary: symlink || text ? null : binarySummary(got.bytes),
        linkTarget: symlink ? String(row.link_target ?? '') : null,
      }
    })
  },
})
