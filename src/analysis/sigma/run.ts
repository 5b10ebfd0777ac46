import type {Progress} from '../../core/progress.js'
import {defaultDbPath} from '../load.js'
import {huntCase, openCaseDatabase, type HuntResult} from './hunt.js'
import {BUILTIN_RULES_DIR, loadRules, type RuleSet} from './load.js'
import type {RuleIssue, SigmaLevel} from './rule.js'

export interface HuntRequest {
  caseId: string
  /** The case's DuckDB file; default `./coroner-analysis/<case>/case.duckdb`. */
  db?: string
  /** Extra rule files or directories. */
  rules?: readonly string[]
  /** Include the shipped rules from queries/sigma (default true). */
  builtin?: boolean
  minLevel?: SigmaLevel
  maxHitsPerRule?: number
  progress?: Progress
  signal?: AbortSignal
}

export interface HuntReport extends HuntResult {
  caseId: string
  db: string
  ruleSources: string[]
  /** Rule files that could not be read as Sigma (YAML errors, missing fields). */
  invalid: RuleIssue[]
}

/** Loads the rules, opens the case database read-only and hunts; the database is closed afterwards. */
export async function huntCaseDatabase(request: HuntRequest): Promise<HuntReport> {
  const sources = [...(request.builtin === false ? [] : [BUILTIN_RULES_DIR]), ...(request.rules ?? [])]
  const db = request.db ?? defaultDbPath(request.caseId)
  const rules: RuleSet = sources.length === 0 ? {compiled: [], unsupported: [], issues: [], files: 0} : await loadRules(sources)
  const database = await openCaseDatabase(db, request.caseId, request.signal)
  try {
    const result = await huntCase(database.connection, rules, {
      ...(request.minLevel === undefined ? {} : {minLevel: request.minLevel}),
      ...(request.maxHitsPerRule === undefined ? {} : {maxHitsPerRule: request.maxHitsPerRule}),
      ...(request.progress === undefined ? {} : {progress: request.progress}),
      ...(request.signal === undefined ? {} : {signal: request.signal}),
    })
    return {...result, caseId: request.caseId, db, ruleSources: sources, invalid: rules.issues.filter((i) => i.severity === 'error' && !rules.unsupported.some((u) => u.path === i.file))}
  } finally {
    database.close()
  }
}
