import {callerForRun} from '../aws/identity.js'
import type {Progress} from '../core/progress.js'
import type {AwsEnv, AwsContext} from '../collectors/context.js'
import {CoronerError, usageError} from '../core/errors.js'
import type {RecordingContext, StoreContext} from '../evidence/context.js'
import type {Gap} from '../evidence/gap.js'
import {GapLog} from '../evidence/gap-log.js'
import type {CallerRecord, RunStatus} from '../evidence/manifest.js'
import {EvidenceRun} from '../evidence/run.js'
import {MemoryStore} from '../evidence/stores/memory.js'
import {parseParams} from './params.js'
import type {AnyStep, AwsReadContext, ParamsOf, ResultOf} from './step.js'

/** What the runner is handed by a command or a playbook: the world, and the case worked on. */
export interface RunnerEnv extends AwsEnv {
  caseId: string | undefined
  /** False when no store was named and the default is in use (a case database given alone is then checked against its own store). */
  storeNamed?: boolean
}

/** A sealed evidence run, as every command that recorded one reports it. */
export interface SealedRun {
  caseId: string
  runId: string
  status: RunStatus
  manifestKey: string
  manifestSha256: string
  /** Artifacts the run wrote. */
  artifacts: number
  gaps: Gap[]
  warnings: string[]
  /** The case head after this run: `<runs>:<manifest SHA-256 prefix>`, what `evidence verify --expect` checks. */
  head: string
  /** The key that signed the manifest, when the store signs. */
  signature?: {keyId: string; publicKeySha256: string}
}

/** How a playbook calls a step inside its run. */
export interface CallOptions<R> {
  label?: string
  /** Gaps the step meets go here (and to the run's own log). */
  gaps?: GapLog
  progress?: Progress
  /** Overrides the run's --show-secrets for this call (a playbook lets only its report steps show them). */
  showSecrets?: boolean
  fields?: Record<string, unknown>
  ended?: (result: R) => Record<string, unknown>
}

/** What opening a run records in its first journal entry. */
export interface RunOpening {
  caseId: string
  /** The command or playbook, e.g. `collect lambda` or `run lambda-triage`. */
  command: string
  parameters: Record<string, unknown>
  /** Ask STS who the caller is (only when some step calls AWS). */
  identifyCaller: boolean
}

/**
 * One evidence run of a case with the steps called inside it. It alone begins and seals runs: each
 * step is journalled under its id with its parameters, outcome and duration, and the run is sealed
 * `incomplete` when interrupted, `failed` when a step threw, otherwise complete or partial by its gaps.
 */
export class RunSession {
  private constructor(
    readonly env: RunnerEnv,
    readonly run: EvidenceRun,
    readonly gaps: GapLog,
  ) {}

  static async open(env: RunnerEnv, opening: RunOpening): Promise<RunSession> {
    const caller: CallerRecord = opening.identifyCaller ? await callerForRun(env.aws, env.signal) : {}
    const run = await EvidenceRun.begin({store: env.store, clock: env.clock, caseId: opening.caseId, command: opening.command, parameters: opening.parameters, caller})
    return new RunSession({...env, caseId: opening.caseId}, run, new GapLog(run, env.signal))
  }

  get caseId(): string {
    return this.run.caseId
  }

  /**
   * Runs one step inside this run, journalled under `label` (default: the step id). A playbook gives
   * each call its own gap log (to tell which step met which gap) and progress, and adds to the
   * journal entries what it needs to resume.
   */
  async call<S extends AnyStep>(step: S, params: ParamsOf<S>, o: CallOptions<ResultOf<S>> = {}): Promise<ResultOf<S>> {
    const env = {...this.env, ...(o.progress === undefined ? {} : {progress: o.progress}), ...(o.showSecrets === undefined ? {} : {showSecrets: o.showSecrets})}
    const journal = {...(o.fields === undefined ? {} : {fields: o.fields}), ...(o.ended === undefined ? {} : {ended: o.ended})}
    return this.run.step(o.label ?? step.id, {uses: step.id, params}, () => step.run(contextFor(step, env, this, o.gaps), params) as Promise<ResultOf<S>>, journal)
  }

  /** Seals the run; `error` is what ended it early, if anything did. Safe to call twice. */
  async seal(error?: unknown): Promise<SealedRun> {
    const aborted = this.env.signal.aborted
    const status: RunStatus | undefined = aborted ? 'incomplete' : error === undefined ? undefined : 'failed'
    const sealed = await this.run.finish(status)
    return {
      caseId: this.run.caseId,
      runId: this.run.runId,
      status: sealed.manifest.status,
      manifestKey: sealed.manifestKey,
      manifestSha256: sealed.manifestSha256,
      artifacts: sealed.artifacts,
      gaps: [...this.run.gaps],
      warnings: [...sealed.manifest.warnings, ...sealed.warnings],
      head: sealed.head,
      ...(sealed.signature === undefined ? {} : {signature: {keyId: sealed.signature.keyId, publicKeySha256: sealed.signature.publicKeySha256}}),
    }
  }
}

/** A step's result and, for a step that records, the run it sealed (for a `'with-case'` step, only when it had a case). */
export type StepOutcome<S extends AnyStep> = S['records'] extends true
  ? {result: ResultOf<S>; run: SealedRun}
  : S['records'] extends 'with-case'
    ? {result: ResultOf<S>; run?: SealedRun}
    : {result: ResultOf<S>}

/** Whether running `step` on its own opens an evidence run, given the case (if any) it was handed. */
export function opensRun(step: AnyStep, caseId: string | undefined): boolean {
  return step.records === true || (step.records === 'with-case' && caseId !== undefined)
}

export interface RunStepOptions {
  /** The command or playbook journalled as opening the run; default: the step's own command. */
  command?: string
  /** The parameters journalled as the run's; default: the step's. */
  parameters?: Record<string, unknown>
  /** A recording step run without a case: its run is kept in memory only, and nothing is stored. */
  scratch?: boolean
}

/** The case id of a scratch run, which lives in memory and is never stored. */
const SCRATCH_CASE = 'SCRATCH'

/**
 * Runs one step as a command does: parameters checked against the step's schema and completed by
 * its `prepare`, then, for a step that records, inside a new evidence run of the case sealed
 * however it ends.
 */
export async function runStep<S extends AnyStep>(env: RunnerEnv, step: S, input: unknown, options: RunStepOptions = {}): Promise<StepOutcome<S>> {
  const params = await prepareParams(env, step, input)
  if (!opensRun(step, env.caseId)) return {result: await step.run(contextFor(step, env), params)} as StepOutcome<S>
  const opening = {command: options.command ?? step.command ?? step.id, parameters: options.parameters ?? (params as Record<string, unknown>), identifyCaller: step.usesAws(params)}
  return (await inNewRun(env, opening, (session) => session.call(step, params), options)) as StepOutcome<S>
}

/**
 * What `runStep` hands an offline step (one that opens no run): its parameters, checked, and its
 * context. For a command that calls the step's own parts instead of `run`, as `query` does to
 * stream its rows while the case database is open.
 */
export async function offlineCall<S extends AnyStep>(env: RunnerEnv, step: S, input: unknown): Promise<{ctx: StoreContext; params: ParamsOf<S>}> {
  if (!storeOnly(step)) throw new CoronerError('internal', `Step ${step.id} records evidence or calls AWS: it runs through runStep.`)
  return {ctx: storeContext(env), params: await prepareParams(env, step, input)}
}

/**
 * A step's parameters checked against its schema (from the command line, or a playbook's `with:`),
 * then completed by its `prepare`: before any run opens for a command, before the call in a playbook.
 */
export async function prepareParams<S extends AnyStep>(env: RunnerEnv, step: S, input: unknown, from: 'flags' | 'playbook' = 'flags'): Promise<ParamsOf<S>> {
  const params = parseParams(step, input, from)
  return step.prepare ? ((await step.prepare(storeContext(env), params)) as ParamsOf<S>) : params
}

/** One step call of a run that does several things (`contain all`): the step and its raw parameters. */
export interface StepCall {
  step: AnyStep
  input: unknown
}

/**
 * Runs several steps, in order, inside one new evidence run of the case: every parameter set is
 * checked before the run opens, each step is journalled under its id, and the run is sealed
 * however it ends. A step that throws stops the rest (gaps do not: they are recorded and the run goes on).
 */
export async function runSteps(env: RunnerEnv, calls: readonly StepCall[], options: {command: string; parameters: Record<string, unknown>}): Promise<{results: unknown[]; run: SealedRun}> {
  const parsed: Array<{step: AnyStep; params: unknown}> = []
  for (const c of calls) parsed.push({step: c.step, params: await prepareParams(env, c.step, c.input)})
  const opening = {...options, identifyCaller: parsed.some((c) => c.step.usesAws(c.params))}
  const {result, run} = await inNewRun(env, opening, async (session) => {
    const results: unknown[] = []
    for (const c of parsed) results.push(await session.call(c.step, c.params))
    return results
  })
  return {results: result, run}
}

/**
 * Opens a new evidence run of the case, hands it to `work` (which calls steps in it) and seals it
 * however the work ends: what a command running several steps in one run, and a playbook, stand on.
 */
export async function inNewRun<T>(
  env: RunnerEnv,
  opening: Omit<RunOpening, 'caseId'>,
  work: (session: RunSession) => Promise<T>,
  options: {scratch?: boolean} = {},
): Promise<{result: T; run: SealedRun}> {
  const runEnv: RunnerEnv = options.scratch ? {...env, store: new MemoryStore(), caseId: SCRATCH_CASE} : env
  if (runEnv.caseId === undefined) throw usageError('no-case', `${opening.command} records evidence and needs a case: give --case.`, 'e.g. --case INC-2026-0042')
  const session = await RunSession.open(runEnv, {...opening, caseId: runEnv.caseId, identifyCaller: opening.identifyCaller && !options.scratch})
  try {
    let result: T
    try {
      result = await work(session)
    } catch (error) {
      // Seal what is there; if even that fails (a full disk), the journal already holds every hash.
      await session.seal(error).catch(() => {})
      throw error
    }
    return {result, run: await session.seal()}
  } finally {
    if (options.scratch) await runEnv.store.close()
  }
}

/** What every step is handed, whatever its kind: the world without AWS, and the evidence store. */
function storeContext(env: RunnerEnv, session?: RunSession): StoreContext {
  return {
    clock: env.clock,
    logger: env.logger,
    progress: env.progress,
    signal: env.signal,
    showSecrets: env.showSecrets,
    store: env.store,
    caseId: session?.caseId ?? env.caseId,
    ...(session ? {openRun: session.run.runId} : {}),
    ...(env.storeNamed === undefined ? {} : {storeNamed: env.storeNamed}),
  }
}

/**
 * The context a step of its kind is given, built field by field: an analysis or report step never
 * holds the AWS client factory, at run time as in its type. A `'with-case'` step run outside a
 * session gets no run: a collect or contain step keeps its AWS access, read-only by its permissions.
 */
/** A step that neither records evidence nor calls AWS: its context is the store's alone. */
const storeOnly = (step: AnyStep): boolean => !usesAwsKind(step) && !step.records
const usesAwsKind = (step: AnyStep): boolean => step.kind === 'collect' || step.kind === 'contain'

function contextFor(step: AnyStep, env: RunnerEnv, session?: RunSession, gaps?: GapLog): AwsContext | AwsReadContext | RecordingContext | StoreContext {
  const base = storeContext(env, session)
  const usesAws = usesAwsKind(step)
  if (storeOnly(step)) return base
  if (!session && step.records === 'with-case') return usesAws ? {...base, aws: env.aws} : base
  if (!session) throw usageError('no-run', `Step ${step.id} records evidence and runs only inside an evidence run.`)
  const recording: RecordingContext = {...base, caseId: session.caseId, run: session.run, gaps: gaps ?? session.gaps}
  return usesAws ? {...recording, aws: env.aws} : recording
}
