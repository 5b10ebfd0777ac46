import {mkdtemp, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {buildFindings} from '../../src/analysis/findings/build.js'
import {loadCase} from '../../src/analysis/load.js'
import {openForQuery} from '../../src/analysis/run-query.js'
import {buildReport, type BuildOptions} from '../../src/reports/build.js'
import {writeReport, type ReportFormat} from '../../src/reports/write.js'
import {writeReportCase} from './report-case.js'

/** The report fixture case, loaded and with its findings, in a temporary folder. */
export async function reportFixture(): Promise<{dir: string; dbPath: string; options: Pick<BuildOptions, 'store' | 'caseId'>; cleanup(): Promise<void>}> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'coroner-report-'))
  const {store, caseId} = await writeReportCase(path.join(dir, 'store'))
  const dbPath = path.join(dir, 'case.duckdb')
  await loadCase(store, caseId, {dbPath})
  await buildFindings({dbPath})
  return {dir, dbPath, options: {store, caseId}, cleanup: () => rm(dir, {recursive: true, force: true})}
}

/** Writes the fixture's report in one format and returns its text (or bytes for a PDF). */
export async function renderFixture(
  f: Awaited<ReturnType<typeof reportFixture>>,
  format: ReportFormat,
  extra: {generatedAt?: string; showSecrets?: boolean; dbPath?: string; file?: string} = {},
): Promise<{file: string; text: string}> {
  const db = await openForQuery(extra.dbPath ?? f.dbPath)
  try {
    const built = await buildReport(db, {...f.options, generatedAt: extra.generatedAt ?? '2026-11-21T00:00:00.000Z', showSecrets: extra.showSecrets ?? false, findingsComputed: false})
    const file = extra.file ?? path.join(f.dir, `report-${Math.random().toString(36).slice(2)}.${format}`)
    await writeReport(built, format, file)
    const {readFile} = await import('node:fs/promises')
    return {file, text: format === 'pdf' ? '' : await readFile(file, 'utf8')}
  } finally {
    db.close()
  }
}

/**
 * A report with everything that differs between two machines or two runs replaced by
 * placeholders: run ids, hashes (numbered by first appearance), finding ids, the store's
 * temporary folder, the host and user, the tool version.
 */
export function normalise(text: string, dir: string): string {
  const numbered = (re: RegExp, name: string) => {
    const seen = new Map<string, string>()
    return (s: string): string => s.replace(re, (m) => {
      if (!seen.has(m)) seen.set(m, `<${name}-${seen.size + 1}>`)
      return seen.get(m)!
    })
  }
  let out = text.split(dir).join('<dir>')
  out = out.replace(/\d{8}T\d{9}Z-[0-9a-f]{6}/g, '<run>')
  out = numbered(/\b[0-9a-f]{64}\b/g, 'sha256')(out)
  out = numbered(/F-[0-9a-f]{12}/g, 'F')(out)
  for (const v of [os.hostname(), os.userInfo().username]) {
    for (const [a, b] of [['"', '"'], ['<td>', '</td>'], ['| ', ' |']]) out = out.split(`${a}${v}${b}`).join(`${a}<host>${b}`)
  }
  return out.replace(/coroner \d+\.\d+\.\d+/g, 'coroner <version>').replace(/("version": )"\d+\.\d+\.\d+"/g, '$1"<version>"')
}
