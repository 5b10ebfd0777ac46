import type {AwsContext} from '../collectors/context.js'
import {collectRole, iamRoleCollector, roleNameOf} from '../collectors/iam-role.js'
import {collectLambdaFunctions, lambdaCollector} from '../collectors/lambda.js'
import type {EvidenceRun} from '../evidence/run.js'
import type {ActionTarget} from './action.js'

/** What the evidence-first snapshot reads: the Lambda collector's and the role collector's read-only actions. */
export const SNAPSHOT_PERMISSIONS: readonly string[] = [...new Set([...lambdaCollector.permissions, ...iamRoleCollector.permissions])]

/** The artifact kinds the snapshot writes. */
export const SNAPSHOT_PRODUCES: readonly string[] = [...new Set([...lambdaCollector.produces, ...iamRoleCollector.produces])]

/** Resources already snapshotted in a run, so that several actions on one function snapshot it once. */
const taken = new WeakMap<EvidenceRun, Set<string>>()

/** Snapshots under way in a run, by resource: an action running beside another waits for its snapshot instead of taking its own after the other's change. */
const underWay = new WeakMap<EvidenceRun, Map<string, Promise<void>>>()

const functionKey = (t: ActionTarget): string => `function:${t.region}:${String(t.facts.functionName ?? t.name)}`
const roleKey = (name: string): string => `role:${name}`

/**
 * Evidence first: before anything is changed, snapshots every target into the same evidence run
 * with the collectors (a function or alias: the Lambda collector, with its execution role; a role:
 * the role collector). An access key has no collector: its before-state artifact holds the key's
 * listing. A resource is snapshotted once per run however many actions change it, and an action
 * whose target another action of the run is snapshotting waits for that snapshot (taking its own
 * only if that one failed), so no action's change lands inside another's snapshot.
 */
export async function snapshotTargets(ctx: AwsContext, targets: readonly ActionTarget[]): Promise<void> {
  const seen = taken.get(ctx.run) ?? new Set<string>()
  taken.set(ctx.run, seen)
  const pending = underWay.get(ctx.run) ?? new Map<string, Promise<void>>()
  underWay.set(ctx.run, pending)
  const keys = targets.flatMap((t) => (t.type === 'function' || t.type === 'alias' ? [functionKey(t)] : t.type === 'role' ? [roleKey(t.name)] : []))
  const others = (): Array<Promise<void>> => keys.flatMap((k) => pending.get(k) ?? [])
  for (let waiting = others(); waiting.length > 0; waiting = others()) await Promise.allSettled(waiting)
  // Functions by region, given by name: the collector takes one region per call.
  const functions = new Map<string, Map<string, string>>()
  const roles = new Map<string, string>()
  for (const t of targets) {
    if (t.type === 'function' || t.type === 'alias') {
      const key = functionKey(t)
      if (seen.has(key)) continue
      if (!functions.has(t.region)) functions.set(t.region, new Map())
      functions.get(t.region)!.set(key, String(t.facts.functionName ?? t.name))
    } else if (t.type === 'role' && !seen.has(roleKey(t.name))) roles.set(roleKey(t.name), t.arn ?? t.name)
  }
  const work = (async () => {
    for (const [region, names] of functions) {
      await ctx.run.note('evidence first: snapshotting the functions before any change', {region, functions: [...names.values()]})
      const collected = await collectLambdaFunctions(ctx, {functions: [...names.values()], region, allVersions: false, collectRoles: true})
      for (const key of names.keys()) seen.add(key)
      for (const role of collected.roles) {
        seen.add(roleKey(roleNameOf(role)))
        roles.delete(roleKey(roleNameOf(role)))
      }
    }
    for (const [key, role] of roles) {
      await ctx.run.note('evidence first: snapshotting the role before any change', {role})
      await collectRole(ctx, role)
      seen.add(key)
    }
  })()
  const mine = [...[...functions.values()].flatMap((names) => [...names.keys()]), ...roles.keys()]
  for (const key of mine) pending.set(key, work)
  try {
    await work
  } finally {
    for (const key of mine) if (pending.get(key) === work) pending.delete(key)
  }
}
