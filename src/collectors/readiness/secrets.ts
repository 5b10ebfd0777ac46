/**
 * Whether a Lambda environment variable holds a secret in plain text. The value is looked at here
 * and nowhere else: what leaves this module is the variable's name, the value's length and why it
 * looks secret, never the value or any part of it.
 */

export interface SecretVariable {
  name: string
  length: number
  why: string
}

/** A value that points at a secret kept elsewhere (Secrets Manager, SSM Parameter Store), which is what should be there. */
export function isSecretReference(value: string): boolean {
  const v = value.trim()
  return (
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/.test(v) ||
    /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9/_.-]+$/.test(v) ||
    /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+$/.test(v) ||
    // An SSM parameter name: a path of at least two segments (`/prod/db/password`).
    /^\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/.test(v) ||
    /^\{\{resolve:(ssm|ssm-secure|secretsmanager):[^}]+\}\}$/.test(v)
  )
}

const SECRET_NAME = /(pass(word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|private[_-]?key|access[_-]?key|credential|auth[_-]?(key|token|secret)|session[_-]?key|signing[_-]?key|dsn|conn(ection)?[_-]?str)/i
/** Names that mention a secret but hold its location or a non-secret setting. */
const REFERENCE_NAME = /(_ARN|_PARAM(ETER)?(_NAME)?|_SECRET_ID|_SECRET_NAME|_KEY_ID|_PATH|_URL_PATH|_TTL|_EXPIRY|_ENDPOINT|_REGION|_HEADER(_NAME)?|_ENABLED|_TYPE)$/i

/** Shapes of values that are secrets whatever the variable is called; the first that matches says why. */
const SECRET_VALUES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}$/, 'has the shape of an AWS access key id'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'holds a PEM private key'],
  [/^eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*$/, 'has the shape of a JSON Web Token'],
  [/^gh[pousr]_[A-Za-z0-9]{36,}$/, 'has the shape of a GitHub token'],
  [/^xox[abposr]-[A-Za-z0-9-]{10,}$/, 'has the shape of a Slack token'],
  [/^(sk|rk)_(live|test)_[A-Za-z0-9]{16,}$/, 'has the shape of a Stripe secret key'],
  [/^AIza[A-Za-z0-9_-]{35}$/, 'has the shape of a Google API key'],
  [/^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, 'is a URL with a password in it'],
]

/** Shannon entropy in bits per character. */
function entropy(s: string): number {
  const counts = new Map<string, number>()
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1)
  let h = 0
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length)
  return h
}

/** Values that are plainly not secrets: numbers, booleans, ARNs, URLs without credentials, paths, dates, UUIDs, hosts. */
function plainlyNotSecret(v: string): boolean {
  return (
    v.length < 8 ||
    /^(true|false|yes|no|on|off|null|none)$/i.test(v) ||
    /^-?\d+(\.\d+)?$/.test(v) ||
    /^arn:/.test(v) ||
    /^[a-z][a-z0-9+.-]*:\/\/[^@\s]*$/i.test(v) ||
    /^\.{0,2}\//.test(v) ||
    /^\d{4}-\d{2}-\d{2}([T ][\d:.]+Z?)?$/.test(v) ||
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v) ||
    /^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?$/i.test(v) ||
    /\s/.test(v)
  )
}

/** Why a value looks secret by itself, or undefined. */
function valueLooksSecret(v: string): string | undefined {
  for (const [shape, why] of SECRET_VALUES) if (shape.test(v)) return why
  if (plainlyNotSecret(v)) return undefined
  // An AWS secret access key: 40 characters of base64, random-looking.
  if (/^[A-Za-z0-9/+]{40}$/.test(v) && entropy(v) > 4.2) return 'has the shape of an AWS secret access key'
  if (/^[A-Za-z0-9/+_=-]{24,}$/.test(v) && entropy(v) > 4.5) return 'is a long random-looking string (high entropy), as keys and tokens are'
  // Letters, digits and a symbol of the kind passwords use (not the - _ . : / of names, versions and paths).
  if (v.length <= 64 && /[A-Za-z]/.test(v) && /\d/.test(v) && /[!@#$%^&*()+?~|<>;]/.test(v) && !/^[{[]/.test(v) && !v.includes('=')) {
    return 'looks like a password (letters, digits and symbols mixed)'
  }
  return undefined
}

/**
 * The variables that look like plain-text secrets, in name order: by the shape of the value, or
 * by a name that says secret holding a value that is no reference to Secrets Manager or SSM.
 */
export function secretVariables(variables: Record<string, string> | undefined): SecretVariable[] {
  const out: SecretVariable[] = []
  for (const name of Object.keys(variables ?? {}).sort()) {
    const value = variables![name] ?? ''
    if (value.trim() === '' || isSecretReference(value)) continue
    const byValue = valueLooksSecret(value)
    const byName = SECRET_NAME.test(name) && !REFERENCE_NAME.test(name) && !/^(true|false|\d+)$/i.test(value.trim())
    if (byValue !== undefined) out.push({name, length: value.length, why: `the value ${byValue}`})
    else if (byName) out.push({name, length: value.length, why: 'the name says it holds a secret and the value is no Secrets Manager or SSM reference'})
  }
  return out
}
