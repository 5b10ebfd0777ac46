import {defineAction} from './action.js'
import {inlinePolicyCalls, inlinePolicyTransition, readInlinePolicy, type InlinePolicyState} from './role-policy.js'

/** The inline policy deny-role puts on a role. */
export const DENY_POLICY_NAME = 'coroner-deny-all'

const DENY_ALL = {Version: '2012-10-17', Statement: [{Sid: 'CoronerContainmentDenyAll', Effect: 'Deny', Action: '*', Resource: '*'}]}

/** `deny-role`: an inline policy denying every action to every session of the role. */
export const denyRoleAction = defineAction<InlinePolicyState>({
  id: 'deny-role',
  title: `Deny everything to the execution role: inline policy ${DENY_POLICY_NAME}`,
  targetType: 'role',
  permissions: {read: ['iam:GetRolePolicy'], change: ['iam:PutRolePolicy'], undo: ['iam:DeleteRolePolicy', 'iam:PutRolePolicy']},
  notes: [
    `Does: puts the inline policy ${DENY_POLICY_NAME} (Deny * on *) on the role; an explicit deny overrides every allow, so every session of the role, old or new, is refused every AWS action within minutes (IAM is eventually consistent).`,
    'Does: breaks the function itself wherever it calls AWS, and every other function or service that uses the same role.',
    'Does not: stop the function running, nor code that reaches the network without AWS credentials; does not remove the role\'s other policies (they stay as evidence).',
  ],
  inverse: `DeleteRolePolicy ${DENY_POLICY_NAME} (or the policy of that name recorded before, if there was one).`,
  async read(env, target) {
    const {state, raw} = await readInlinePolicy(env, target, DENY_POLICY_NAME)
    return {state, raw: {GetRolePolicy: raw}}
  },
  intend: (before) => ({state: {...before, document: DENY_ALL}}),
  transition: inlinePolicyTransition,
  execute: inlinePolicyCalls,
})
