import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  type AttachedPolicy,
  type Role,
} from '@aws-sdk/client-iam'
import type {AwsContext, AwsEnv} from './context.js'
import type {ArtifactRecord} from '../evidence/manifest.js'
import type {CollectorDefinition} from './definition.js'

export const iamRoleCollector: CollectorDefinition = {
  id: 'iam-role',
  title: 'IAM role: trust policy, inline and attached managed policies with their default versions',
  operations: ['iam:GetRole', 'iam:ListRolePolicies', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies', 'iam:GetPolicy', 'iam:GetPolicyVersion'],
  permissions: ['iam:GetRole', 'iam:ListRolePolicies', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies', 'iam:GetPolicy', 'iam:GetPolicyVersion'],
  produces: ['iam.role', 'iam.role-policies'],
}

const COLLECTOR = iamRoleCollector.id

/**
 * A policy document as IAM returns it, URL-encoded JSON (moto returns some documents plain), as
 * parsed JSON; a document that is neither is kept as the string it was.
 */
export function decodePolicyDocument(document: string | undefined): unknown {
  if (document === undefined) return undefined
  try {
    return JSON.parse(document)
  } catch {
    try {
      return JSON.parse(decodeURIComponent(document))
    } catch {
      return document
    }
  }
}

/** The role name in a role ARN (`arn:aws:iam::123:role/path/name`), or the name itself. */
export function roleNameOf(roleArnOrName: string): string {
  const m = /^arn:aws[a-z-]*:iam::\d*:role\/(.+)$/.exec(roleArnOrName)
  return m ? m[1]!.split('/').at(-1)! : roleArnOrName
}

export interface RoleCollection {
  roleName: string
  roleArn?: string
  artifacts: ArtifactRecord[]
}

const withSignal = (ctx: AwsEnv) => ({abortSignal: ctx.signal})

/**
 * How a role reader runs one IAM call: its value, or undefined once the failure was dealt with
 * (a gap for the collector, an unanswered check for the readiness audit).
 */
export type IamAttempt = <T>(operation: string, resource: string, work: () => Promise<T>) => Promise<T | undefined>

/** A role as read from IAM: GetRole (trust policy decoded), inline and attached policies, boundary; `failures` counts the calls that failed. */
export interface RoleDocuments {
  role?: Record<string, unknown> & {Role?: Role | undefined}
  inline: Array<{PolicyName: string; PolicyDocument?: unknown}>
  attached: Array<Record<string, unknown>>
  boundary?: Record<string, unknown>
  failures: number
}

/**
 * Reads one IAM role with every policy document that decides what it may do: GetRole, each
 * inline policy, each attached managed policy and the permissions boundary, with their default
 * versions (documents decoded). Without GetRole nothing else is read.
 */
export async function readRole(ctx: AwsEnv, roleArnOrName: string, attempt: IamAttempt): Promise<RoleDocuments> {
  const roleName = roleNameOf(roleArnOrName)
  const iam = ctx.aws.client(IAMClient)
  const out: RoleDocuments = {inline: [], attached: [], failures: 0}
  const got = await attempt('iam:GetRole', roleArnOrName, () => iam.send(new GetRoleCommand({RoleName: roleName}), withSignal(ctx)))
  if (got === undefined) {
    out.failures++
    return out
  }
  const {$metadata: _m, ...body} = got
  out.role = body.Role === undefined ? body : {...body, Role: {...body.Role, AssumeRolePolicyDocument: decodePolicyDocument(body.Role.AssumeRolePolicyDocument) as string}}
  const names = await attempt('iam:ListRolePolicies', roleArnOrName, async () => {
    const all: string[] = []
    for await (const page of paginateListRolePolicies({client: iam}, {RoleName: roleName})) all.push(...(page.PolicyNames ?? []))
    return all
  })
  if (names === undefined) out.failures++
  for (const name of names ?? []) {
    const p = await attempt('iam:GetRolePolicy', `${roleArnOrName} inline policy ${name}`, () => iam.send(new GetRolePolicyCommand({RoleName: roleName, PolicyName: name}), withSignal(ctx)))
    if (p === undefined) out.failures++
    out.inline.push(p === undefined ? {PolicyName: name} : {PolicyName: name, PolicyDocument: decodePolicyDocument(p.PolicyDocument)})
  }
  const attached = await attempt('iam:ListAttachedRolePolicies', roleArnOrName, async () => {
    const all: AttachedPolicy[] = []
    for await (const page of paginateListAttachedRolePolicies({client: iam}, {RoleName: roleName})) all.push(...(page.AttachedPolicies ?? []))
    return all
  })
  if (attached === undefined) out.failures++
  for (const a of attached ?? []) {
    if (a.PolicyArn === undefined) continue
    const entry = await managedPolicy(ctx, iam, attempt, a.PolicyArn, roleArnOrName)
    if (entry.failed) out.failures++
    out.attached.push({PolicyName: a.PolicyName, PolicyArn: a.PolicyArn, ...entry.data})
  }
  // A permissions boundary caps what the role may do; its document belongs with the others.
  const boundaryArn = body.Role?.PermissionsBoundary?.PermissionsBoundaryArn
  if (boundaryArn !== undefined) {
    const entry = await managedPolicy(ctx, iam, attempt, boundaryArn, roleArnOrName)
    if (entry.failed) out.failures++
    out.boundary = {PolicyArn: boundaryArn, ...entry.data}
  }
  return out
}

/**
 * Snapshots one IAM role: GetRole (trust policy decoded) as `iam.role`, then every inline policy
 * and every attached managed policy with its default version (documents decoded) as
 * `iam.role-policies`. A failure of one call is a gap; what could be read is still written.
 */
export async function collectRole(ctx: AwsContext, roleArnOrName: string): Promise<RoleCollection> {
  const roleName = roleNameOf(roleArnOrName)
  const out: RoleCollection = {roleName, artifacts: []}
  const prefix = ['iam', 'global', 'roles', roleName]
  const attempt: IamAttempt = (operation, resource, work) => ctx.gaps.attempt({collector: COLLECTOR, resource, region: 'global', operation}, work)
  const read = await readRole(ctx, roleArnOrName, attempt)
  if (read.role === undefined) return out
  const arn = read.role.Role?.Arn
  if (arn !== undefined) out.roleArn = arn
  out.artifacts.push(
    await ctx.run.putArtifact([...prefix, 'role.json'], JSON.stringify(read.role, null, 2), {
      kind: 'iam.role',
      contentType: 'application/json',
      source: arn ?? roleArnOrName,
      collector: COLLECTOR,
      region: 'global',
      attributes: {roleName},
    }),
  )
  const boundary = read.boundary === undefined ? {} : {PermissionsBoundary: read.boundary}
  out.artifacts.push(
    await ctx.run.putArtifact([...prefix, 'role-policies.json'], JSON.stringify({RoleName: roleName, InlinePolicies: read.inline, AttachedPolicies: read.attached, ...boundary}, null, 2), {
      kind: 'iam.role-policies',
      contentType: 'application/json',
      source: out.roleArn ?? roleArnOrName,
      collector: COLLECTOR,
      region: 'global',
      records: read.inline.length + read.attached.length,
      attributes: {roleName, inline: read.inline.length, attached: read.attached.length, complete: read.failures === 0},
    }),
  )
  return out
}

async function managedPolicy(ctx: AwsEnv, iam: IAMClient, attempt: IamAttempt, policyArn: string, role: string): Promise<{data: Record<string, unknown>; failed: boolean}> {
  const resource = `${role} attached policy ${policyArn}`
  const got = await attempt('iam:GetPolicy', resource, () => iam.send(new GetPolicyCommand({PolicyArn: policyArn}), withSignal(ctx)))
  if (got === undefined) return {data: {}, failed: true}
  const policy = got.Policy
  const versionId = policy?.DefaultVersionId
  if (versionId === undefined) return {data: {Policy: policy}, failed: false}
  const v = await attempt('iam:GetPolicyVersion', resource, () => iam.send(new GetPolicyVersionCommand({PolicyArn: policyArn, VersionId: versionId}), withSignal(ctx)))
  if (v === undefined) return {data: {Policy: policy}, failed: true}
  return {data: {Policy: policy, DefaultVersion: {...v.PolicyVersion, Document: decodePolicyDocument(v.PolicyVersion?.Document)}}, failed: false}
}
