import {Flags} from '@oclif/core'
import type {z} from 'zod'
import {ACTION_IDS} from '../actions/action.js'
import {findAction} from '../actions/registry.js'
import {CoronerCommand, type Outcome} from '../cli/base-command.js'
import {caseFlag} from '../cli/case-flag.js'
import {changeFlags} from '../cli/change-flags.js'
import {confirmChanges} from '../cli/confirm.js'
import {awsFlags, resultOutputFlags, storeFlag} from '../cli/flags.js'
import {renderActionReports} from '../cli/render-contain.js'
import {undoResult} from '../cli/results/contain.js'
import {storeWriteFlags} from '../cli/store-flags.js'
import {ExitCode} from '../core/errors.js'
import {assertCaseId} from '../evidence/keys.js'
import {undoTargets} from '../steps/contain/plan.js'
import {undoStep} from '../steps/contain/undo.js'

export type UndoResult = z.output<typeof undoResult>

export default class Undo extends CoronerCommand<UndoResult> {
  static override summary = 'Undo the changes a containment run made, from what it recorded'
  static override description =
    "Reads the run's contain.action records from the evidence (each checked against its manifest), and for each change it applied, last first: reads the resource now, refuses when it is no longer in the recorded after-state (naming each field that differs) unless --force, and otherwise computes the calls back to the recorded before-state. revoke-sessions is not undone before the role's maximum session duration has passed unless --force; a deleted function URL is never brought back. Without --apply nothing is changed. The undo is recorded as a new run of the case whose records name the run they undo."
  static override flags = {
    ...changeFlags,
    case: caseFlag,
    run: Flags.string({description: 'The containment run to undo (see `coroner case show`)', required: true}),
    action: Flags.string({description: 'Undo only this action of the run (repeatable)', multiple: true, options: [...ACTION_IDS]}),
    force: Flags.boolean({description: 'Undo even where the resource changed since it was recorded, or a wait applies', default: false}),
    ...storeFlag,
    ...storeWriteFlags,
    ...awsFlags,
    ...resultOutputFlags,
  }
  static override resultSchema = undoResult
  static override exitCodes = {[ExitCode.partial]: 'a change could not be undone, or was refused because the resource changed since (see the gaps)'}
  static override examples = [
    '<%= config.bin %> undo --case INC-2026-0042 --run 20261124T120000123Z-1a2b3c',
    '<%= config.bin %> undo --case INC-2026-0042 --run 20261124T120000123Z-1a2b3c --action throttle --apply',
  ]

  protected async execute(): Promise<Outcome<UndoResult>> {
    const {flags} = await this.parse(Undo)
    const caseId = assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const actions = flags.action ?? []
    const targets = await undoTargets(env, caseId, flags.run, actions, flags['max-resources'])
    if (flags.apply) await confirmChanges(`undo of run ${flags.run}`, targets, flags.yes)
    const params = {run: flags.run, actions, apply: flags.apply, force: flags.force, maxResources: flags['max-resources']}
    const {result, run} = await this.runStep(env, undoStep, params)
    return this.sealedOutcome(run, {run: this.runJson(run), dryRun: !flags.apply, undoes: result.undoes, force: result.force, outcomes: result.outcomes})
  }

  protected render(r: UndoResult): void {
    const byAction = new Map<string, UndoResult['outcomes'][number][]>()
    for (const o of r.outcomes) byAction.set(o.record.action, [...(byAction.get(o.record.action) ?? []), o])
    const reports = [...byAction].map(([id, outcomes]) => ({action: id, title: `undo: ${findAction(id)?.inverse ?? ''}`, notes: findAction(id)?.notes ?? [], outcomes}))
    for (const line of renderActionReports(reports, {showNotes: false})) this.log(line)
    if (r.dryRun) this.log('\nDry run: nothing was changed. Re-run with --apply to undo these changes.')
    this.logRunFooter(r.run, `undo of run ${r.undoes}${r.dryRun ? ' (dry run)' : ''}`)
  }
}
