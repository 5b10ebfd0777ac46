import {GetAccessKeyLastUsedCommand, GetRoleCommand, IAMClient} from '@aws-sdk/client-iam'
import {GetFunctionConfigurationCommand, LambdaClient} from '@aws-sdk/client-lambda'
import type {AwsEnv} from '../collectors/context.js'
import {roleNameOf} from '../collectors/iam-role.js'
import {parseFunctionTarget} from '../collectors/lambda-target.js'
import type {ActionTarget, ContainmentAction, TargetType} from './action.js'

/** What the responder named, before it is looked up. */
export interface TargetInput {
  functions: readonly string[]
  roles: readonly string[]
  accessKeys: readonly string[]
  /** Region of functions given by name; default: the configured region. */
  region?: string | undefined
  /** pin-alias: the alias of each function to point elsewhere. */
  alias?: string | undefined
}

/** Something named that could not be looked up, and the read that failed. */
export interface UnresolvedTarget {
  type: TargetType
  input: string
  region: string
  operation: string
  error: unknown
}

/** The resources behind what was named: functions (with their execution roles), roles, keys, aliases. */
export interface ResolvedTargets {
  functions: ActionTarget[]
  roles: ActionTarget[]
  accessKeys: ActionTarget[]
  aliases: ActionTarget[]
  unresolved: UnresolvedTarget[]
}

/** The reads that resolving targets makes; every containment step needs them. */
export const RESOLVE_PERMISSIONS = ['lambda:GetFunctionConfiguration', 'iam:GetRole', 'iam:GetAccessKeyLastUsed'] as const

const accountOf = (arn: string | undefined): string | null => arn?.split(':')[4] ?? null

/**
 * Looks up each named function (its ARN, account and execution role), role and access key (the
 * user that owns it). Read-only; nothing that fails to resolve is dropped: it is returned as
 * unresolved with the error, for the caller to record as a gap.
 */
export async function resolveTargets(env: AwsEnv, input: TargetInput): Promise<ResolvedTargets> {
  const out: ResolvedTargets = {functions: [], roles: [], accessKeys: [], aliases: [], unresolved: []}
  const opts = {abortSignal: env.signal}
  const roles = new Map<string, ActionTarget>()
  const addRole = (arnOrName: string, arn: string | null): void => {
    const name = roleNameOf(arnOrName)
    if (!roles.has(name)) roles.set(name, {type: 'role', name, arn, region: 'global', facts: {}})
  }
  for (const given of input.functions) {
    const t = parseFunctionTarget(given, input.region ?? env.aws.defaultRegion)
    try {
      const c = await env.aws.client(LambdaClient, t.region).send(new GetFunctionConfigurationCommand({FunctionName: t.functionName}), opts)
      const arn = c.FunctionArn ?? null
      const name = c.FunctionName ?? t.functionName
      out.functions.push({type: 'function', name, arn, region: t.region, facts: {functionName: name, account: accountOf(c.FunctionArn), role: c.Role ?? null}})
      if (c.Role !== undefined) addRole(c.Role, c.Role)
      if (input.alias !== undefined) {
        out.aliases.push({type: 'alias', name: `${name}:${input.alias}`, arn: arn === null ? null : `${arn}:${input.alias}`, region: t.region, facts: {functionName: name, alias: input.alias}})
      }
    } catch (error) {
      if (env.signal.aborted) throw error
      out.unresolved.push({type: 'function', input: given, region: t.region, operation: 'lambda:GetFunctionConfiguration', error})
    }
  }
  const iam = env.aws.client(IAMClient)
  for (const given of input.roles) {
    try {
      const r = await iam.send(new GetRoleCommand({RoleName: roleNameOf(given)}), opts)
      addRole(r.Role?.RoleName ?? given, r.Role?.Arn ?? null)
    } catch (error) {
      if (env.signal.aborted) throw error
      out.unresolved.push({type: 'role', input: given, region: 'global', operation: 'iam:GetRole', error})
    }
  }
  out.roles = [...roles.values()]
  for (const id of new Set(input.accessKeys)) {
    try {
      const used = await iam.send(new GetAccessKeyLastUsedCommand({AccessKeyId: id}), opts)
      out.accessKeys.push({type: 'access-key', name: id, arn: null, region: 'global', facts: {userName: used.UserName ?? null}})
    } catch (error) {
      if (env.signal.aborted) throw error
      out.unresolved.push({type: 'access-key', input: id, region: 'global', operation: 'iam:GetAccessKeyLastUsed', error})
    }
  }
  return out
}

/** The resolved targets one action changes. */
export function targetsFor(action: Pick<ContainmentAction, 'targetType'>, resolved: ResolvedTargets): ActionTarget[] {
  switch (action.targetType) {
    case 'function':
      return resolved.functions
    case 'alias':
      return resolved.aliases
    case 'role':
      return resolved.roles
    case 'access-key':
      return resolved.accessKeys
    case 'function-or-role':
      return [...resolved.functions, ...resolved.roles]
  }
}

/** A target as people read it: `function payments-api (eu-west-1)`. */
export const targetLabel = (t: Pick<ActionTarget, 'type' | 'name' | 'region'>): string => `${t.type} ${t.name}${t.region === 'global' ? '' : ` (${t.region})`}`
