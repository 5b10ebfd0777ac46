import {DeleteRolePolicyCommand, GetRolePolicyCommand, PutRolePolicyCommand, type DeleteRolePolicyCommandInput, type PutRolePolicyCommandInput} from '@aws-sdk/client-iam'
import type {AwsEnv} from '../collectors/context.js'
import {decodePolicyDocument} from '../collectors/iam-role.js'
import type {ActionTarget, CallExecutor, Json, PlannedCall} from './action.js'
import {readingOptional} from './action.js'
import {asInput, iamClient, sendOptions} from './clients.js'
import {sameJson} from './state-diff.js'

/** One inline policy of a role: its document, or null when the role has no policy of that name. */
export type InlinePolicyState = {policyName: string; document: Json | null}

/** Reads one inline policy of a role (its document URL-decoded and parsed), absent being an answer. */
export async function readInlinePolicy(env: AwsEnv, target: ActionTarget, policyName: string): Promise<{state: InlinePolicyState; raw: Json}> {
  const got = await readingOptional('iam:GetRolePolicy', () => iamClient(env).send(new GetRolePolicyCommand({RoleName: target.name, PolicyName: policyName}), sendOptions(env)))
  const document = got ? ((decodePolicyDocument(got.PolicyDocument) ?? null) as Json) : null
  return {state: {policyName, document}, raw: got ? {RoleName: got.RoleName ?? target.name, PolicyName: policyName, PolicyDocument: document} : null}
}

/** PutRolePolicy with the document `to` holds, or DeleteRolePolicy when it holds none. */
export function inlinePolicyTransition(from: InlinePolicyState, to: InlinePolicyState, target: ActionTarget): PlannedCall[] {
  if (sameJson(from.document, to.document)) return []
  if (to.document === null) return [{operation: 'iam:DeleteRolePolicy', parameters: {RoleName: target.name, PolicyName: to.policyName}}]
  return [{operation: 'iam:PutRolePolicy', parameters: {RoleName: target.name, PolicyName: to.policyName, PolicyDocument: JSON.stringify(to.document)}}]
}

export const inlinePolicyCalls: Readonly<Record<string, CallExecutor>> = {
  'iam:PutRolePolicy': (env, _t, p) => iamClient(env).send(new PutRolePolicyCommand(asInput<PutRolePolicyCommandInput>(p)), sendOptions(env)),
  'iam:DeleteRolePolicy': (env, _t, p) => iamClient(env).send(new DeleteRolePolicyCommand(asInput<DeleteRolePolicyCommandInput>(p)), sendOptions(env)),
}
