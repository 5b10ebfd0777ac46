import {z} from 'zod'
import type {AnyAction} from '../../actions/action.js'
import {closeUrlAction} from '../../actions/close-url.js'
import {deactivateKeysAction} from '../../actions/deactivate-keys.js'
import {denyRoleAction} from '../../actions/deny-role.js'
import {disableTriggersAction} from '../../actions/disable-triggers.js'
import {pinAliasAction} from '../../actions/pin-alias.js'
import {removePublicAccessAction} from '../../actions/remove-public-access.js'
import {revokeSessionsAction} from '../../actions/revoke-sessions.js'
import {SNAPSHOT_PERMISSIONS, SNAPSHOT_PRODUCES} from '../../actions/snapshot.js'
import {tagAction} from '../../actions/tag.js'
import {RESOLVE_PERMISSIONS} from '../../actions/targets.js'
import {throttleAction} from '../../actions/throttle.js'
import {defineStep} from '../step.js'
import {commonParams, functionTargets, keyTargets, roleTargets} from './params.js'
import {runContainAction, type ActionParams} from './run-action.js'

/** What a containment step needs: resolving and snapshotting its targets, reading their state, and with apply the change. */
export function containPermissions(action: AnyAction, apply: boolean): string[] {
  return [...new Set([...RESOLVE_PERMISSIONS, ...SNAPSHOT_PERMISSIONS, ...action.permissions.read, ...(apply ? action.permissions.change : [])])]
}

/** What every containment step writes: its records, the states before and after, and the evidence-first snapshot. */
export const CONTAIN_PRODUCES: readonly string[] = ['contain.action', 'contain.before', 'contain.after', ...SNAPSHOT_PRODUCES]

/** The step of one action: the shared engine, the action's own parameters. */
function containStep<S extends z.ZodType<ActionParams>>(action: AnyAction, params: S) {
  return defineStep({
    id: action.id,
    kind: 'contain',
    title: action.title,
    command: `contain ${action.id}`,
    params,
    records: true,
    operations: [...new Set([...RESOLVE_PERMISSIONS, ...SNAPSHOT_PERMISSIONS, ...action.permissions.read, ...action.permissions.change])],
    permissions: (p: z.output<S>) => containPermissions(action, p.apply),
    usesAws: () => true,
    produces: CONTAIN_PRODUCES,
    run: (ctx, p: z.output<S>) => runContainAction(ctx, action, p),
  })
}

export const throttleStep = containStep(throttleAction, z.object({...functionTargets, ...commonParams}).strict())
export const disableTriggersStep = containStep(disableTriggersAction, z.object({...functionTargets, ...commonParams}).strict())
export const closeUrlStep = containStep(
  closeUrlAction,
  z
    .object({
      ...functionTargets,
      deleteUrl: z.boolean().default(false).describe('Delete the URL instead of requiring IAM auth (irreversible)'),
      irreversible: z.boolean().default(false).describe('Acknowledge that deleting the URL cannot be undone'),
      ...commonParams,
    })
    .strict()
    .refine((p) => !p.deleteUrl || p.irreversible, {message: 'deleting a function URL is irreversible (AWS never gives the same URL back): add --irreversible to confirm', path: ['irreversible']}),
)
export const removePublicAccessStep = containStep(
  removePublicAccessAction,
  z.object({...functionTargets, includeServices: z.boolean().default(false).describe('Also remove every statement granting an AWS service'), ...commonParams}).strict(),
)
export const pinAliasStep = containStep(
  pinAliasAction,
  z.object({...functionTargets, alias: z.string().min(1).describe('The alias to pin'), toVersion: z.string().regex(/^\d+$/, 'a published version number').describe('The known-good version').meta({examples: ['41']}), ...commonParams}).strict(),
)
export const revokeSessionsStep = containStep(revokeSessionsAction, z.object({...roleTargets, ...commonParams}).strict())
export const denyRoleStep = containStep(denyRoleAction, z.object({...roleTargets, ...commonParams}).strict())
export const deactivateKeysStep = containStep(deactivateKeysAction, z.object({...keyTargets, ...commonParams}).strict())
export const tagStep = containStep(tagAction, z.object({...roleTargets, ...commonParams}).strict())

/** The containment steps, in the order a run applies them. */
export const CONTAIN_STEPS = [throttleStep, disableTriggersStep, closeUrlStep, removePublicAccessStep, pinAliasStep, revokeSessionsStep, denyRoleStep, deactivateKeysStep, tagStep] as const
