/**
 * CloudTrail Lake hands every column of a query result back as text: scalars as they are, and
 * structs, maps and arrays (userIdentity, requestParameters, resources) in the engine's own form,
 * `{key=value, other={…}}` and `[…]`, struct field names in lower case. This reads that form back
 * into JSON values where it parses, restoring CloudTrail's field names, and keeps the text as it is
 * where it does not: a value is never lost, at worst it stays a string.
 */

const names = (list: string[]): Record<string, string> => Object.fromEntries(list.map((n) => [n.toLowerCase(), n]))

/** CloudTrail's names for the struct fields Lake lower-cases, by column; other columns (maps) keep their keys. */
const FIELD_NAMES: Record<string, Record<string, string>> = {
  userIdentity: names([
    'type', 'principalId', 'arn', 'accountId', 'accessKeyId', 'userName', 'sessionContext', 'attributes', 'creationDate',
    'mfaAuthenticated', 'sessionIssuer', 'webIdFederationData', 'federatedProvider', 'sourceIdentity', 'ec2RoleDelivery',
    'assumedRoot', 'invokedBy', 'identityProvider', 'credentialId', 'onBehalfOf', 'userId', 'identityStoreArn', 'inScopeOf',
    'issuerType', 'credentialsIssuedTo', 'originatingAccountId',
  ]),
  resources: names(['ARN', 'accountId', 'type']),
  tlsDetails: names(['tlsVersion', 'cipherSuite', 'clientProvidedHostHeader']),
}

export function parseLakeValue(column: string, text: unknown): unknown {
  if (typeof text !== 'string') return text
  const t = text.trim()
  if (t.startsWith('{"') || t.startsWith('[{"')) {
    try {
      return JSON.parse(t) as unknown
    } catch {
      // Not JSON after all: Lake's own form, below.
    }
  }
  if (!(t.startsWith('{') && t.endsWith('}')) && !(t.startsWith('[') && t.endsWith(']'))) return text
  const parser = new LakeText(t, FIELD_NAMES[column])
  const value = parser.value()
  return parser.done() ? value : text
}

class LakeText {
  private at = 0
  private ok = true
  constructor(
    private readonly text: string,
    private readonly fields: Record<string, string> | undefined,
  ) {}

  done(): boolean {
    return this.ok && this.at === this.text.length
  }

  value(): unknown {
    const c = this.text[this.at]
    if (c === '{') return this.map()
    if (c === '[') return this.list()
    return this.scalar()
  }

  private map(): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    this.at++
    while (this.ok && this.text[this.at] !== '}') {
      const eq = this.text.indexOf('=', this.at)
      if (eq < 0) {
        this.ok = false
        break
      }
      const raw = this.text.slice(this.at, eq).trim()
      this.at = eq + 1
      out[this.fields?.[raw.toLowerCase()] ?? raw] = this.value()
      this.separator('}')
    }
    this.at++
    return out
  }

  private list(): unknown[] {
    const out: unknown[] = []
    this.at++
    while (this.ok && this.text[this.at] !== ']') {
      out.push(this.value())
      this.separator(']')
    }
    this.at++
    return out
  }

  /** A scalar runs to the next `, ` or closing bracket at its own level. */
  private scalar(): unknown {
    let end = this.at
    while (end < this.text.length && !(this.text.startsWith(', ', end) || this.text[end] === '}' || this.text[end] === ']')) end++
    const raw = this.text.slice(this.at, end)
    this.at = end
    return raw === 'null' ? null : raw
  }

  private separator(close: string): void {
    if (this.text.startsWith(', ', this.at)) this.at += 2
    else if (this.text[this.at] !== close) this.ok = false
  }
}
