import {redactedAs} from '../core/text.js'

/**
 * Lambda environment variables for display: the names stay (they tell a responder what the
 * function is wired to), the values are shown as `[redacted:NAME]` unless the responder asked to see secrets.
 * The evidence itself always keeps the values as AWS returned them.
 */
export function redactEnvironment(variables: Record<string, string> | undefined, showSecrets: boolean): Record<string, string> | undefined {
  if (variables === undefined) return undefined
  if (showSecrets) return {...variables}
  return Object.fromEntries(Object.keys(variables).map((name) => [name, redactedAs(name)]))
}
