import {GetRoleCommand} from '@aws-sdk/client-iam'
import {defineAction, reading, type Json} from './action.js'
import {iamClient, sendOptions} from './clients.js'
import {inlinePolicyCalls, inlinePolicyTransition, readInlinePolicy, type InlinePolicyState} from './role-policy.js'

/** The policy name AWS's own "Revoke active sessions" (IAM console) writes; kept so both tools recognise it. */
export const REVOKE_POLICY_NAME = 'AWSRevokeOlderSessions'

/** The longest session IAM issues for a role (12 hours): the wait when a role's own maximum is unknown. */
const LONGEST_SESSION_SECONDS = 43_200

/** AWS's revoke-older-sessions document: deny everything to sessions issued before `cutoff`. */
export function revokeDocument(cutoff: string): Json {
  return {Version: '2012-10-17', Statement: [{Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: {DateLessThan: {'aws:TokenIssueTime': cutoff}}}]}
}

/** The cutoff time a revoke document holds. */
function cutoffOf(document: Json | null | undefined): string | undefined {
  const st = (document as {Statement?: Array<{Condition?: {DateLessThan?: Record<string, string>}}>} | null)?.Statement?.[0]
  return st?.Condition?.DateLessThan?.['aws:TokenIssueTime']
}

/** `revoke-sessions`: every session of the role issued before now is denied everything. */
export const revokeSessionsAction = defineAction<InlinePolicyState>({
  id: 'revoke-sessions',
  title: `Revoke the role's existing sessions: inline policy ${REVOKE_POLICY_NAME}, deny * to tokens issued before now`,
  targetType: 'role',
  permissions: {read: ['iam:GetRole', 'iam:GetRolePolicy'], change: ['iam:PutRolePolicy'], undo: ['iam:DeleteRolePolicy', 'iam:PutRolePolicy']},
  notes: [
    `Does: puts the inline policy ${REVOKE_POLICY_NAME} (as the IAM console's "Revoke active sessions" does): Deny * when aws:TokenIssueTime is before now. Credentials already handed out (to warm execution environments, or stolen from them) stop working within minutes (IAM is eventually consistent).`,
    'Does not: stop new sessions. Lambda gives new execution environments fresh credentials, which work; combine with deny-role or throttle to stop the role or the function.',
    'Undo is refused until the role\'s maximum session duration has passed since the cutoff (sessions issued before it would otherwise come back to life), unless --force.',
  ],
  inverse: `DeleteRolePolicy ${REVOKE_POLICY_NAME} (or the earlier revoke policy recorded before), once the role's maximum session duration has passed.`,
  async read(env, target) {
    const role = await reading('iam:GetRole', () => iamClient(env).send(new GetRoleCommand({RoleName: target.name}), sendOptions(env)))
    const {state, raw} = await readInlinePolicy(env, target, REVOKE_POLICY_NAME)
    const maxSessionDuration = role.Role?.MaxSessionDuration ?? null
    return {state, raw: {GetRole: {RoleName: role.Role?.RoleName ?? target.name, Arn: role.Role?.Arn ?? null, MaxSessionDuration: maxSessionDuration}, GetRolePolicy: raw}, facts: {maxSessionDuration}}
  },
  intend: (before, _t, options) => ({state: {...before, document: revokeDocument(options.now.toISOString().replace(/\.\d{3}Z$/, 'Z'))}}),
  transition: inlinePolicyTransition,
  undoWait(record, now) {
    const cutoff = cutoffOf(record.after?.document) ?? record.at
    const seconds = typeof record.facts.maxSessionDuration === 'number' ? record.facts.maxSessionDuration : LONGEST_SESSION_SECONDS
    const until = new Date(Date.parse(cutoff) + seconds * 1000)
    if (!(now < until)) return undefined
    return `Sessions issued before ${cutoff} can stay valid until ${until.toISOString()} (the role's maximum session duration, ${seconds} s): removing ${REVOKE_POLICY_NAME} now would bring them back.`
  },
  execute: inlinePolicyCalls,
})
