import {CoronerError, toCoronerError} from '../core/errors.js'
import type {Progress} from '../core/progress.js'
import type {GapLog} from '../evidence/gap-log.js'
import {isStoreWriteFailure} from '../evidence/gap-log.js'
import {prepareParams, type RunSession} from '../steps/runner.js'
import type {AnyStep} from '../steps/step.js'
import {Unavailable, type Scope} from './expr/evaluate.js'
import type {CompiledStep} from './compile.js'
import {PLAYBOOK_SCOPE} from './prior-run.js'
import {asJson, countTargets, engineParams, resolveOutputs, resolveWhen, resolveWith, type StepOutcome} from './resolve.js'

/** Results larger than this are not copied into the journal (a resume then runs the step again). */
export const MAX_JOURNALLED_RESULT = 256 * 1024

/** How one step of a playbook run ended. */
export interface StepReport {
  id: string
  uses: string
  kind: string
  outcome: StepOutcome
  durationMs?: number
  /** Why it was skipped or failed. */
  reason?: string
  cause?: string
  error?: {code: string; message: string}
  gaps: number
  findings: number
  /** The run it finished in, when a resume carried it over. */
  carriedFrom?: string
  result?: unknown
  outputs?: Record<string, unknown>
}

/** What one step is run with. */
export interface StepCall {
  session: RunSession
  step: CompiledStep
  scope: Scope
  apply: boolean
  /** It started in the run being resumed and did not finish: a step that checkpoints continues from there. */
  resume: boolean
  progress: Progress
  /** What --show-secrets said: only report steps are given it; every other step's result (journalled) is redacted. */
  showSecrets: boolean
  /** Asks for the containment go-ahead (once per run); false means not approved. */
  approve: () => Promise<boolean>
}

const fields = {scope: PLAYBOOK_SCOPE}

/**
 * Runs one step of a playbook inside its evidence run: its condition, its parameters resolved and
 * checked against the step's schema, the containment guards, then the call itself, journalled with
 * its outcome, result and outputs. A failure is reported, never thrown, except the store's own
 * write failures (a full disk), which end the run.
 */
export async function runPlaybookStep(call: StepCall): Promise<StepReport> {
  const {session, step} = call
  const def = step.definition!
  const report: StepReport = {id: step.id, uses: def.id, kind: def.kind, outcome: 'skipped', gaps: 0, findings: 0}
  const skip = async (cause: string, reason: string): Promise<StepReport> => {
    await session.run.skip(step.id, reason, {...fields, cause})
    return {...report, outcome: 'skipped', cause, reason}
  }
  // The case database is built from a local copy of the evidence (analysis never reads S3 itself).
  if ((def.kind === 'analyse' || def.kind === 'report') && session.env.store.kind !== 'local') {
    return await skip('store-not-local', `the analysis reads a local store: \`coroner evidence pull --case ${session.caseId} --to DIR\`, then \`coroner load --case ${session.caseId} --store DIR\` (or run offline-triage there)`)
  }
  let input: Record<string, unknown>
  try {
    const when = resolveWhen(step, call.scope)
    if (when === false) return await skip('when', `its condition is false: ${String(step.when)}`)
    const resolved = resolveWith(step, call.scope)
    if (when === undefined || resolved.deferred.length > 0) return await skip('unavailable', unavailableReason(step, call.scope))
    input = {...resolved.values, ...engineParams(def, {apply: call.apply, maxResources: step.maxResources, resume: call.resume})}
  } catch (error) {
    return failBeforeCall(call, report, error)
  }
  if (def.kind === 'contain') {
    const n = countTargets(input)
    if (step.maxResources !== undefined && n > step.maxResources) {
      const e = new CoronerError('too-many-resources', `step ${step.id} would act on ${n} resources, more than max-resources ${step.maxResources}; nothing was changed.`, {hint: 'Name fewer targets, or raise max-resources: in the playbook if you mean to touch them all.'})
      return failBeforeCall(call, report, e, input)
    }
    if (call.apply && !(await call.approve())) return await skip('not-approved', 'containment was not approved')
  }
  return callStep(call, def, input, report)
}

async function callStep(call: StepCall, def: AnyStep, input: Record<string, unknown>, report: StepReport): Promise<StepReport> {
  const {session, step} = call
  const gaps: GapLog = session.gaps.child()
  const started = Date.now()
  let outputs: Record<string, unknown> = {}
  let assessed: ReturnType<NonNullable<AnyStep['assess']>> | undefined
  let params: unknown
  try {
    params = await prepareParams(session.env, def, input, 'playbook')
  } catch (error) {
    return failBeforeCall(call, report, error, input)
  }
  try {
    const result: unknown = await session.call(def, params, {
      label: step.id,
      gaps,
      progress: call.progress,
      showSecrets: def.kind === 'report' && call.showSecrets,
      fields,
      ended: (r: unknown) => {
        outputs = resolveOutputs(step, r, call.scope)
        assessed = def.assess?.(r)
        const journalled = JSON.stringify(asJson(r))
        const outcome = outcomeOf(session, gaps.gaps.length + (assessed?.problems?.length ?? 0))
        const result = journalled.length <= MAX_JOURNALLED_RESULT ? {result: JSON.parse(journalled) as unknown} : {resultOmitted: true, resultBytes: journalled.length}
        return {outcome, ...result, outputs: asJson(outputs), ...(assessed?.findings ? {findings: assessed.findings} : {})}
      },
    })
    // What the result says could not be read is a gap of the run, as a collector's would be.
    for (const problem of assessed?.problems ?? []) await gaps.add({collector: def.id, resource: `playbook step ${step.id}`, code: 'unreadable', reason: problem})
    const outcome = outcomeOf(session, gaps.gaps.length)
    return {...report, outcome, durationMs: Date.now() - started, gaps: gaps.gaps.length, findings: assessed?.findings ?? 0, result: asJson(result), outputs}
  } catch (error) {
    // The call journalled its own failure; only the store's own write failures end the whole run.
    if (isStoreWriteFailure(error)) throw error
    const e = toCoronerError(error)
    return {...report, outcome: 'failed', durationMs: Date.now() - started, error: {code: e.code, message: e.message}, reason: e.message, gaps: gaps.gaps.length}
  }
}

async function failBeforeCall(call: StepCall, report: StepReport, error: unknown, input?: Record<string, unknown>): Promise<StepReport> {
  const e = toCoronerError(error)
  await call.session.run.step(call.step.id, {uses: report.uses, ...(input === undefined ? {} : {params: input})}, () => Promise.reject(error), {fields}).catch(() => {})
  return {...report, outcome: 'failed', error: {code: e.code, message: e.message}, reason: e.message}
}

/** A step that returned while the run was being interrupted stopped short (collectors return what they had): it is run again on a resume. */
const outcomeOf = (session: RunSession, gaps: number): StepOutcome => (session.env.signal.aborted ? 'interrupted' : gaps > 0 ? 'gap' : 'done')

/** Which earlier step's missing result keeps this one from running. */
function unavailableReason(step: CompiledStep, scope: Scope): string {
  const steps = scope.steps as Record<string, {outcome: string | null}>
  const missing = [...step.dependsOn].filter((d) => steps[d] !== undefined && steps[d]!.outcome !== 'done' && steps[d]!.outcome !== 'gap')
  if (step.dependsOn.has('targets') && scope.targets instanceof Unavailable) missing.push('targets')
  return missing.length > 0 ? `it reads the result of ${missing.join(', ')}, which did not finish` : 'it reads a result that is not there'
}
