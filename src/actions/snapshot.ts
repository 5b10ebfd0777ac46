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

/**
 * Evidence first: before anything is changed, snapshots every target into the same evidence run
 * with the collectors (a function or alias: the Lambda collector, with its execution role; a role:
 * the role collector). An access key has no collector: its before-state artifact holds the key's
 * listing. A resource is snapshotted once per run however many actions change it.
 */
export async function snapshotTargets(ctx: AwsContext, targets: readonly ActionTarget[]): Promise<void> {
  let seen = taken.get(ctx.run)
  if (!seen) taken.set(ctx.run, (seen = new Set()))
  // Functions by region, given by name: the collector takes one region per call.
  const functions = new Map<string, Map<string, string>>()
  const roles = new Map<string, string>()
  for (const t of targets) {
    if (t.type === 'function' || t.type === 'alias') {
      const name = String(t.facts.functionName ?? t.name)
      const key = `function:${t.region}:${name}`
      if (seen.has(key)) continue
      if (!functions.has(t.region)) functions.set(t.region, new Map())
      functions.get(t.region)!.set(key, name)
    } else if (t.type === 'role' && !seen.has(`role:${t.name}`)) roles.set(`role:${t.name}`, t.arn ?? t.name)
  }
  for (const [region, names] of functions) {
    await ctx.run.note('evidence first: snapshotting the functions before any change', {region, functions: [...names.values()]})
    const collected = await collectLambdaFunctions(ctx, {functions: [...names.values()], region, allVersions: false, collectRoles: true})
    for (const key of names.keys()) seen.add(key)
    for (const role of collected.roles) {
      seen.add(`role:${roleNameOf(role)}`)
      roles.delete(`role:${roleNameOf(role)}`)
    }
  }
  for (const [key, role] of roles) {
    await ctx.run.note('evidence first: snapshotting the role before any change', {role})
    await collectRole(ctx, role)
    seen.add(key)
  }
}
