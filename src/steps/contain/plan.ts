import {didYouMean} from '../../core/suggest.js'
import type {AnyAction} from '../../actions/action.js'
import {resolveTargets, targetLabel, targetsFor, type ResolvedTargets} from '../../actions/targets.js'
import {changesToUndo, recordedChanges} from '../../actions/undo.js'
import type {AwsEnv} from '../../collectors/context.js'
import {usageError} from '../../core/errors.js'
import {guardResources} from './params.js'
import {targetInput, type ActionParams} from './run-action.js'

/**
 * The resources a containment would touch, looked up read-only before any run is opened, for the
 * --max-resources guard and the confirmation prompt. What is named is counted first, so a run
 * naming too many is refused before any AWS call; then the execution roles of the functions add theirs.
 */
export async function containTargets(env: AwsEnv & {caseId?: string | undefined}, calls: ReadonlyArray<{action: AnyAction; params: ActionParams}>, maxResources: number): Promise<string[]> {
  const named = new Set<string>()
  for (const {params: p} of calls) for (const n of [...(p.functions ?? []), ...(p.roles ?? []), ...(p.accessKeys ?? [])]) named.add(n)
  guardResources([...named], maxResources)
  const labels = new Set<string>()
  const resolved = new Map<string, ResolvedTargets>()
  for (const {action, params} of calls) {
    const {fromFindings: _named, ...input} = await targetInput(env, params)
    const key = JSON.stringify(input)
    if (!resolved.has(key)) resolved.set(key, await resolveTargets(env, input))
    for (const t of targetsFor(action, resolved.get(key)!)) labels.add(targetLabel(t))
  }
  guardResources([...labels], maxResources)
  return [...labels]
}

/** The resources an undo of a run would touch, from its verified records, guarded the same way. */
export async function undoTargets(env: AwsEnv, caseId: string, runId: string, actions: readonly string[], maxResources: number): Promise<string[]> {
  const changes = changesToUndo(await recordedChanges(env.store, caseId, runId), actions)
  const labels = [...new Set(changes.map((c) => targetLabel(c.target)))]
  guardResources(labels, maxResources)
  return labels
}

/** What was named on the command line, for choosing the actions `all` means. */
export interface NamedTargets {
  functions: number
  roles: number
  accessKeys: number
  alias: boolean
}

/** Whether an action has something to act on among what was named. */
function applies(action: AnyAction, named: NamedTargets): boolean {
  switch (action.targetType) {
    case 'function':
      return named.functions > 0
    case 'alias':
      return named.functions > 0 && named.alias
    case 'role':
    case 'function-or-role':
      return named.functions + named.roles > 0
    case 'access-key':
      return named.accessKeys > 0
  }
}

/**
 * The actions an ACTION argument names: one id, a comma list, or `all` (every action that has a
 * target among those named: pin-alias only with --alias, deactivate-keys only with keys), in the
 * order a run applies them.
 */
export function chooseActions(spec: string, actions: readonly AnyAction[], named: NamedTargets): AnyAction[] {
  const words = spec.split(',').map((w) => w.trim()).filter((w) => w !== '')
  if (words.includes('all')) {
    const chosen = actions.filter((a) => applies(a, named))
    if (chosen.length === 0) throw usageError('no-targets', 'contain all has nothing to act on.', 'Name targets with --function, --role or --access-key.')
    return chosen
  }
  const unknown = words.filter((w) => !actions.some((a) => a.id === w))
  if (words.length === 0 || unknown.length > 0) {
    const suggestion = unknown.length === 1 ? didYouMean(unknown[0]!, [...actions.map((a) => a.id), 'all']) : ''
    throw usageError('unknown-action', `Unknown containment action ${unknown.map((u) => JSON.stringify(u)).join(', ') || '(none)'}${suggestion}.`, `Give one of ${actions.map((a) => a.id).join(', ')}, a comma list of them, or all.`)
  }
  return actions.filter((a) => words.includes(a.id))
}
