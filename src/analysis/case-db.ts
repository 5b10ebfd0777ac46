import {existsSync} from 'node:fs'
import path from 'node:path'
import {usageError} from '../core/errors.js'
import type {StoreContext} from '../evidence/context.js'
import {assertCaseId} from '../evidence/keys.js'
import {defaultDbPath, loadCase, type LoadResult} from './load.js'

/** The database file a command works on: `--db`, else the default path of `--case`. */
export function resolveDbPath(flags: {db?: string | undefined; case?: string | undefined}): string {
  if (flags.db !== undefined) return path.resolve(flags.db)
  if (flags.case !== undefined) return defaultDbPath(assertCaseId(flags.case))
  throw usageError('no-case', 'Say which case to analyse: --case X (or --db PATH).', 'e.g. --case INC-2026-0042')
}

/**
 * The case database, built from the evidence first when it does not exist yet (so `query` and
 * `timeline` work on a fresh case); an existing database is used as it is: run `coroner load`
 * again to take in evidence collected since.
 */
export async function ensureCaseDb(ctx: StoreContext | undefined, caseId: string | undefined, dbPath: string): Promise<{dbPath: string; loaded?: LoadResult}> {
  if (existsSync(dbPath)) return {dbPath}
  if (ctx === undefined || caseId === undefined) {
    throw usageError('no-case-db', `There is no case database at ${dbPath}.`, 'Run `coroner load --case X` first, or pass --case so it is built now.')
  }
  ctx.logger.info(`No case database at ${dbPath} yet: loading case ${caseId} from ${ctx.store.location} first.`)
  const loaded = await loadCase(ctx.store, caseId, {dbPath, progress: ctx.progress})
  // What the load had to say (refused or unreadable evidence) is said by the command that needed it.
  for (const w of loaded.warnings) ctx.logger.warn(w)
  return {dbPath, loaded}
}
