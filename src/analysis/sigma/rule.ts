import {CoronerError} from '../../core/errors.js'
import type {SigmaErrorCode} from '../../core/error-codes.js'
/** Severity levels of Sigma rules, lowest first. */
export const SIGMA_LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const
export type SigmaLevel = (typeof SIGMA_LEVELS)[number]

/** Where something sits in a rule file, 1-based. */
export interface SourcePosition {
  line: number
  col: number
}

/**
 * One finding about a rule file, in the shape pySigma's checker prints:
 * `file:line:col  severity  code  message`. Codes are stable identifiers.
 */
export interface RuleIssue {
  file: string
  line: number
  col: number
  severity: 'error' | 'warning'
  code: string
  message: string
}

/** A parsed Sigma rule: its metadata, and the detection section kept as plain data. */
export interface SigmaRule {
  /** The file the rule came from (as given to the parser). */
  path: string
  title: string
  id: string | undefined
  status: string | undefined
  description: string | undefined
  author: string | undefined
  references: string[]
  date: string | undefined
  level: SigmaLevel | undefined
  tags: string[]
  logsource: {product?: string; service?: string; category?: string}
  detection: Record<string, unknown>
  falsepositives: string[]
  /** Positions of detection keys (`selection`, `selection.eventName|contains`, `condition`) for issues. */
  positions: Map<string, SourcePosition>
}

/** A bound SQL parameter: every value from a rule reaches DuckDB this way, never spliced into the text. */
export type SqlParam = string | number | boolean

/** A rule turned into a DuckDB boolean expression over `raw` with `?` placeholders and their values, in order. */
export interface CompiledRule {
  rule: SigmaRule
  sql: string
  params: SqlParam[]
}

/** A rule that cannot be run, and the construct that stopped it. */
export interface UnsupportedRule {
  rule: SigmaRule | undefined
  path: string
  /** Stable code, e.g. `unsupported-aggregation`. */
  code: SigmaErrorCode
  /** The construct named, e.g. `count() aggregation`, `near`, `modifier 'expand'`. */
  construct: string
  message: string
  line: number
  col: number
  /** `error`: the rule is broken; `warning`: valid Sigma that coroner cannot run. */
  severity: 'error' | 'warning'
}

/** Raised inside the compiler; turned into an UnsupportedRule or an error issue by the caller. */
export class SigmaCompileError extends CoronerError {
  declare readonly code: SigmaErrorCode
  constructor(
    code: SigmaErrorCode,
    readonly construct: string,
    message: string,
    readonly position?: SourcePosition,
    /** `error` for a broken rule, `warning` for a valid rule using something coroner cannot run. */
    readonly severity: 'error' | 'warning' = 'warning',
  ) {
    super(code, message)
    this.name = 'SigmaCompileError'
  }
}

export const levelRank = (level: SigmaLevel | undefined): number => (level === undefined ? 0 : SIGMA_LEVELS.indexOf(level))
