import {forEachBounded} from '../core/pool.js'
import {isStoreWriteFailure} from '../evidence/gap-log.js'
import type {GapCode} from '../evidence/gap.js'
import type {AwsContext} from './context.js'
import {importFile, type FileAccount, type ImportInput} from './cloudtrail-import.js'
import {describeSkips, type SkipReason} from './import-account.js'
import {isRefusal, type WalkEntry} from './import-walk.js'

/** The whole of an import: every file counted, every record loaded or skipped with a reason. */
export interface ImportAccount {
  /** Every entry of the paths given, read or not. */
  files: number
  /** Files opened and read to the end (or to where they broke). */
  read: number
  imported: number
  partial: number
  nothingUsable: number
  malformed: number
  notCloudTrail: number
  /** Folder entries named but not read: special files, links out of the folder or dangling, second names, unlistable folders. */
  refused: number
  /** Files not read because the import was interrupted. */
  notRead: number
  interrupted: boolean
  /** Records loaded, and items skipped. */
  records: number
  skipped: number
  /** Skipped items by reason, over every file. */
  skips: Partial<Record<SkipReason, number>>
  /** Imported files carry no digest: nothing vouches for them. */
  validation: 'unvalidated'
  perFile: FileAccount[]
}

/** What one kind of import does with a file: reads it, keeps what it can, and says what became of it. */
export interface FileImporter<F extends FileAccount = FileAccount> {
  collector: string
  /** Names the journal's note for each file (`<note> file`). */
  note: string
  /** The progress line's title, and what it counts (`record(s)`). */
  title: string
  unit: string
  read(run: AwsContext['run'], input: ImportInput): Promise<F>
}

const cloudtrailFiles = (collector: string): FileImporter => ({collector, note: 'cloudtrail-import', title: 'Importing CloudTrail files', unit: 'record(s)', read: (run, input) => importFile(run, input, collector)})

/**
 * Imports every input, a few at a time, each file's outcome recorded in the custody journal (a
 * note naming its shape, how its records were reached and its counts) and, when anything in it
 * was not loaded, as a gap naming the reasons and the first positions: a run that skipped
 * anything ends partial. Interrupted, it stops reading and counts the files it did not read.
 */
export async function importInputs(ctx: AwsContext, entries: readonly WalkEntry[], collector: string, concurrency = 8): Promise<ImportAccount> {
  const {perFile, interrupted} = await importEach(ctx, entries, cloudtrailFiles(collector), concurrency)
  return totals(perFile, interrupted)
}

/**
 * The accounting every file import shares: each entry read by `importer` (or, refused, named),
 * its outcome journalled and, when anything in it was not imported, a gap; the files an
 * interruption left unread counted as such.
 */
export async function importEach<F extends FileAccount>(ctx: AwsContext, entries: readonly WalkEntry[], importer: FileImporter<F>, concurrency = 8): Promise<{perFile: Array<F | FileAccount>; interrupted: boolean}> {
  const perFile: Array<F | FileAccount> = new Array(entries.length)
  const task = ctx.progress.task(importer.title, entries.length)
  await forEachBounded(entries.map((e, i) => ({e, i})), concurrency, ctx.signal, async ({e, i}) => {
    perFile[i] = await importOne(ctx, e, importer)
    task.advance()
  })
  entries.forEach((e, i) => {
    perFile[i] ??= {file: isRefusal(e) ? e.file : e.uri, status: 'not-read', loaded: 0, skipped: 0, skips: [], code: 'not-read', reason: 'the import was interrupted before this file was read'}
  })
  const read = perFile.filter((f) => f.status !== 'not-read' && f.status !== 'refused').length
  task.done(`${perFile.reduce((n, f) => n + f.loaded, 0)} ${importer.unit} from ${read} of ${entries.length} file(s), ${perFile.reduce((n, f) => n + f.skipped, 0)} skipped`)
  return {perFile, interrupted: ctx.signal.aborted}
}

/** One entry imported (or, refused, named) and its outcome journalled, with a gap when anything in it was not loaded. */
export async function importEntry(ctx: AwsContext, e: WalkEntry, collector: string): Promise<FileAccount> {
  return importOne(ctx, e, cloudtrailFiles(collector))
}

async function importOne<F extends FileAccount>(ctx: AwsContext, e: WalkEntry, importer: FileImporter<F>): Promise<F | FileAccount> {
  const f = isRefusal(e) ? {file: e.file, status: 'refused' as const, loaded: 0, skipped: 0, skips: [], code: e.refused, reason: e.reason} : await readOne(ctx, e, importer)
  await ctx.run.note(`${importer.note} file`, {...f})
  const gap = gapOf(f)
  if (gap) await ctx.gaps.add({collector: importer.collector, resource: f.file, ...gap})
  return f
}

async function readOne<F extends FileAccount>(ctx: AwsContext, input: Extract<WalkEntry, {uri: string}>, importer: FileImporter<F>): Promise<F | FileAccount> {
  try {
    return await importer.read(ctx.run, input)
  } catch (error) {
    if (ctx.signal.aborted || isStoreWriteFailure(error)) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (code === undefined || !/^E[A-Z]+$/.test(code)) throw error
    return {file: input.uri, status: 'refused', loaded: 0, skipped: 0, skips: [], code: 'unreadable', reason: `the file cannot be read (${code}: ${(error as Error).message})`}
  }
}

function gapOf(f: FileAccount): {code: GapCode; reason: string} | undefined {
  if (f.status === 'refused') return f.code === 'same-file' ? undefined : {code: f.code as GapCode, reason: `not read: ${f.reason}`}
  if (f.status === 'not-cloudtrail') return {code: 'not-cloudtrail', reason: `not CloudTrail, not imported: ${f.reason}`}
  if (f.status === 'unrecognised') return {code: f.code as GapCode, reason: `not imported: ${f.reason}`}
  if (f.status === 'nothing-usable') return {code: 'no-records', reason: `nothing usable: ${f.reason}`}
  if (f.code !== undefined) {
    const kept = f.loaded > 0 ? `; the ${f.loaded} record(s) read before it were kept` : ''
    return {code: f.code as GapCode, reason: `malformed CloudTrail file: ${f.reason}${kept}${f.skipped > 0 ? `; skipped: ${describeSkips(f.skips)}` : ''}`}
  }
  if (f.skipped > 0) return {code: 'records-skipped', reason: `${f.skipped} of ${f.loaded + f.skipped} item(s) skipped: ${describeSkips(f.skips)}`}
  return undefined
}

/** The counts every file import gives: entries, files read, imported whole, refused, not reached. */
export function fileCounts(perFile: readonly FileAccount[], interrupted: boolean): {files: number; read: number; imported: number; refused: number; notRead: number; interrupted: boolean} {
  const count = (s: FileAccount['status']): number => perFile.filter((f) => f.status === s).length
  return {files: perFile.length, read: perFile.length - count('refused') - count('not-read'), imported: count('imported'), refused: count('refused'), notRead: count('not-read'), interrupted}
}

function totals(perFile: FileAccount[], interrupted: boolean): ImportAccount {
  const count = (...s: FileAccount['status'][]): number => perFile.filter((f) => s.includes(f.status)).length
  const skips: Partial<Record<SkipReason, number>> = {}
  for (const f of perFile) for (const c of f.skips) skips[c.reason] = (skips[c.reason] ?? 0) + c.count
  const {files, read, imported, refused, notRead} = fileCounts(perFile, interrupted)
  return {
    files,
    read,
    imported,
    partial: count('partial'),
    nothingUsable: count('nothing-usable'),
    malformed: count('malformed'),
    notCloudTrail: count('not-cloudtrail'),
    refused,
    notRead,
    interrupted,
    records: perFile.reduce((n, f) => n + f.loaded, 0),
    skipped: perFile.reduce((n, f) => n + f.skipped, 0),
    skips,
    validation: 'unvalidated',
    perFile,
  }
}
