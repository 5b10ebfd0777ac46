import {paramsJsonSchema} from '../steps/params.js'
import type {AnyStep} from '../steps/step.js'
import {Unavailable, UnavailableError, evaluateCondition, renderValue, type Scope} from './expr/evaluate.js'
import {ExpressionError} from './expr/tokens.js'
import {TARGETS_STEP, type CompiledStep} from './compile.js'
import {engineManagedKeys} from './validate-with.js'

/** How a step ended in a playbook run; `interrupted`: it returned because the run was interrupted (a resume runs it again). */
export type StepOutcome = 'done' | 'gap' | 'failed' | 'skipped' | 'interrupted'

/** What later steps can read of a step: its outcome and, when it finished, its result and outputs. */
export interface StepState {
  outcome: StepOutcome | 'pending'
  result?: unknown
  outputs?: Record<string, unknown>
}

/** What the engine knows when it evaluates an expression. */
export interface ScopeInput {
  /** Resolved values (JSON already), or Unavailable for a required one not given (in a plan). */
  params: Record<string, unknown>
  /** The targets step's result, or why it is not known (yet). */
  targets: {functions: string[]; regions: string[]; region: string} | Unavailable | undefined
  steps: ReadonlyMap<string, StepState>
  run: {case: string | null; id: string | null; apply: boolean; region: string}
}

/**
 * The data an expression reads: JSON values only (results go through JSON on their way in, as they
 * do through the journal on a resume), and Unavailable where a step has no result to give.
 */
export function buildScope(input: ScopeInput): Scope {
  const steps: Record<string, unknown> = {}
  for (const [id, s] of input.steps) {
    const finished = s.outcome === 'done' || s.outcome === 'gap'
    const missing = new Unavailable(s.outcome === 'pending' ? `step ${id} has not run yet` : `step ${id} ${s.outcome === 'failed' ? 'failed' : 'was skipped'}, so it has no result`)
    steps[id] = {outcome: s.outcome === 'pending' ? null : s.outcome, result: finished ? asJson(s.result) : missing, outputs: finished ? asJson(s.outputs ?? {}) : missing}
  }
  return {params: input.params, targets: input.targets instanceof Unavailable ? input.targets : (input.targets ?? null), steps, run: input.run}
}

/**
 * A value as JSON would carry it (undefined dropped, dates as text, big integers as numbers when
 * exact, else as text): the only shape expressions see, and what the journal holds.
 */
export const asJson = (value: unknown): unknown =>
  value === undefined ? null : (JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v))) as unknown)

export interface ResolvedWith {
  values: Record<string, unknown>
  /** Keys whose value depends on what is not known yet (a step that has not run). */
  deferred: string[]
}

/** A step's `with:` evaluated over the scope; a value that needs a result not there yet is deferred. */
export function resolveWith(step: CompiledStep, scope: Scope): ResolvedWith {
  const out: ResolvedWith = {values: {}, deferred: []}
  for (const [key, value] of Object.entries(step.with)) {
    try {
      const v = renderValue(value, scope)
      // targets: takes one selector or region as readily as a list of them.
      if (v !== null) out.values[key] = step.id === TARGETS_STEP && typeof v === 'string' ? [v] : v
    } catch (error) {
      if (!(error instanceof UnavailableError)) throw withContext(error, step, `with.${key}`)
      out.deferred.push(key)
      out.values[key] = value
    }
  }
  return out
}

/** A `when:`: true, false, or undefined when it depends on what is not known yet. */
export function resolveWhen(step: CompiledStep, scope: Scope): boolean | undefined {
  if (step.when === undefined || typeof step.when === 'boolean') return step.when ?? true
  try {
    return evaluateCondition(step.when, scope)
  } catch (error) {
    if (error instanceof UnavailableError) return undefined
    throw withContext(error, step, 'when')
  }
}

/** A finished step's outputs, evaluated over its result. */
export function resolveOutputs(step: CompiledStep, result: unknown, scope: Scope): Record<string, unknown> {
  const withResult = {...scope, result: asJson(result)}
  const out: Record<string, unknown> = {}
  for (const [name, expr] of Object.entries(step.outputs)) {
    try {
      out[name] = renderValue(expr, withResult)
    } catch (error) {
      throw withContext(error, step, `outputs.${name}`)
    }
  }
  return out
}

function withContext(error: unknown, step: CompiledStep, where: string): Error {
  if (error instanceof ExpressionError) return new ExpressionError(`step ${step.id}, ${where}: ${error.message}`, error.offset, error.code)
  return error as Error
}

/** What the engine itself adds to a step's parameters: apply and the resource guard for containment, resume. */
export function engineParams(def: AnyStep, options: {apply: boolean; maxResources: number | undefined; resume: boolean}): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of engineManagedKeys(def)) {
    if (key === 'apply') out.apply = options.apply
    if (key === 'maxResources' && options.maxResources !== undefined) out.maxResources = options.maxResources
    if (key === 'resume' && options.resume) out.resume = true
  }
  return out
}

/**
 * The resources a containment call would touch, counted from its parameters: every distinct name
 * or ARN in its list-valued parameters and in single ones that name a resource.
 */
export function countTargets(params: Record<string, unknown>): number {
  const names = new Set<string>()
  for (const [key, v] of Object.entries(params)) {
    if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') names.add(x)
    if (typeof v === 'string' && RESOURCE_KEY.test(key)) names.add(v)
  }
  return names.size
}

const RESOURCE_KEY = /^(function|functionName|role|roleName|arn|resource|target)$/i

/**
 * Parameters that let a step's pure functions (permissions, usesAws) be asked before the deferred
 * values are known: each deferred key gets a stand-in of its type. Undefined when that is not enough.
 */
export function standInParams(def: AnyStep, values: Record<string, unknown>, deferred: readonly string[]): Record<string, unknown> | undefined {
  const props = ((paramsJsonSchema(def) as {properties?: Record<string, {type?: unknown; items?: {type?: unknown}}>}).properties ?? {})
  const out = {...values}
  for (const key of deferred) {
    const t = props[key]?.type
    out[key] = t === 'array' ? [props[key]?.items?.type === 'number' || props[key]?.items?.type === 'integer' ? 1 : 'deferred'] : t === 'boolean' ? false : t === 'integer' || t === 'number' ? 1 : 'deferred'
  }
  const parsed = def.params.safeParse(out)
  return parsed.success ? (parsed.data as Record<string, unknown>) : undefined
}
