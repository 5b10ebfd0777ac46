import {z} from 'zod'
import {ACTION_IDS} from '../../actions/action.js'
import type {ContainOutcome} from '../../actions/record.js'
import {ACTIONS} from '../../actions/registry.js'
import {SNAPSHOT_PERMISSIONS} from '../../actions/snapshot.js'
import {targetLabel} from '../../actions/targets.js'
import {changesToUndo, recordedChanges, undoChanges} from '../../actions/undo.js'
import {usageError} from '../../core/errors.js'
import {defineStep} from '../step.js'
import {CONTAIN_PRODUCES} from './actions.js'
import {commonParams, guardResources} from './params.js'

const params = z
  .object({
    run: z.string().regex(/^\d{8}T\d{9}Z-[0-9a-f]{6}$/, 'a run id such as 20261124T120000123Z-1a2b3c').describe('The run whose changes to undo').meta({examples: ['20261124T120000123Z-1a2b3c']}),
    actions: z.array(z.enum(ACTION_IDS)).default([]).describe('Undo only these actions of the run (default: every applied one)'),
    force: z.boolean().default(false).describe('Undo even where the resource changed since (drift) or a wait applies (revoke-sessions)'),
    ...commonParams,
  })
  .strict()

export interface UndoStepResult {
  undoes: string
  apply: boolean
  force: boolean
  outcomes: ContainOutcome[]
}

const chosen = (ids: readonly string[]) => (ids.length === 0 ? ACTIONS : ACTIONS.filter((a) => ids.includes(a.id)))

/**
 * `undo`: reverses the changes a containment run recorded, from its verified `contain.action`
 * records, in the reverse order; recorded as a new run whose records name the run they undo.
 */
export const undoStep = defineStep({
  id: 'undo',
  kind: 'contain',
  title: 'Undo the changes a containment run recorded, from its verified records',
  command: 'undo',
  params,
  records: true,
  operations: [...new Set([...SNAPSHOT_PERMISSIONS, ...ACTIONS.flatMap((a) => [...a.permissions.read, ...a.permissions.undo])])],
  permissions: (p) => [...new Set([...SNAPSHOT_PERMISSIONS, ...chosen(p?.actions ?? []).flatMap((a) => [...a.permissions.read, ...(p?.apply ?? true ? a.permissions.undo : [])])])],
  usesAws: () => true,
  produces: CONTAIN_PRODUCES,
  async run(ctx, p): Promise<UndoStepResult> {
    const changes = changesToUndo(await recordedChanges(ctx.store, ctx.caseId, p.run), p.actions)
    if (changes.length === 0) {
      throw usageError('nothing-to-undo', `Run ${p.run} of case ${ctx.caseId} recorded no applied change${p.actions.length === 0 ? '' : ` of ${p.actions.join(', ')}`}.`, `\`coroner case show ${ctx.caseId}\` lists the runs; a dry run changes nothing to undo.`)
    }
    guardResources([...new Set(changes.map((c) => targetLabel(c.target)))], p.maxResources)
    await ctx.run.note(`undoing ${changes.length} change(s) recorded by run ${p.run}`, {undoes: p.run, records: changes.map((c) => c.artifact)})
    const outcomes = await undoChanges(ctx, p.run, changes, {apply: p.apply, force: p.force})
    return {undoes: p.run, apply: p.apply, force: p.force, outcomes}
  },
})
