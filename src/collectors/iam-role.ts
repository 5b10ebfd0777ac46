import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
} from '@aws-sdk/client-iam'
import type {AwsEnv} from './context.js'
import type {ArtifactRecord} from '../evidence/manifest.js'
import type {EvidenceRun} from '../evidence/run.js'
import type {CollectorDefinition} from './definition.js'
import type {GapLog} from '../evidence/gap-log.js'

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
 * Snapshots one IAM role: GetRole (trust policy decoded) as `iam.role`, then every inline policy
 * and every attached managed policy with its default version (documents decoded) as
 * `iam.role-policies`. A failure of one call is a gap; what could be read is still written.
 */
export async function collectRole(ctx: AwsEnv, run: EvidenceRun, gaps: GapLog, roleArnOrName: string): Promise<RoleCollection> {
  const roleName = roleNameOf(roleArnOrName)
  const iam = ctx.aws.client(IAMClient)
  const out: RoleCollection = {roleName, artifacts: []}
  const call = (operation: string) => ({collector: COLLECTOR, resource: roleArnOrName, region: 'global', operation})
  const prefix = ['iam', 'global', 'roles', roleName]

  let got
  try {
    got = await iam.send(new GetRoleCommand({RoleName: roleName}), withSignal(ctx))
  } catch (error) {
    if (ctx.signal.aborted) throw error
    await gaps.failed(error, call('iam:GetRole'))
    return out
  }
  const {$metadata: _m, ...body} = got
  const role = body.Role === undefined ? body : {...body, Role: {...body.Role, AssumeRolePolicyDocument: decodePolicyDocument(body.Role.AssumeRolePolicyDocument)}}
  if (body.Role?.Arn !== undefined) out.roleArn = body.Role.Arn
  out.artifacts.push(
    await run.putArtifact([...prefix, 'role.json'], JSON.stringify(role, null, 2), {
      kind: 'iam.role',
      contentType: 'application/json',
      source: body.Role?.Arn ?? roleArnOrName,
      collector: COLLECTOR,
      region: 'global',
      attributes: {roleName},
    }),
  )

  const inline: Array<{PolicyName: string; PolicyDocument?: unknown}> = []
  const attached: Array<Record<string, unknown>> = []
  let failures = 0
  try {
    for await (const page of paginateListRolePolicies({client: iam}, {RoleName: roleName})) {
      for (const name of page.PolicyNames ?? []) {
        try {
          const p = await iam.send(new GetRolePolicyCommand({RoleName: roleName, PolicyName: name}), withSignal(ctx))
          inline.push({PolicyName: name, PolicyDocument: decodePolicyDocument(p.PolicyDocument)})
        } catch (error) {
          if (ctx.signal.aborted) throw error
          failures++
          inline.push({PolicyName: name})
          await gaps.failed(error, {...call('iam:GetRolePolicy'), resource: `${roleArnOrName} inline policy ${name}`})
        }
      }
    }
  } catch (error) {
    if (ctx.signal.aborted) throw error
    failures++
    await gaps.failed(error, call('iam:ListRolePolicies'))
  }
  try {
    for await (const page of paginateListAttachedRolePolicies({client: iam}, {RoleName: roleName})) {
      for (const a of page.AttachedPolicies ?? []) {
        if (a.PolicyArn === undefined) continue
        const entry = await managedPolicy(ctx, iam, gaps, a.PolicyArn, roleArnOrName)
        if (entry.failed) failures++
        attached.push({PolicyName: a.PolicyName, PolicyArn: a.PolicyArn, ...entry.data})
      }
    }
  } catch (error) {
    if (ctx.signal.aborted) throw error
    failures++
    await gaps.failed(error, call('iam:ListAttachedRolePolicies'))
  }

  // A permissions boundary caps what the role may do; its document belongs with the others.
  const boundaryArn = body.Role?.PermissionsBoundary?.PermissionsBoundaryArn
  let boundary = {}
  if (boundaryArn !== undefined) {
    const entry = await managedPolicy(ctx, iam, gaps, boundaryArn, roleArnOrName)
    if (entry.failed) failures++
    boundary = {PermissionsBoundary: {PolicyArn: boundaryArn, ...entry.data}}
  }

  out.artifacts.push(
    await run.putArtifact([...prefix, 'role-policies.json'], JSON.stringify({RoleName: roleName, InlinePolicies: inline, AttachedPolicies: attached, ...boundary}, null, 2), {
      kind: 'iam.role-policies',
      contentType: 'application/json',
      source: out.roleArn ?? roleArnOrName,
      collector: COLLECTOR,
      region: 'global',
      records: inline.length + attached.length,
      attributes: {roleName, inline: inline.length, attached: attached.length, complete: failures === 0},
    }),
  )
  return out
}

async function managedPolicy(
  ctx: AwsEnv,
  iam: IAMClient,
  gaps: GapLog,
  policyArn: string,
  role: string,
): Promise<{data: Record<string, unknown>; failed: boolean}> {
  const resource = `${role} attached policy ${policyArn}`
  let policy
  try {
    policy = (await iam.send(new GetPolicyCommand({PolicyArn: policyArn}), withSignal(ctx))).Policy
  } catch (error) {
    if (ctx.signal.aborted) throw error
    await gaps.failed(error, {collector: COLLECTOR, resource, region: 'global', operation: 'iam:GetPolicy'})
    return {data: {}, failed: true}
  }
  const versionId = policy?.DefaultVersionId
  if (versionId === undefined) return {data: {Policy: policy}, failed: false}
  try {
    const v = (await iam.send(new GetPolicyVersionCommand({PolicyArn: policyArn, VersionId: versionId}), withSignal(ctx))).PolicyVersion
    return {data: {Policy: policy, DefaultVersion: {...v, Document: decodePolicyDocument(v?.Document)}}, failed: false}
  } catch (error) {
    if (ctx.signal.aborted) throw error
    await gaps.failed(error, {collector: COLLECTOR, resource, region: 'global', operation: 'iam:GetPolicyVersion'})
    return {data: {Policy: policy}, failed: true}
  }
}
