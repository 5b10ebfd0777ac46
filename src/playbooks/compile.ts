import {findStep} from '../steps/registry.js'
import type {AnyStep} from '../steps/step.js'
import {references, type Reference} from './expr/analyse.js'
import {parseExpression, parseTemplate, type Expr} from './expr/parse.js'
import {ExpressionError} from './expr/tokens.js'
import type {PlaybookDocument} from './schema.js'
import type {PathPart} from './source.js'

/** The id of the step the engine adds when a playbook declares `targets`. */
export const TARGETS_STEP = 'targets'
/** The registered step that resolves targets. */
export const TARGETS_USES = 'lambda-targets'

/** One expression of a playbook, parsed, and where it sits. */
export interface Located {
  path: PathPart[]
  /** Offset of the expression's text inside the string at `path`. */
  offset: number
  expr: Expr
  /** Where it may read `result` (a step's outputs). */
  inOutputs: boolean
}

/** An expression that does not parse, and where. */
export interface LocatedError {
  path: PathPart[]
  offset: number
  error: ExpressionError
}

/** A playbook step ready to plan: its call, its expressions parsed, and the steps it must wait for. */
export interface CompiledStep {
  id: string
  /** Index in the document's steps; -1 for the targets step the engine adds. */
  index: number
  path: PathPart[]
  uses: string
  definition: AnyStep | undefined
  title: string
  with: Record<string, unknown>
  when: string | boolean | undefined
  needs: string[]
  onFailure: 'continue' | 'stop'
  outputs: Record<string, string>
  maxResources: number | undefined
  expressions: Located[]
  /** Steps that must end first: `needs`, plus every step (and the targets step) its expressions read. */
  dependsOn: Set<string>
}

export interface CompiledPlaybook {
  document: PlaybookDocument
  steps: CompiledStep[]
  errors: LocatedError[]
}

/** Every `${{ … }}` in a value (walked through lists and maps), parsed; errors collected. */
function collect(value: unknown, path: PathPart[], inOutputs: boolean, out: Located[], errors: LocatedError[]): void {
  if (typeof value === 'string') {
    if (!value.includes('${{')) return
    try {
      for (const part of parseTemplate(value)) if ('expr' in part) out.push({path, offset: part.offset, expr: part.expr, inOutputs})
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error
      errors.push({path, offset: error.offset, error})
    }
  } else if (Array.isArray(value)) value.forEach((v, i) => collect(v, [...path, i], inOutputs, out, errors))
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) collect(v, [...path, k], inOutputs, out, errors)
}

/** A `when:` is an expression with or without `${{ }}`. */
function collectCondition(when: string, path: PathPart[], out: Located[], errors: LocatedError[]): void {
  if (when.includes('${{')) return collect(when, path, false, out, errors)
  try {
    out.push({path, offset: 0, expr: parseExpression(when).expr, inOutputs: false})
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error
    errors.push({path, offset: error.offset, error})
  }
}

/** The steps an expression's references make a step wait for. */
export function referencedSteps(refs: readonly Reference[]): string[] {
  const out: string[] = []
  for (const r of refs) {
    if (r.root === 'targets') out.push(TARGETS_STEP)
    const first = r.segments[0]
    if (r.root === 'steps' && first?.kind === 'key') out.push(first.name)
  }
  return out
}

const asList = (v: string | readonly string[] | undefined): string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : [...v])

/** Turns a (format-valid) playbook into steps with their expressions and dependencies. */
export function compilePlaybook(document: PlaybookDocument): CompiledPlaybook {
  const errors: LocatedError[] = []
  const steps: CompiledStep[] = []
  if (document.targets) {
    const t = document.targets
    const withValue: Record<string, unknown> = {selectors: t.functions, ...(t.regions === undefined ? {} : {regions: t.regions})}
    const expressions: Located[] = []
    collect(t.functions, ['targets', 'functions'], false, expressions, errors)
    if (t.regions !== undefined) collect(t.regions, ['targets', 'regions'], false, expressions, errors)
    steps.push(compiled({id: TARGETS_STEP, index: -1, path: ['targets'], uses: TARGETS_USES, title: 'Resolve the target functions', with: withValue, when: undefined, needs: [], onFailure: 'stop', outputs: {}, maxResources: undefined, expressions}))
  }
  document.steps.forEach((s, index) => {
    const path: PathPart[] = ['steps', index]
    const expressions: Located[] = []
    collect(s.with ?? {}, [...path, 'with'], false, expressions, errors)
    if (typeof s.when === 'string') collectCondition(s.when, [...path, 'when'], expressions, errors)
    for (const [name, expr] of Object.entries(s.outputs ?? {})) collect(expr, [...path, 'outputs', name], true, expressions, errors)
    const definition = findStep(s.uses)
    steps.push(
      compiled({
        id: s.id,
        index,
        path,
        uses: s.uses,
        title: s.title ?? definition?.title ?? s.uses,
        with: s.with ?? {},
        when: s.when,
        needs: asList(s.needs),
        onFailure: s['on-failure'] ?? 'continue',
        outputs: s.outputs ?? {},
        maxResources: s['max-resources'] ?? document['max-resources'],
        expressions,
      }),
    )
  })
  return {document, steps, errors}
}

function compiled(s: Omit<CompiledStep, 'definition' | 'dependsOn'>): CompiledStep {
  const refs = s.expressions.flatMap((e) => references(e.expr))
  const dependsOn = new Set([...s.needs, ...referencedSteps(refs)].filter((id) => id !== s.id))
  return {...s, definition: findStep(s.uses), dependsOn}
}

/** Steps in an order where each comes after every step it depends on; undefined when there is a cycle. */
export function topologicalOrder(steps: readonly CompiledStep[]): CompiledStep[] | undefined {
  const byId = new Map(steps.map((s) => [s.id, s]))
  const done = new Set<string>()
  const order: CompiledStep[] = []
  let progressed = true
  while (order.length < steps.length && progressed) {
    progressed = false
    for (const s of steps) {
      if (done.has(s.id) || ![...s.dependsOn].every((d) => done.has(d) || !byId.has(d))) continue
      done.add(s.id)
      order.push(s)
      progressed = true
    }
  }
  return order.length === steps.length ? order : undefined
}
