import {parseSelector} from '../collectors/lambda-targets.js'
import {CoronerError} from '../core/errors.js'
import type {StepKind} from '../steps/step.js'
import {Unavailable, renderValue} from './expr/evaluate.js'
import {TARGETS_STEP, compilePlaybook, topologicalOrder, type CompiledPlaybook, type CompiledStep} from './compile.js'
import {formatIssue, hasErrors, sortIssues} from './issues.js'
import type {LoadedPlaybook} from './load.js'
import {describeType, resolveParameters, type ParameterSource, type ResolvedParameters} from './parameters.js'
import {buildScope, countTargets, engineParams, resolveWhen, resolveWith, standInParams, type ScopeInput, type StepState} from './resolve.js'
import {validatePlaybook} from './validate.js'

export interface PlannedParameter {
  name: string
  type: string
  description: string
  required: boolean
  value: unknown
  source: ParameterSource
}

export interface PlannedStep {
  id: string
  uses: string
  kind: StepKind
  title: string
  /** The steps it waits for (needs and the steps it reads). */
  after: string[]
  when: string | boolean | undefined
  /** true, false, or 'run time' when the condition reads a result not known before the run. */
  runs: boolean | 'run time'
  onFailure: 'continue' | 'stop'
  /** Its parameters as far as they are known: values, and the expression text where a result is needed. */
  params: Record<string, unknown>
  deferred: string[]
  usesAws: boolean
  permissions: string[]
  produces: string[]
  /** For a containment step: the guard, and how many resources it would touch as far as known. */
  maxResources?: number | undefined
  targets?: number
}

export interface Plan {
  playbook: {id: string; title: string; description: string; version: string; status: string; file: string; sha256: string; attack: string[]; references: string[]}
  parameters: PlannedParameter[]
  targets?: {selectors: Array<{selector: string; kind: string; resolvedAt: 'plan' | 'run time'}>; functions?: string[]; regions: string[]}
  apply: boolean
  steps: PlannedStep[]
  /** Every IAM action the run may call, sorted. */
  permissions: string[]
  /** Problems that would stop the run (a required parameter missing), and caveats. */
  problems: string[]
  warnings: string[]
}

export interface PlanOptions {
  given: ReadonlyMap<string, readonly string[]>
  now: Date
  /** The region bare names and steps default to: --region or the configuration, never asked of AWS. */
  region: string
  apply: boolean
  caseId?: string
}

/** A playbook that does not validate, as an error listing every issue (exit 4). */
export function invalidPlaybook(loaded: LoadedPlaybook): CoronerError | undefined {
  const issues = sortIssues(validatePlaybook(loaded))
  if (!hasErrors(issues)) return undefined
  return new CoronerError('invalid-playbook', `${loaded.file} is not a valid playbook:\n${issues.filter((i) => i.severity === 'error').map(formatIssue).join('\n')}`, {
    hint: `Fix the issues above; \`coroner playbook validate ${loaded.file}\` lists them.`,
  })
}

/**
 * The plan of a run, computed without calling anything: parameters resolved, the targets as far as
 * they are known offline, each step with its parameters (those that need an earlier step's result
 * shown as the expression), whether it calls AWS, and the IAM actions it needs.
 */
export function planPlaybook(loaded: LoadedPlaybook, options: PlanOptions): Plan {
  const invalid = invalidPlaybook(loaded)
  if (invalid) throw invalid
  const compiled = compilePlaybook(loaded.document!)
  const resolved = resolveParameters(loaded.document!.parameters ?? {}, options.given, options.now)
  const order = topologicalOrder(compiled.steps)!
  const targets = offlineTargets(compiled, resolved, options.region)
  const states = new Map<string, StepState>(compiled.steps.filter((s) => s.id !== TARGETS_STEP).map((s) => [s.id, {outcome: 'pending'}]))
  const missing = new Set(resolved.problems.filter((p) => p.code === 'missing-parameter').map((p) => p.name))
  const paramScope = Object.fromEntries(Object.entries(resolved.values).map(([k, v]) => [k, missing.has(k) ? new Unavailable(`parameter ${k} is given at run time`) : v]))
  const scopeInput: ScopeInput = {params: paramScope, targets: targets.known ?? new Unavailable('the targets are resolved at run time'), steps: states, run: {case: options.caseId ?? null, id: null, apply: options.apply, region: options.region}}
  const scope = buildScope(scopeInput)
  const warnings: string[] = []
  const steps = order.map((s) => planStep(s, scope, options, warnings))
  const d = loaded.document!
  return {
    playbook: {id: d.id, title: d.title, description: d.description, version: String(d.version), status: d.status, file: loaded.file, sha256: loaded.sha256, attack: d.attack ?? [], references: d.references ?? []},
    parameters: Object.entries(d.parameters ?? {}).map(([name, p]) => ({name, type: describeType(p), description: p.description, required: p.required ?? false, value: resolved.values[name], source: resolved.sources[name]!})),
    ...(targets.summary === undefined ? {} : {targets: targets.summary}),
    apply: options.apply,
    steps,
    permissions: [...new Set(steps.flatMap((s) => s.permissions))].sort(),
    problems: resolved.problems.map((p) => p.message),
    warnings,
  }
}

function planStep(step: CompiledStep, scope: ReturnType<typeof buildScope>, options: PlanOptions, warnings: string[]): PlannedStep {
  const def = step.definition!
  let runs: boolean | 'run time' = 'run time'
  let resolved = {values: {} as Record<string, unknown>, deferred: [] as string[]}
  try {
    runs = resolveWhen(step, scope) ?? 'run time'
    resolved = resolveWith(step, scope)
  } catch (error) {
    warnings.push((error as Error).message)
    resolved = {values: {...step.with}, deferred: Object.keys(step.with)}
  }
  const params = {...resolved.values, ...engineParams(def, {apply: options.apply, maxResources: step.maxResources, resume: false})}
  const asked = standInParams(def, params, resolved.deferred)
  // A step whose condition is already false will not run: it needs nothing.
  if (runs === false) return {...planned(step, runs, params, resolved.deferred), usesAws: false, permissions: []}
  if (!asked) warnings.push(`step ${step.id}: its parameters ${resolved.deferred.length > 0 ? 'are only known at run time and ' : ''}do not fit ${def.id}'s schema yet; it lists every operation it may call`)
  // Values known only at run time could need more: a step's permissions(undefined) says what it may need at most.
  const most = resolved.deferred.length > 0 ? atMost(() => def.permissions(undefined as never)) : []
  const permissions = asked ? [...new Set([...def.permissions(asked), ...most])] : [...def.operations]
  return {...planned(step, runs, params, resolved.deferred), usesAws: asked ? def.usesAws(asked) : def.kind === 'collect' || def.kind === 'contain', permissions}
}

function planned(step: CompiledStep, runs: PlannedStep['runs'], params: Record<string, unknown>, deferred: string[]): Omit<PlannedStep, 'usesAws' | 'permissions'> {
  const def = step.definition!
  return {
    id: step.id,
    uses: def.id,
    kind: def.kind,
    title: step.title,
    after: [...step.dependsOn],
    when: step.when,
    runs,
    onFailure: step.onFailure,
    params,
    deferred,
    produces: [...def.produces],
    ...(def.kind === 'contain' ? {maxResources: step.maxResources, ...(deferred.length === 0 ? {targets: countTargets(params)} : {})} : {}),
  }
}

/** What a step's pure function answers for unknown parameters, when it answers at all. */
function atMost(ask: () => readonly string[]): readonly string[] {
  try {
    return ask()
  } catch {
    return []
  }
}

/** The targets, when every selector is a name or an ARN: known without asking AWS. */
function offlineTargets(compiled: CompiledPlaybook, resolved: ResolvedParameters, region: string): {known?: {functions: string[]; regions: string[]; region: string}; summary?: Plan['targets']} {
  const step = compiled.steps.find((s) => s.id === TARGETS_STEP)
  if (!step) return {}
  const scope = buildScope({params: resolved.values, targets: undefined, steps: new Map(), run: {case: null, id: null, apply: false, region}})
  const asList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [])
  const selectors = asList(renderValue(step.with.selectors, scope))
  const regionsGiven = step.with.regions === undefined ? [] : asList(renderValue(step.with.regions, scope))
  const regions = regionsGiven.length > 0 ? regionsGiven : [region]
  const kinds = selectors.map((s) => ({selector: s, kind: parseSelector(s)?.kind ?? 'invalid'}))
  const offline = kinds.length > 0 && kinds.every((k) => k.kind === 'name' || k.kind === 'arn')
  const summary = {selectors: kinds.map((k) => ({...k, resolvedAt: k.kind === 'name' || k.kind === 'arn' ? ('plan' as const) : ('run time' as const)})), regions, ...(offline ? {functions: selectors} : {})}
  return {summary, ...(offline ? {known: {functions: selectors, regions, region: regions[0]!}} : {})}
}
