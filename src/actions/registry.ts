import {ACTION_IDS, type AnyAction} from './action.js'
import {closeUrlAction} from './close-url.js'
import {deactivateKeysAction} from './deactivate-keys.js'
import {denyRoleAction} from './deny-role.js'
import {disableTriggersAction} from './disable-triggers.js'
import {pinAliasAction} from './pin-alias.js'
import {removePublicAccessAction} from './remove-public-access.js'
import {revokeSessionsAction} from './revoke-sessions.js'
import {tagAction} from './tag.js'
import {throttleAction} from './throttle.js'

/** Every containment action, in the order a run applies them (ACTION_IDS; undo runs backwards). */
export const ACTIONS: readonly AnyAction[] = [
  throttleAction,
  disableTriggersAction,
  closeUrlAction,
  removePublicAccessAction,
  pinAliasAction,
  revokeSessionsAction,
  denyRoleAction,
  deactivateKeysAction,
  tagAction,
]

/** The action with this id, or undefined. */
export function findAction(id: string): AnyAction | undefined {
  return ACTIONS.find((a) => a.id === id)
}

/** Sorts action ids into the order a run applies them. */
export const inRunOrder = (ids: Iterable<string>): string[] => [...new Set(ids)].sort((a, b) => ACTION_IDS.indexOf(a as never) - ACTION_IDS.indexOf(b as never))
