import {usageError} from '../core/errors.js'
import {quietProgress, type Progress} from '../core/progress.js'
import {inNewRun, type RunSession, type RunnerEnv, type SealedRun} from '../steps/runner.js'
import {Unavailable} from './expr/evaluate.js'
import {TARGETS_STEP, compilePlaybook, topologicalOrder, type CompiledStep} from './compile.js'
import type {LoadedPlaybook} from './load.js'
import {planPlaybook, type Plan} from './plan.js'
import {PLAYBOOK_SCOPE, isFinished, readPriorRun, type PriorRun} from './prior-run.js'
import {buildScope, resolveWith, type ScopeInput, type StepState} from './resolve.js'
import {runPlaybookStep, type StepReport} from './run-step.js'

/** What the terminal shows while a playbook runs; the engine itself never prints. */
export interface RunObserver {
  planned(steps: ReadonlyArray<{id: string; uses: string; kind: string}>): void
  started(id: string): void
  /** Where a step's own progress goes while it runs. */
  progress(id: string): Progress
  ended(report: StepReport): void
}

/** The containment a run is about to apply, for the one confirmation asked before the first change. */
export interface ApprovalRequest {
  playbook: string
  steps: Array<{id: string; uses: string; targets: string[] | 'decided when it runs'}>
}

export interface RunPlaybookOptions {
  loaded: LoadedPlaybook
  caseId: string
  given: ReadonlyMap<string, readonly string[]>
  apply: boolean
  /** The run id of an interrupted or partial run of this playbook to continue. */
  resume?: string
  approve?: (request: ApprovalRequest) => Promise<boolean>
  observer?: RunObserver
  /** --show-secrets: given to report steps only, so no secret reaches a result or the journal. */
  showSecrets?: boolean
}

export interface PlaybookRunResult extends SealedRun {
  playbook: {id: string; version: string; sha256: string}
  apply: boolean
  parameters: Record<string, unknown>
  steps: StepReport[]
  /** Findings produced (exit 3): the most any one step reported. */
  findings: number
  resumedFrom?: string
  /** Steps carried over from the resumed run that had ended with gaps there. */
  carriedGaps: string[]
}

/**
 * Runs a playbook as one evidence run of the case: steps start once every step they wait for has
 * ended, independent ones side by side (at most `concurrency`), each journalled with its
 * parameters, outcome, result and duration. A failed step is a gap (`on-failure: continue`) or ends
 * the run partial (`stop`); an interruption seals it incomplete. With `resume`, the steps an earlier
 * run finished are carried over from its journal, not run again.
 */
export async function runPlaybook(env: RunnerEnv, options: RunPlaybookOptions): Promise<PlaybookRunResult> {
  const prior = options.resume === undefined ? undefined : await readPriorRun(env.store, options.caseId, options.resume)
  if (prior) checkResumable(prior, options)
  const given = prior ? givenFrom(prior.params) : options.given
  const plan = planPlaybook(options.loaded, {given, now: env.clock.now(), region: env.aws.defaultRegion, apply: options.apply, caseId: options.caseId})
  if (plan.problems.length > 0) throw usageError('invalid-playbook-parameters', plan.problems.join('\n'), `\`coroner playbook show ${plan.playbook.id}\` lists its parameters.`)
  const params = Object.fromEntries(plan.parameters.map((p) => [p.name, p.value]))
  const opening = {
    command: `run ${plan.playbook.id}`,
    parameters: {
      playbook: {id: plan.playbook.id, version: plan.playbook.version, file: plan.playbook.file, sha256: plan.playbook.sha256},
      params,
      apply: options.apply,
      ...(prior ? {resumeOf: {runId: prior.runId, status: prior.status, manifestSha256: prior.manifestSha256, journalLastHash: prior.journalLastHash}} : {}),
    },
    identifyCaller: plan.steps.some((s) => s.usesAws),
  }
  const {result: runner, run: sealed} = await inNewRun({...env, caseId: options.caseId}, opening, async (session) => {
    const scheduler = new Scheduler(env, session, options, plan, params, prior)
    await scheduler.run()
    return scheduler
  })
  return {
    ...sealed,
    playbook: {id: plan.playbook.id, version: plan.playbook.version, sha256: plan.playbook.sha256},
    apply: options.apply,
    parameters: params,
    steps: runner.reports,
    // Steps count the same findings more than once (hunt's hits are rows of findings' table): the most any step found.
    findings: Math.max(0, ...runner.reports.map((r) => r.findings)),
    ...(prior ? {resumedFrom: prior.runId} : {}),
    carriedGaps: runner.reports.filter((r) => r.carriedFrom !== undefined && r.outcome === 'gap').map((r) => r.id),
  }
}

function checkResumable(prior: PriorRun, options: RunPlaybookOptions): void {
  const doc = options.loaded.document
  const hint = 'Run the playbook again as a new run instead.'
  if (doc && prior.playbook.id !== doc.id) throw usageError('resume-mismatch', `Run ${prior.runId} ran playbook ${prior.playbook.id}, not ${doc.id}.`, `Resume it with \`coroner run ${prior.playbook.id} --resume ${prior.runId}\`.`)
  if (prior.playbook.sha256 !== options.loaded.sha256) throw usageError('resume-mismatch', `The playbook ${prior.playbook.id} changed since run ${prior.runId} (SHA-256 ${prior.playbook.sha256.slice(0, 12)}…, now ${options.loaded.sha256.slice(0, 12)}…).`, hint)
  if (prior.apply !== options.apply) throw usageError('resume-mismatch', `Run ${prior.runId} ran ${prior.apply ? 'with' : 'without'} --apply; a resume continues it the same way.`, hint)
  if (options.given.size > 0) throw usageError('resume-mismatch', `A resume reuses the parameters of run ${prior.runId}; --param cannot change them.`, hint)
  if (prior.status === 'complete') throw usageError('nothing-to-resume', `Run ${prior.runId} completed; there is nothing to continue.`, hint)
}

/** Parameters as journalled, given back in the form --param takes, so the resumed run resolves the same values. */
function givenFrom(params: Record<string, unknown>): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined) out.set(k, Array.isArray(v) ? v.map(String) : [String(v)])
  return out
}

/** Starts each step when what it waits for has ended, a bounded number at once. */
class Scheduler {
  private readonly endedReports: StepReport[] = []
  private readonly states = new Map<string, StepState>()
  private readonly ended = new Set<string>()
  private readonly steps: CompiledStep[]
  private targets: ScopeInput['targets']
  private stopped: string | undefined
  private approval: Promise<boolean> | undefined

  constructor(
    private readonly env: RunnerEnv,
    private readonly session: RunSession,
    private readonly options: RunPlaybookOptions,
    private readonly plan: Plan,
    private readonly params: Record<string, unknown>,
    private readonly prior: PriorRun | undefined,
  ) {
    this.steps = topologicalOrder(compilePlaybook(options.loaded.document!).steps)!
    this.targets = this.steps.some((s) => s.id === TARGETS_STEP) ? new Unavailable('the targets were not resolved') : undefined
    for (const s of this.steps) if (s.id !== TARGETS_STEP) this.states.set(s.id, {outcome: 'pending'})
  }

  /** How each step ended, in the playbook's order (steps side by side end in any order). */
  get reports(): StepReport[] {
    const order = this.steps.map((s) => s.id)
    return [...this.endedReports].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id))
  }

  async run(): Promise<void> {
    this.options.observer?.planned(this.steps.map((s) => ({id: s.id, uses: s.uses, kind: s.definition!.kind})))
    if (this.prior) await this.carryOver(this.prior)
    const pending = this.steps.filter((s) => !this.ended.has(s.id))
    const running = new Map<string, Promise<void>>()
    const limit = this.options.loaded.document!.concurrency ?? 2
    let fatal: {error: unknown} | undefined
    for (;;) {
      const halted = this.stopped !== undefined || this.env.signal.aborted || fatal !== undefined
      for (const s of halted ? [] : [...pending]) {
        if (running.size >= limit) break
        if (![...s.dependsOn].every((d) => this.ended.has(d))) continue
        pending.splice(pending.indexOf(s), 1)
        running.set(s.id, this.start(s).catch((error: unknown) => void (fatal ??= {error})).finally(() => running.delete(s.id)))
      }
      if (running.size === 0) break
      await Promise.race(running.values())
    }
    for (const s of pending) await this.notRun(s, fatal ? 'failed-run' : this.env.signal.aborted ? 'interrupted' : 'stopped')
    if (fatal) throw fatal.error
  }

  private async start(step: CompiledStep): Promise<void> {
    this.options.observer?.started(step.id)
    const report = await runPlaybookStep({
      session: this.session,
      step,
      scope: this.scope(),
      apply: this.options.apply,
      resume: this.prior?.started.has(step.id) ?? false,
      progress: this.options.observer?.progress(step.id) ?? quietProgress,
      showSecrets: this.options.showSecrets ?? false,
      approve: () => this.approved(),
    })
    this.finish(step, report)
    if (report.outcome === 'failed' && step.onFailure === 'stop') this.stopped ??= step.id
    else if (report.outcome === 'failed') {
      await this.session.gaps.add({collector: step.uses, resource: `playbook step ${step.id}`, code: 'failed', reason: `step ${step.id} (${step.uses}) failed: ${report.reason ?? 'unknown error'}; the run went on (on-failure: continue)`})
    }
  }

  private finish(step: CompiledStep, report: StepReport): void {
    this.endedReports.push(report)
    this.ended.add(step.id)
    if (step.id === TARGETS_STEP) {
      const r = report.result as {functions?: string[]; regions?: string[]; region?: string} | undefined
      this.targets = r?.functions ? {functions: r.functions, regions: r.regions ?? [], region: r.region ?? this.env.aws.defaultRegion} : new Unavailable('the targets could not be resolved')
    } else this.states.set(step.id, {outcome: report.outcome, result: report.result, ...(report.outputs === undefined ? {} : {outputs: report.outputs})})
    this.options.observer?.ended(report)
  }

  private scope() {
    return buildScope({params: this.params, targets: this.targets, steps: this.states, run: {case: this.session.caseId, id: this.session.run.runId, apply: this.options.apply, region: this.env.aws.defaultRegion}})
  }

  /** Steps the resumed run finished are recorded as carried over, with the result later steps read. */
  private async carryOver(prior: PriorRun): Promise<void> {
    await this.session.run.note(`resuming run ${prior.runId} (${prior.status})`, {resumeOf: prior.runId, journalLastHash: prior.journalLastHash, manifestSha256: prior.manifestSha256})
    for (const step of this.steps) {
      const p = prior.steps.get(step.id)
      if (!p || !isFinished(p)) continue
      await this.session.run.carryStep(step.id, {scope: PLAYBOOK_SCOPE, outcome: p.outcome, carriedFrom: prior.runId, ...(p.cause === undefined ? {} : {cause: p.cause}), ...(p.result === undefined ? {} : {result: p.result}), ...(p.outputs === undefined ? {} : {outputs: p.outputs})})
      // Findings it produced there still count for this run's exit code.
      const findings = p.result === undefined ? 0 : (step.definition!.assess?.(p.result)?.findings ?? 0)
      this.finish(step, {id: step.id, uses: step.uses, kind: step.definition!.kind, outcome: p.outcome, gaps: 0, findings, carriedFrom: prior.runId, ...(p.cause === undefined ? {} : {cause: p.cause}), ...(p.result === undefined ? {} : {result: p.result}), ...(p.outputs === undefined ? {} : {outputs: p.outputs})})
    }
  }

  private async notRun(step: CompiledStep, cause: string): Promise<void> {
    const reason = cause === 'stopped' ? `the run stopped after step ${this.stopped} failed (on-failure: stop)` : cause === 'interrupted' ? 'the run was interrupted before it started' : 'the run ended on an error before it started'
    await this.session.run.skip(step.id, reason, {scope: PLAYBOOK_SCOPE, cause}).catch(() => {})
    this.finish(step, {id: step.id, uses: step.uses, kind: step.definition!.kind, outcome: 'skipped', cause, reason, gaps: 0, findings: 0})
  }

  /** The one confirmation before the first change; asked when the first containment step is about to call its step. */
  private approved(): Promise<boolean> {
    this.approval ??= this.options.approve ? this.options.approve(this.approvalRequest()) : Promise.resolve(true)
    return this.approval
  }

  private approvalRequest(): ApprovalRequest {
    const scope = this.scope()
    const steps = this.steps
      .filter((s) => s.definition!.kind === 'contain' && !this.ended.has(s.id))
      .map((s) => {
        const r = resolveWith(s, scope)
        const targets = Object.values(r.values).flatMap((v) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []))
        return {id: s.id, uses: s.uses, targets: r.deferred.length > 0 ? ('decided when it runs' as const) : targets}
      })
    return {playbook: this.plan.playbook.id, steps}
  }
}
