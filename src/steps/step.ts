import type {z} from 'zod'
import type {AwsContext, AwsEnv} from '../collectors/context.js'
import type {RecordingContext, StoreContext} from '../evidence/context.js'

/** What a step does to the world: read it, change it, look after evidence, analyse it, or report on it. */
export const STEP_KINDS = ['collect', 'contain', 'evidence', 'analyse', 'report'] as const
export type StepKind = (typeof STEP_KINDS)[number]

/**
 * Whether a step, run on its own, opens an evidence run of the case: always (`true`), never
 * (`false`), or only when a case is given (`'with-case'`: an audit that is useful on its own and is
 * preserved as evidence when asked). Inside a playbook's run a `'with-case'` step always records.
 */
export type Recording = boolean | 'with-case'

/**
 * The context a step of kind `K` runs with. Analysis and report steps get no AWS client factory,
 * so "the analysis never calls AWS" is checked by the compiler; an evidence step gets a run only
 * when it records one (`records: true`). A `'with-case'` step gets either, and tells them apart by
 * `run` (undefined when no case was given).
 */
export type ContextFor<K extends StepKind, Records extends Recording> = K extends 'collect' | 'contain'
  ? Records extends 'with-case'
    ? AwsContext | AwsReadContext
    : AwsContext
  : Records extends true
    ? RecordingContext
    : Records extends 'with-case'
      ? RecordingContext | (StoreContext & NoRun)
      : StoreContext

/** The fields of a recording context, absent: a `'with-case'` step run without a case. */
export interface NoRun {
  run?: undefined
  gaps?: undefined
}

/** What a `'with-case'` collect or contain step gets when no case was given: AWS, no evidence run. */
export type AwsReadContext = AwsEnv & StoreContext & NoRun

/**
 * One capability of coroner, as commands and playbooks call it. The id is the name the manifest,
 * the custody journal and a playbook's `uses:` give it; the parameter schema validates CLI flags
 * and a playbook's `with:` alike and yields a JSON Schema; `permissions` and `usesAws` are pure,
 * so a plan can say what a run will need without calling anything.
 */
export interface StepDefinition<K extends StepKind = StepKind, S extends z.ZodType = z.ZodType, R = unknown, Records extends Recording = Recording> {
  readonly id: string
  readonly kind: K
  readonly title: string
  /** The CLI command that runs this step on its own, e.g. `collect lambda`. */
  readonly command?: string
  /** Parameters: JSON data only (times as ISO 8601 or durations, files as paths), so they can be journalled and written in YAML. */
  readonly params: S
  /** Whether, run on its own, the step opens an evidence run of the case (collectors, imports, containment, evidence add and hold), or only when given one. */
  readonly records: Records
  /** The AWS operations it may call, as `service:Operation`. */
  readonly operations: readonly string[]
  /**
   * The IAM actions it needs with these parameters (read-only for every collect step); without
   * parameters, every action it may need, for a standing policy (`coroner permissions`).
   */
  permissions(params?: z.output<S>): readonly string[]
  /** Whether it calls AWS with these parameters; the runner asks STS who the caller is only then. */
  usesAws(params: z.output<S>): boolean
  /** Artifact kinds it writes (docs/evidence-format.md). */
  readonly produces: readonly string[]
  /**
   * Checks and completes the parameters from the evidence and the files named before any run
   * opens (e.g. `--resume` finding the earlier run to continue): a usage error here leaves no
   * run behind. Reads only; never calls AWS.
   */
  prepare?(ctx: StoreContext, params: z.output<S>): Promise<z.output<S>>
  /** Does the work; the result is typed and JSON-serialisable. */
  run(ctx: ContextFor<K, Records>, params: z.output<S>): Promise<R>
  /**
   * What a result means for the exit code of a run it is part of: findings (exit 3), data that could
   * not be read (exit 6). Write it after `run`, so the result type is inferred from `run`.
   */
  assess?(result: R): StepAssessment
}

/** Findings a result holds, and problems that leave its data incomplete, as a playbook run counts them. */
export interface StepAssessment {
  findings?: number
  problems?: string[]
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStep = StepDefinition<StepKind, z.ZodType, any, Recording>
export type ParamsOf<T extends AnyStep> = z.output<T['params']>
export type InputOf<T extends AnyStep> = z.input<T['params']>
export type ResultOf<T extends AnyStep> = Awaited<ReturnType<T['run']>>

/** What a step that never calls AWS declares: no operations, no IAM actions, no caller to name. */
export const NO_AWS = {
  operations: [] as readonly string[],
  permissions: (): readonly string[] => [],
  usesAws: (): boolean => false,
}

/** Declares a step; the literal types of `kind` and `records` pick the context its `run` gets. */
export function defineStep<K extends StepKind, S extends z.ZodType, R, Records extends Recording>(
  definition: StepDefinition<K, S, R, Records>,
): StepDefinition<K, S, R, Records> {
  return Object.freeze(definition)
}
