import type {JsonObject} from './action.js'

/** One statement of a Lambda resource-based policy, as GetPolicy returns it (AWS's shape, or moto's). */
export interface PolicyStatement {
  Sid?: string
  Effect?: string
  Principal?: unknown
  Action?: unknown
  Resource?: unknown
  Condition?: Record<string, Record<string, unknown>>
  /** moto 5.2.1 writes AddPermission's FunctionUrlAuthType here instead of into Condition. */
  FunctionUrlAuthType?: string
}

type Principal = {kind: 'any' | 'aws' | 'service' | 'federated'; value: string}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)])

/** A principal written as a bare string: `*`, an account id or IAM ARN, or a service (moto writes services bare). */
function bare(value: string): Principal {
  if (value === '*') return {kind: 'any', value}
  if (/^\d{12}$/.test(value) || value.startsWith('arn:')) return {kind: 'aws', value}
  return /\.amazon(aws)?\.com(\.cn)?$/.test(value) ? {kind: 'service', value} : {kind: 'aws', value}
}

/** Every principal a statement names. */
export function principalsOf(st: PolicyStatement): Principal[] {
  const p = st.Principal
  if (typeof p === 'string') return [bare(p)]
  if (p === null || typeof p !== 'object') return []
  const o = p as Record<string, unknown>
  return [
    ...list(o.AWS).map((v) => (v === '*' ? {kind: 'any' as const, value: v} : {kind: 'aws' as const, value: v})),
    ...list(o.Service).map((v) => ({kind: 'service' as const, value: v})),
    ...list(o.Federated).map((v) => ({kind: 'federated' as const, value: v})),
  ]
}

/** The account of an account id or an IAM/STS ARN. */
export function principalAccount(value: string): string | undefined {
  if (/^\d{12}$/.test(value)) return value
  return /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(value)?.[1]
}

/** A condition value, matching the operator exactly and the key case-insensitively (AWS writes `AWS:SourceArn`). */
export function conditionValue(st: PolicyStatement, operators: readonly string[], key: string): string | undefined {
  for (const op of operators) {
    const block = st.Condition?.[op]
    if (!block) continue
    for (const [k, v] of Object.entries(block)) if (k.toLowerCase() === key.toLowerCase()) return list(v)[0]
  }
  return undefined
}

const sourceAccount = (st: PolicyStatement) => conditionValue(st, ['StringEquals'], 'aws:SourceAccount')
const sourceArn = (st: PolicyStatement) => conditionValue(st, ['ArnLike', 'ArnEquals'], 'aws:SourceArn')

/**
 * Why a statement opens the function beyond its own account, or undefined when it does not: it
 * grants `*` (unless limited to the function's own account by aws:SourceAccount), another account,
 * a federated principal, a service on behalf of another account or of any account (no SourceAccount,
 * SourceArn or EventSourceToken: the confused deputy), or, with `includeServices`, any service.
 */
export function openness(st: PolicyStatement, ownAccount: string | null, includeServices: boolean): string | undefined {
  if (st.Effect !== undefined && st.Effect !== 'Allow') return undefined
  const sa = sourceAccount(st)
  for (const p of principalsOf(st)) {
    if (p.kind === 'any') {
      if (sa !== undefined && sa === ownAccount) continue
      const org = conditionValue(st, ['StringEquals'], 'aws:PrincipalOrgID')
      return `grants every principal (*)${org === undefined ? '' : `, limited only to organization ${org}`}${sa === undefined ? '' : ` and account ${sa}`}`
    }
    if (p.kind === 'federated') return `grants the federated principal ${p.value}`
    if (p.kind === 'aws') {
      const account = principalAccount(p.value)
      if (account !== undefined && account !== ownAccount) return `grants account ${account} (${p.value})`
      continue
    }
    if (includeServices) return `grants the service ${p.value} (--include-services)`
    if (sa !== undefined && sa !== ownAccount) return `grants the service ${p.value} on behalf of account ${sa}`
    if (sa === undefined && sourceArn(st) === undefined && conditionValue(st, ['StringEquals'], 'lambda:EventSourceToken') === undefined) {
      return `grants the service ${p.value} on behalf of any account (no SourceAccount or SourceArn condition)`
    }
  }
  return undefined
}

/** Condition keys AddPermission can set, by operator and lower-case key. */
const CONDITION_PARAMS: ReadonlyArray<{operators: readonly string[]; key: string; param: string}> = [
  {operators: ['ArnLike', 'ArnEquals'], key: 'aws:sourcearn', param: 'SourceArn'},
  {operators: ['StringEquals'], key: 'aws:sourceaccount', param: 'SourceAccount'},
  {operators: ['StringEquals'], key: 'aws:principalorgid', param: 'PrincipalOrgID'},
  {operators: ['StringEquals'], key: 'lambda:functionurlauthtype', param: 'FunctionUrlAuthType'},
  {operators: ['StringEquals'], key: 'lambda:eventsourcetoken', param: 'EventSourceToken'},
  {operators: ['Bool'], key: 'lambda:invokedviafunctionurl', param: 'InvokedViaFunctionUrl'},
]

/**
 * The AddPermission parameters that re-create a statement (principal, action, source ARN and
 * account, organization, URL auth type, event source token, qualifier), and what of the statement
 * AddPermission cannot express, if anything: undo then restores it without that.
 */
export function addPermissionFor(st: PolicyStatement, functionName: string, qualifier: string | undefined): {parameters: JsonObject; lost: string[]} {
  const lost: string[] = []
  const parameters: JsonObject = {FunctionName: functionName, StatementId: st.Sid ?? ''}
  if (st.Sid === undefined) lost.push('Sid')
  const actions = list(st.Action)
  if (actions.length !== 1) lost.push(`Action ${JSON.stringify(st.Action)}`)
  parameters.Action = actions[0] ?? 'lambda:InvokeFunction'
  const principals = principalsOf(st)
  if (principals.length !== 1) lost.push(`Principal ${JSON.stringify(st.Principal)}`)
  parameters.Principal = principals[0]?.value ?? '*'
  for (const [op, block] of Object.entries(st.Condition ?? {})) {
    for (const [key, value] of Object.entries(block)) {
      const known = CONDITION_PARAMS.find((c) => c.operators.includes(op) && c.key === key.toLowerCase())
      const values = list(value)
      if (!known || values.length !== 1) {
        lost.push(`Condition ${op} ${key}`)
        continue
      }
      parameters[known.param] = known.param === 'InvokedViaFunctionUrl' ? values[0] === 'true' : values[0]!
    }
  }
  if (st.FunctionUrlAuthType !== undefined) parameters.FunctionUrlAuthType = st.FunctionUrlAuthType
  if (qualifier !== undefined) parameters.Qualifier = qualifier
  return {parameters, lost}
}
