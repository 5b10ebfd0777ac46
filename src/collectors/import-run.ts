import {forEachBounded} from '../core/pool.js'
import {isStoreWriteFailure} from '../evidence/gap-log.js'
import type {GapCode} from '../evidence/gap.js'
import type {AwsContext} from './context.js'
import {importFile, type FileAccount} from './cloudtrail-import.js'
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

/**
 * Imports every input, a few at a time, each file's outcome recorded in the custody journal (a
 * note naming its shape, how its records were reached and its counts) and, when anything in it
 * was not loaded, as a gap naming the reasons and the first positions: a run that skipped
 * anything ends partial. Interrupted, it stops reading and counts the files it did not read.
 */
export async function importInputs(ctx: AwsContext, entries: readonly WalkEntry[], collector: string, concurrency = 8): Promise<ImportAccount> {
  const perFile: FileAccount[] = new Array(entries.length)
  const task = ctx.progress.task('Importing CloudTrail files', entries.length)
  await forEachBounded(entries.map((e, i) => ({e, i})), concurrency, ctx.signal, async ({e, i}) => {
    perFile[i] = await importEntry(ctx, e, collector)
    task.advance()
  })
  entries.forEach((e, i) => {
    perFile[i] ??= {file: isRefusal(e) ? e.file : e.uri, status: 'not-read', loaded: 0, skipped: 0, skips: [], code: 'not-read', reason: 'the import was interrupted before this file was read'}
  })
  const account = totals(perFile, ctx.signal.aborted)
  task.done(`${account.records} record(s) from ${account.read} of ${account.files} file(s), ${account.skipped} skipped`)
  return account
}

/** One entry imported (or, refused, named) and its outcome journalled, with a gap when anything in it was not loaded. */
export async function importEntry(ctx: AwsContext, e: WalkEntry, collector: string): Promise<FileAccount> {
  const f = isRefusal(e) ? {file: e.file, status: 'refused' as const, loaded: 0, skipped: 0, skips: [], code: e.refused, reason: e.reason} : await readOne(ctx, e, collector)
  await record(ctx, f, collector)
  return f
}

async function readOne(ctx: AwsContext, input: Extract<WalkEntry, {uri: string}>, collector: string): Promise<FileAccount> {
  try {
    return await importFile(ctx.run, input, collector)
  } catch (error) {
    if (ctx.signal.aborted || isStoreWriteFailure(error)) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (code === undefined || !/^E[A-Z]+$/.test(code)) throw error
    return {file: input.uri, status: 'refused', loaded: 0, skipped: 0, skips: [], code: 'unreadable', reason: `the file cannot be read (${code}: ${(error as Error).message})`}
  }
}

/** The journal's note for a file, and its gap when anything in it was not loaded. */
async function record(ctx: AwsContext, f: FileAccount, collector: string): Promise<void> {
  await ctx.run.note('cloudtrail-import file', {...f})
  const gap = gapOf(f)
  if (gap) await ctx.gaps.add({collector, resource: f.file, ...gap})
}

function gapOf(f: FileAccount): {code: GapCode; reason: string} | undefined {
  if (f.status === 'refused') return f.code === 'same-file' ? undefined : {code: f.code as GapCode, reason: `not read: ${f.reason}`}
  if (f.status === 'not-cloudtrail') return {code: 'not-cloudtrail', reason: `not CloudTrail, not imported: ${f.reason}`}
  if (f.status === 'nothing-usable') return {code: 'no-records', reason: `nothing usable: ${f.reason}`}
  if (f.code !== undefined) {
    const kept = f.loaded > 0 ? `; the ${f.loaded} record(s) read before it were kept` : ''
    return {code: f.code as GapCode, reason: `malformed CloudTrail file: ${f.reason}${kept}${f.skipped > 0 ? `; skipped: ${describeSkips(f.skips)}` : ''}`}
  }
  if (f.skipped > 0) return {code: 'records-skipped', reason: `${f.skipped} of ${f.loaded + f.skipped} item(s) skipped: ${describeSkips(f.skips)}`}
  return undefined
}

function totals(perFile: FileAccount[], interrupted: boolean): ImportAccount {
  const count = (...s: FileAccount['status'][]): number => perFile.filter((f) => s.includes(f.status)).length
  const skips: Partial<Record<SkipReason, number>> = {}
  for (const f of perFile) for (const c of f.skips) skips[c.reason] = (skips[c.reason] ?? 0) + c.count
  return {
    files: perFile.length,
    read: count('imported', 'partial', 'nothing-usable', 'malformed', 'not-cloudtrail'),
    imported: count('imported'),
    partial: count('partial'),
    nothingUsable: count('nothing-usable'),
    malformed: count('malformed'),
    notCloudTrail: count('not-cloudtrail'),
    refused: count('refused'),
    notRead: count('not-read'),
    interrupted,
    records: perFile.reduce((n, f) => n + f.loaded, 0),
    skipped: perFile.reduce((n, f) => n + f.skipped, 0),
    skips,
    validation: 'unvalidated',
    perFile,
  }
}
