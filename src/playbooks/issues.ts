/**
 * Every problem `playbook validate` can report, by stable code (docs/playbooks.md describes each).
 * Scripts and tests may match on these; a code is never renamed or reused.
 */
export const ISSUE_CODES = [
  'yaml-syntax',
  'duplicate-key',
  'unknown-field',
  'missing-field',
  'invalid-value',
  'id-mismatch',
  'duplicate-step-id',
  'reserved-step-id',
  'unknown-step',
  'unknown-with-key',
  'missing-with-key',
  'invalid-with-value',
  'engine-managed-key',
  'unknown-parameter',
  'invalid-parameter',
  'unresolved-reference',
  'needs-cycle',
  'expression-syntax',
  'forbidden-name',
  'unknown-function',
  'contain-without-guard',
  'analysis-before-collection',
  'unused-parameter',
  'targets-unused',
] as const

export type IssueCode = (typeof ISSUE_CODES)[number]
export type Severity = 'error' | 'warning'

/** One problem in a playbook, where it is (1-based line and column) and what to do about it. */
export interface PlaybookIssue {
  file: string
  line: number
  col: number
  severity: Severity
  code: IssueCode
  message: string
}

/** `file:line:col  severity  code  message`, as validate prints each issue (the one formatIssue, as queries and rules print theirs). */
export {formatIssue} from '../analysis/issue.js'

export const hasErrors = (issues: readonly PlaybookIssue[]): boolean => issues.some((i) => i.severity === 'error')

/** Issues in file order, then by column, then by code, so output is stable. */
export function sortIssues(issues: readonly PlaybookIssue[]): PlaybookIssue[] {
  return [...issues].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.code.localeCompare(b.code) || a.message.localeCompare(b.message))
}
