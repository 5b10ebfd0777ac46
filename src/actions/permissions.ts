import type {IamStatement} from '../aws/iam-policy.js'
import {ACTIONS} from './registry.js'
import {SNAPSHOT_PERMISSIONS} from './snapshot.js'
import {RESOLVE_PERMISSIONS} from './targets.js'

const sid = (id: string): string => `Contain${id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}`

/**
 * The least-privilege statements for containment with these actions (`all` for every one): one
 * for looking the targets up and snapshotting them (read-only, evidence first), and one per action
 * with what it reads, changes and needs to undo the change.
 */
export function containmentPermissionStatements(ids: readonly string[]): IamStatement[] {
  const actions = ids.includes('all') ? ACTIONS : ACTIONS.filter((a) => ids.includes(a.id))
  if (actions.length === 0) return []
  const sorted = (list: Iterable<string>): string[] => [...new Set(list)].sort()
  return [
    {Sid: 'ContainEvidenceFirst', Effect: 'Allow', Action: sorted([...RESOLVE_PERMISSIONS, ...SNAPSHOT_PERMISSIONS]), Resource: '*'},
    ...actions.map((a) => ({Sid: sid(a.id), Effect: 'Allow' as const, Action: sorted([...a.permissions.read, ...a.permissions.change, ...a.permissions.undo]), Resource: '*'})),
  ]
}
