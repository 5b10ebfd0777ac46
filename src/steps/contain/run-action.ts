import type {ActionId, ActionTarget, AnyAction} from '../../actions/action.js'
import {changeTarget} from '../../actions/engine.js'
import type {ContainOutcome} from '../../actions/record.js'
import {snapshotTargets} from '../../actions/snapshot.js'
import {resolveTargets, targetLabel, targetsFor, type ResolvedTargets, type TargetInput} from '../../actions/targets.js'
import {accessKeysInFindings, type NamedAccessKey} from '../../analysis/findings-keys.js'
import {defaultDbPath} from '../../analysis/load.js'
import type {AwsContext} from '../../collectors/context.js'
import {usageError} from '../../core/errors.js'
import type {EvidenceRun} from '../../evidence/run.js'
import {guardResources} from './params.js'

/** Every parameter some containment step takes; each step's schema admits the ones it uses. */
export interface ActionParams {
  functions?: string[]
  roles?: string[]
  accessKeys?: string[]
  fromFindings?: boolean
  db?: string | undefined
  region?: string | undefined
  alias?: string
  toVersion?: string
  deleteUrl?: boolean
  includeServices?: boolean
  apply: boolean
  maxResources: number
}

/** What a containment step returns: the action, what it does and does not do, and one record per target. */
export interface ContainStepResult {
  action: ActionId
  title: string
  apply: boolean
  notes: readonly string[]
  outcomes: ContainOutcome[]
}

/** Targets resolved once per run, so several actions on the same targets look them up (and record failures) once. */
const resolvedInRun = new WeakMap<EvidenceRun, Map<string, Promise<ResolvedTargets>>>()

/** What the parameters name, with the access keys the case's findings name when asked (and the temporary ones they name, which no key action can end). */
export async function targetInput(env: {caseId?: string | undefined}, p: ActionParams): Promise<TargetInput & {fromFindings?: {keys: NamedAccessKey[]; temporary: NamedAccessKey[]}}> {
  const accessKeys = [...(p.accessKeys ?? [])]
  let fromFindings: {keys: NamedAccessKey[]; temporary: NamedAccessKey[]} | undefined
  if (p.fromFindings) {
    if (env.caseId === undefined) throw usageError('no-case', '--from-findings reads the case database: give --case.')
    fromFindings = await accessKeysInFindings(p.db ?? defaultDbPath(env.caseId))
    accessKeys.push(...fromFindings.keys.map((k) => k.accessKeyId).filter((k) => !accessKeys.includes(k)))
  }
  return {functions: p.functions ?? [], roles: p.roles ?? [], accessKeys, region: p.region, ...(p.alias === undefined ? {} : {alias: p.alias}), ...(fromFindings === undefined ? {} : {fromFindings})}
}

const TEMPORARY = (t: NamedAccessKey): string =>
  `Findings name temporary credentials ${t.accessKeyId} (${t.findings.join(', ')}): deactivate-keys cannot end them; revoke the sessions of the role they were issued for (revoke-sessions).`

async function resolveOnce(ctx: AwsContext, input: TargetInput): Promise<ResolvedTargets> {
  let cache = resolvedInRun.get(ctx.run)
  if (!cache) resolvedInRun.set(ctx.run, (cache = new Map()))
  const key = JSON.stringify(input)
  let resolved = cache.get(key)
  if (!resolved) {
    resolved = resolveTargets(ctx, input).then(async (r) => {
      for (const u of r.unresolved) await ctx.gaps.failed(u.error, {collector: 'contain', resource: `${u.type} ${u.input}`, region: u.region, operation: u.operation})
      return r
    })
    cache.set(key, resolved)
  }
  return resolved
}

/**
 * One containment step: resolve the targets, refuse more than --max-resources, snapshot them
 * (evidence first), then plan or make the change on each target in turn, one record each.
 */
export async function runContainAction(ctx: AwsContext, action: AnyAction, p: ActionParams): Promise<ContainStepResult> {
  const {fromFindings, ...input} = await targetInput(ctx, p)
  if (fromFindings) {
    await ctx.run.note('access keys named by the case findings', {keys: fromFindings.keys, temporary: fromFindings.temporary})
    for (const t of fromFindings.temporary) await ctx.run.warn(TEMPORARY(t))
  }
  const resolved = await resolveOnce(ctx, input)
  const targets: ActionTarget[] = targetsFor(action, resolved)
  if (targets.length === 0 && resolved.unresolved.length === 0) {
    throw usageError('no-targets', `${action.id} has nothing to act on: it changes ${action.targetType.replace('-or-', ' or ')}s, and none was named.`, 'See `coroner contain --help` for the flags that name targets.')
  }
  guardResources(targets.map(targetLabel), p.maxResources)
  await snapshotTargets(ctx, targets)
  const options = {
    caseId: ctx.caseId,
    now: ctx.clock.now(),
    deleteUrl: p.deleteUrl ?? false,
    includeServices: p.includeServices ?? false,
    ...(p.toVersion === undefined ? {} : {toVersion: p.toVersion}),
  }
  const outcomes: ContainOutcome[] = []
  for (const target of targets) outcomes.push(await changeTarget(ctx, {action, target, apply: p.apply, options}))
  return {action: action.id, title: action.title, apply: p.apply, notes: action.notes, outcomes}
}
