/** One problem in a file a responder wrote (a named query, a Sigma rule), and where it is. */
export interface PositionedIssue {
  file: string
  line: number
  severity: string
  code: string
  message: string
}

/**
 * An issue as validation prints it, `file:line:col  severity  code  message` (pySigma style), for
 * queries (`column`) and rules (`col`) alike. The one formatIssue.
 */
export function formatIssue(i: PositionedIssue & ({column: number} | {col: number})): string {
  return `${i.file}:${i.line}:${'column' in i ? i.column : i.col}  ${i.severity}  ${i.code}  ${i.message}`
}
