import type {z} from 'zod'
import {describeSkips, type SkipClass} from '../collectors/import-account.js'
import type {importAccount} from './results/import-account.js'
import {cellText} from './table.js'

/** How many files with something not loaded are listed one by one; the rest are counted (all are in --json and the journal). */
const LISTED = 50

/** The import's account for people: files and records, every skip class with its first positions, each file not wholly loaded. */
export function renderImportAccount(a: ImportAccountJson): string[] {
  const lines: string[] = []
  const parts = [
    `${a.imported} whole`,
    a.partial > 0 ? `${a.partial} in part` : undefined,
    a.nothingUsable > 0 ? `${a.nothingUsable} with nothing usable` : undefined,
    a.malformed > 0 ? `${a.malformed} malformed` : undefined,
    a.notCloudTrail > 0 ? `${a.notCloudTrail} not CloudTrail` : undefined,
    a.refused > 0 ? `${a.refused} not read (named below)` : undefined,
    a.notRead > 0 ? `${a.notRead} not reached` : undefined,
  ].filter((p): p is string => p !== undefined)
  lines.push(`Read ${a.read} of ${a.files} file(s): ${parts.join(', ')}.`)
  const skips = Object.entries(a.skips).sort(([ra, a1], [rb, b1]) => b1 - a1 || ra.localeCompare(rb)).map(([reason, n]) => `${n} ${reason}`)
  lines.push(`Records: ${a.records} loaded, ${a.skipped} skipped${skips.length > 0 ? ` (${skips.join(', ')})` : ''}.`)
  const shapes = new Map<string, number>()
  for (const f of a.perFile) if (f.shape !== null && f.loaded > 0) shapes.set(f.shape, (shapes.get(f.shape) ?? 0) + 1)
  if (shapes.size > 0) lines.push(`Shapes: ${[...shapes].map(([s, n]) => `${s} ${n}`).join(', ')}.`)
  lines.push(...renderFileProblems(a))
  lines.push('', 'Unvalidated: imported files carry no CloudTrail digest, so nothing vouches that they are what the trail delivered.')
  return lines
}

type FileJson = ImportAccountJson['perFile'][number]

/** Each file not wholly imported, with its code and why (the first LISTED), and what an interruption left unread. */
export function renderFileProblems(a: {perFile: readonly FileJson[]; interrupted: boolean; read: number; files: number; notRead: number}): string[] {
  const lines: string[] = []
  const problems = a.perFile.filter((f) => f.status !== 'imported' && !(f.status === 'refused' && f.code === 'same-file'))
  if (problems.length > 0) lines.push('', 'Not wholly loaded:')
  for (const f of problems.slice(0, LISTED)) lines.push(`  ${(f.code ?? f.status).padEnd(16)} ${cellText(f.file)}: ${cellText(fileLine(f))}`)
  if (problems.length > LISTED) lines.push(`  … and ${problems.length - LISTED} more file(s): every one is in --json (perFile) and in the custody journal.`)
  if (a.interrupted) lines.push('', `Interrupted: ${a.read} of ${a.files} file(s) read; ${a.notRead} not read (import them in a new run).`)
  return lines
}

/** What became of one file not wholly loaded, in a line. */
function fileLine(f: FileJson): string {
  const skipped = f.skipped > 0 && f.status !== 'nothing-usable' ? `skipped ${describeSkips(f.skips.map(skipClassOf))}` : undefined
  if (f.status === 'partial' && f.code === null) return `${f.loaded} loaded; ${skipped}`
  if (f.status === 'partial') return [f.reason, `${f.loaded} record(s) read before it kept`, skipped].filter(Boolean).join('; ')
  return [f.reason, skipped].filter(Boolean).join('; ')
}

type ImportAccountJson = z.output<typeof importAccount>

/** A skip class as --json holds it (absent values null), back as the collector describes it. */
function skipClassOf(c: ImportAccountJson['perFile'][number]['skips'][number]): SkipClass {
  return {
    reason: c.reason,
    count: c.count,
    first: c.first.map((p) => ({...(p.line === null ? {} : {line: p.line}), ...(p.item === null ? {} : {item: p.item})})),
    ...(c.example === null ? {} : {example: c.example}),
  }
}
