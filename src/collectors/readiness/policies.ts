/** Reading IAM policy documents for what a responder fears most: too much power, or anyone let in. */

interface Statement {
  Sid?: string
  Effect?: string
  Action?: string | string[]
  NotAction?: string | string[]
  Resource?: string | string[]
  Principal?: unknown
  Condition?: Record<string, Record<string, unknown>>
}

const list = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)])

/** The statements of a policy document (one or a list); anything else has none. */
export function statementsOf(document: unknown): Statement[] {
  const st = (document as {Statement?: unknown} | null)?.Statement
  if (st === undefined || st === null) return []
  return (Array.isArray(st) ? st : [st]).filter((s): s is Statement => typeof s === 'object' && s !== null)
}

export interface BroadGrant {
  policy: string
  sid?: string
  kind: 'administrator' | 'wildcard-action' | 'not-action'
  actions: string[]
}

/**
 * Allow statements that grant every action (`*`), every action of a service (`iam:*`) or
 * everything but some (`NotAction`), in the documents of a role's policies.
 */
export function broadGrants(policies: ReadonlyArray<{name: string; document: unknown}>): BroadGrant[] {
  const out: BroadGrant[] = []
  for (const p of policies) {
    for (const s of statementsOf(p.document)) {
      if (s.Effect !== 'Allow') continue
      const sid = s.Sid === undefined ? {} : {sid: s.Sid}
      const everyResource = list(s.Resource).includes('*')
      if (s.NotAction !== undefined) {
        out.push({policy: p.name, ...sid, kind: 'not-action', actions: list(s.NotAction)})
        continue
      }
      const actions = list(s.Action)
      if (actions.some((a) => a === '*' || a === '*:*') && everyResource) out.push({policy: p.name, ...sid, kind: 'administrator', actions: ['*']})
      else {
        const wild = actions.filter((a) => a === '*' || /^[a-z0-9-]+:\*$/i.test(a))
        if (wild.length > 0) out.push({policy: p.name, ...sid, kind: 'wildcard-action', actions: wild})
      }
    }
  }
  return out
}

/** Condition keys that tie a grant to a caller, a source resource or an organization. */
const RESTRICTING_KEYS = ['aws:sourceaccount', 'aws:sourcearn', 'aws:sourceowner', 'aws:principalorgid', 'aws:principalaccount', 'aws:principalarn', 'aws:sourceorgid', 'aws:sourceorgpaths', 'aws:principalorgpaths', 'aws:sourcevpc', 'aws:sourcevpce', 'aws:sourceip']

const restrictingCondition = (s: Statement): boolean =>
  Object.values(s.Condition ?? {}).some((byKey) => Object.keys(byKey ?? {}).some((k) => RESTRICTING_KEYS.includes(k.toLowerCase())))

export interface OpenGrant {
  sid?: string
  principal: string
  actions: string[]
  why: string
}

/** The principals a statement names: `*`, account ids or ARNs, and service principals. */
function principals(p: unknown): {anyone: boolean; aws: string[]; services: string[]} {
  if (p === '*') return {anyone: true, aws: [], services: []}
  if (typeof p === 'string') return /\.amazonaws\.com$/.test(p) ? {anyone: false, aws: [], services: [p]} : {anyone: false, aws: [p], services: []}
  const o = (p ?? {}) as Record<string, unknown>
  const aws = list(o.AWS)
  return {anyone: aws.includes('*'), aws: aws.filter((a) => a !== '*'), services: list(o.Service)}
}

const accountOf = (principal: string): string | undefined => (/^\d{12}$/.test(principal) ? principal : /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):/.exec(principal)?.[2])

/**
 * Who a function's resource policy lets in without a condition that ties them down: anyone
 * (`public`), another account, or a service principal with no source account or ARN (which any
 * account's resource of that service could then use, the confused deputy).
 */
export function openGrants(policy: unknown, ownAccount: string): {public: OpenGrant[]; crossAccount: OpenGrant[]} {
  const out = {public: [] as OpenGrant[], crossAccount: [] as OpenGrant[]}
  for (const s of statementsOf(policy)) {
    if (s.Effect !== 'Allow' || restrictingCondition(s)) continue
    const sid = s.Sid === undefined ? {} : {sid: s.Sid}
    const actions = list(s.Action)
    const p = principals(s.Principal)
    const urlNone = JSON.stringify(s.Condition ?? {}).includes('"NONE"')
    if (p.anyone) out.public.push({...sid, principal: '*', actions, why: urlNone ? 'anyone, through the function URL with auth NONE' : 'anyone (Principal *) with no condition on the caller'})
    for (const a of p.aws) {
      const account = accountOf(a)
      if (account !== ownAccount) out.crossAccount.push({...sid, principal: a, actions, why: account === undefined ? 'a principal outside the account' : `account ${account}, with no condition`})
    }
    for (const svc of p.services) out.crossAccount.push({...sid, principal: svc, actions, why: 'a service principal with no aws:SourceAccount or aws:SourceArn condition: any account can point that service at the function'})
  }
  return out
}
