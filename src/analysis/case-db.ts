import {existsSync} from 'node:fs'
import path from 'node:path'
import {CoronerError, usageError} from '../core/errors.js'
import {runFingerprints, type RunFingerprint} from '../evidence/case-index.js'
import type {StoreContext} from '../evidence/context.js'
import {assertCaseId} from '../evidence/keys.js'
import {AnalysisDb} from './db.js'
import {defaultDbPath, loadCase, type LoadResult} from './load.js'
import {CASE_DB_LAYOUT, readLoadRecord, type LoadRecord} from './load-record.js'

/** The database file a command works on: `--db`, else the default path of `--case`. */
export function resolveDbPath(flags: {db?: string | undefined; case?: string | undefined}): string {
  if (flags.db !== undefined) return path.resolve(flags.db)
  if (flags.case !== undefined) return defaultDbPath(assertCaseId(flags.case))
  throw usageError('no-case', 'Say which case to analyse: --case X (or --db PATH).', 'e.g. --case INC-2026-0042')
}

/**
 * The case database, as the store in use holds the case: built from the evidence first when it
 * does not exist yet (so `query` and `timeline` work on a fresh case), rebuilt with `reload`. An
 * existing database is used only when it belongs to this store and this case and was built from
 * the evidence the store holds now (no run sealed, removed or replaced since, by its `case_load`
 * record); otherwise it is refused, saying why.
 */
export async function ensureCaseDb(ctx: StoreContext, caseId: string | undefined, dbPath: string, options: {reload?: boolean} = {}): Promise<{dbPath: string; loaded?: LoadResult}> {
  if (existsSync(dbPath) && !options.reload) {
    await checkCaseDb(ctx, caseId, dbPath)
    return {dbPath}
  }
  const target = caseId ?? (existsSync(dbPath) ? (await recordOf(dbPath))?.caseId : undefined)
  if (target === undefined) throw usageError('no-case-db', `There is no case database at ${dbPath}.`, 'Run `coroner load --case X` first, or pass --case so it is built now.')
  ctx.logger.info(options.reload ? `Rebuilding ${dbPath} from case ${target} in ${ctx.store.location}.` : `No case database at ${dbPath} yet: loading case ${target} from ${ctx.store.location} first.`)
  const loaded = await loadCase(ctx.store, target, {dbPath, progress: ctx.progress, signal: ctx.signal, ...(ctx.openRun === undefined ? {} : {openRun: ctx.openRun})})
  // What the load had to say (refused or unreadable evidence) is said by the command that needed it.
  for (const w of loaded.warnings) ctx.logger.warn(w)
  return {dbPath, loaded}
}

async function recordOf(dbPath: string): Promise<LoadRecord | undefined> {
  const db = await AnalysisDb.open(dbPath, {readOnly: true})
  try {
    return await readLoadRecord(db)
  } finally {
    db.close()
  }
}

/**
 * Refuses a database of another case or of other evidence, or one coroner load did not build. A
 * database belongs to the evidence it was built from: the case, and every run with its manifest's
 * SHA-256. Another store that holds exactly that (a pulled copy and its source) is the same
 * evidence; any other is refused, and so is the same store once a run was sealed, removed or
 * replaced since.
 */
async function checkCaseDb(ctx: StoreContext, caseId: string | undefined, dbPath: string): Promise<void> {
  const record = await recordOf(dbPath)
  const reload = `pass --reload to rebuild it from ${ctx.store.location}${caseId === undefined ? ' (with --case)' : ''}, or run \`coroner load\``
  if (!record) throw foreign(`${dbPath} was not built by coroner load (it has no case_load record): it may be another tool's file, or crafted.`, reload)
  if (record.layout !== CASE_DB_LAYOUT) {
    throw new CoronerError('case-db-layout', `${dbPath} was built by ${record.tool} with tables laid out differently (layout ${record.layout}; this coroner reads layout ${CASE_DB_LAYOUT}): its answers could be wrong or fail.`, {hint: `${capital(reload)}.`})
  }
  if (caseId !== undefined && record.caseId !== caseId) throw foreign(`${dbPath} holds case ${record.caseId}, not ${caseId}.`, reload)
  if (record.store === ctx.store.location) return compareRuns(record, await fingerprints(ctx.store, record), dbPath, reload)
  // With --db alone and no store named, the database is checked against the store it was built from.
  if (caseId === undefined && ctx.storeNamed === false) {
    const {openStore} = await import('../evidence/open-store.js')
    const own = await openStore(record.store)
    try {
      return compareRuns(record, await fingerprints(own, record), dbPath, reload)
    } finally {
      await own.close()
    }
  }
  const here = await fingerprints(ctx.store, record)
  if (differences(record, here).length > 0) {
    throw foreign(`${dbPath} was built from store ${record.store}, and ${ctx.store.location} holds other evidence of case ${record.caseId}: its answers would not come from this store.`, `Pass --store ${record.store.replace(/^file:\/\//, '')}, or ${reload}.`)
  }
  ctx.logger.info(`${dbPath} was built from ${record.store}, which holds the same runs and manifests as ${ctx.store.location}.`)
}

/** The runs the database was built from against the runs the store holds now. */
function compareRuns(record: LoadRecord, now: RunFingerprint[], dbPath: string, reload: string): void {
  const changes = differences(record, now)
  if (changes.length === 0) return
  throw new CoronerError('case-db-stale', `${dbPath} was built (${record.loadedAt}) from older evidence of case ${record.caseId} than ${record.store} holds now: ${changes.slice(0, 5).join('; ')}${changes.length > 5 ? `; and ${changes.length - 5} more` : ''}.`, {hint: `${capital(reload)}.`})
}

/** The runs a store holds now, with the artifacts of any run the database was built inside. */
const fingerprints = (store: StoreContext['store'], record: LoadRecord): Promise<RunFingerprint[]> =>
  runFingerprints(store, record.caseId, {artifactsOf: new Set(record.runs.filter((r) => r.loadedOpen !== undefined).map((r) => r.runId))})

/** How the runs a store holds differ from those a database was built from. */
function differences(record: LoadRecord, now: RunFingerprint[]): string[] {
  const then = new Map(record.runs.map((r) => [r.runId, r]))
  const changes: string[] = []
  for (const r of now) {
    const was = then.get(r.runId)
    if (!was) changes.push(`run ${r.runId} ${r.sealed ? 'was sealed' : 'began'} after it was built`)
    else if (was.sealed !== r.sealed) {
      // The run the database was built inside, sealed since with nothing recorded after the load.
      if (!(r.sealed && was.loadedOpen !== undefined && r.artifactsDigest === was.loadedOpen)) changes.push(`run ${r.runId} ${r.sealed ? 'sealed' : 'lost its manifest'} since`)
    } else if (was.manifestSha256 !== r.manifestSha256) changes.push(`the manifest of run ${r.runId} is not the one it was built from`)
    then.delete(r.runId)
  }
  for (const r of then.values()) changes.push(`run ${r.runId} is no longer in the store`)
  return changes
}

const capital = (text: string): string => `${text[0]!.toUpperCase()}${text.slice(1)}`

const foreign = (message: string, hint: string): CoronerError => new CoronerError('case-db-foreign', message, {hint: capital(hint)})
