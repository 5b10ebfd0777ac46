import type {IamStatement} from '../aws/iam-policy.js'
import type {LoadedPlaybook} from './load.js'
import {planPlaybook} from './plan.js'

/**
 * The least-privilege statements for a run of a playbook with these parameters, from its plan (no
 * AWS call; a step whose condition is already false needs nothing, one decided at run time is counted): the
 * read-only actions of its collection and analysis in one statement, its containment actions (used
 * only with --apply) in another, so they can be granted apart.
 */
export function playbookPermissionStatements(loaded: LoadedPlaybook, region: string, given: ReadonlyMap<string, readonly string[]> = new Map()): IamStatement[] {
  const plan = planPlaybook(loaded, {given, now: new Date(), region, apply: true})
  const sid = plan.playbook.id.replace(/[^A-Za-z0-9]/g, '')
  const actions = (contain: boolean): string[] => [...new Set(plan.steps.filter((s) => (s.kind === 'contain') === contain).flatMap((s) => s.permissions))].sort()
  const statements: IamStatement[] = []
  const read = actions(false)
  const write = actions(true)
  if (read.length > 0) statements.push({Sid: `Playbook${sid}`, Effect: 'Allow', Action: read, Resource: '*'})
  if (write.length > 0) statements.push({Sid: `Playbook${sid}Containment`, Effect: 'Allow', Action: write, Resource: '*'})
  return statements
}
