import {STEPS} from '../steps/registry.js'
import {references, staticType, type Reference, type StaticType} from './expr/analyse.js'
import {TARGETS_STEP, compilePlaybook, topologicalOrder, type CompiledPlaybook, type CompiledStep, type Located} from './compile.js'
import type {PlaybookIssue} from './issues.js'
import type {LoadedPlaybook} from './load.js'
import {didYouMean} from '../core/suggest.js'
import {checkParameter, parameterJsonType} from './parameters.js'
import type {PlaybookDocument} from './schema.js'
import type {PlaybookSource} from './source.js'
import {checkWith} from './validate-with.js'

const STEP_FIELDS = ['result', 'outputs', 'outcome']
const TARGET_FIELDS: Record<string, StaticType> = {functions: 'array', regions: 'array', region: 'string'}
const RUN_FIELDS: Record<string, StaticType> = {case: 'string', id: 'string', apply: 'boolean', region: 'string'}
/** Steps that read the evidence other steps write (analysis, reports, verify): they must wait for every collection before them. */
const readsEvidence = (def: {kind: string; records: unknown}): boolean => def.kind === 'analyse' || def.kind === 'report' || (def.kind === 'evidence' && def.records === false)

/**
 * Every issue of a playbook: its YAML, its format, and what only the step registry can tell (the
 * steps it calls and their parameters), the references between steps, the order they run in and
 * the guards on containment. Returns the issues in file order; an empty list means it is valid.
 */
export function validatePlaybook(loaded: LoadedPlaybook): PlaybookIssue[] {
  const {source, document} = loaded
  if (document) checkDocument(source, document)
  return source.issues
}

function checkDocument(source: PlaybookSource, document: PlaybookDocument): void {
  checkParameters(source, document)
  const compiled = compilePlaybook(document)
  for (const e of compiled.errors) source.issue(e.path, 'error', e.error.code, e.error.message, {offset: e.offset})
  checkStepIds(source, compiled)
  const ids = new Set(compiled.steps.map((s) => s.id))
  for (const step of compiled.steps) {
    for (const [i, need] of step.needs.entries()) {
      const at = [...step.path, 'needs', ...(typeof document.steps[step.index]?.needs === 'string' ? [] : [i])]
      if (need === step.id) source.issue(at, 'error', 'needs-cycle', `step ${step.id} needs itself`)
      else if (!ids.has(need)) source.issue(at, 'error', 'unresolved-reference', `step ${step.id} needs ${JSON.stringify(need)}, which is no step of this playbook${suggest(need, [...ids])}`)
    }
    for (const e of step.expressions) checkReferences(source, document, compiled, step, e)
    checkCall(source, document, step)
  }
  checkCycles(source, compiled)
  checkReaders(source, compiled)
  checkUnused(source, document, compiled)
}

function checkParameters(source: PlaybookSource, document: PlaybookDocument): void {
  const now = new Date()
  for (const [name, p] of Object.entries(document.parameters ?? {})) {
    const at = ['parameters', name]
    if (p.type === 'choice' && p.choices === undefined) source.issue([...at, 'type'], 'error', 'invalid-parameter', `parameter ${name} is a choice but gives no choices: list them under choices:`)
    if (p.type !== 'choice' && p.choices !== undefined) source.issue([...at, 'choices'], 'error', 'invalid-parameter', `parameter ${name} lists choices but is a ${p.type}; make it type: choice`)
    if (p.type !== 'list' && p.items !== undefined) source.issue([...at, 'items'], 'error', 'invalid-parameter', `parameter ${name} gives items but is a ${p.type}; items belongs to type: list`)
    if (p.default === undefined || (p.type === 'choice' && p.choices === undefined)) continue
    const checked = checkParameter(p, p.default, now)
    if (!checked.ok) source.issue([...at, 'default'], 'error', 'invalid-parameter', `the default of parameter ${name} is not a ${p.type}: ${checked.message}`)
  }
}

function checkStepIds(source: PlaybookSource, compiled: CompiledPlaybook): void {
  const seen = new Set<string>()
  for (const s of compiled.steps) {
    if (s.index < 0) continue
    if (s.id === TARGETS_STEP) source.issue([...s.path, 'id'], 'error', 'reserved-step-id', `the step id ${TARGETS_STEP} is taken by the step that resolves the playbook's targets; choose another`)
    else if (seen.has(s.id)) source.issue([...s.path, 'id'], 'error', 'duplicate-step-id', `two steps have the id ${s.id}; every step id is unique in a playbook`)
    seen.add(s.id)
  }
}

/** The step a reference names must exist, come before, and have the field it reads. */
function checkReferences(source: PlaybookSource, document: PlaybookDocument, compiled: CompiledPlaybook, step: CompiledStep, located: Located): void {
  const problem = (ref: Reference, code: 'unresolved-reference' | 'unknown-parameter' | 'needs-cycle', message: string): void =>
    source.issue(located.path, 'error', code, message, {offset: located.offset + ref.offset})
  for (const ref of references(located.expr)) {
    const [first, second, third] = ref.segments
    const name = first?.kind === 'key' ? first.name : undefined
    switch (ref.root) {
      case 'params':
        if (name === undefined || !Object.hasOwn(document.parameters ?? {}, name)) {
          problem(ref, 'unknown-parameter', `params.${name ?? ''} is not a parameter of this playbook${suggest(name ?? '', Object.keys(document.parameters ?? {}))}; declare it under parameters:`)
        }
        break
      case 'targets':
        if (!document.targets) problem(ref, 'unresolved-reference', 'targets is read but the playbook declares no targets:')
        else if (name === undefined || !Object.hasOwn(TARGET_FIELDS, name)) problem(ref, 'unresolved-reference', `targets.${name ?? ''} does not exist; targets has ${Object.keys(TARGET_FIELDS).join(', ')}`)
        else if (step.id === TARGETS_STEP) problem(ref, 'needs-cycle', 'targets cannot be defined from themselves')
        break
      case 'run':
        if (name === undefined || !Object.hasOwn(RUN_FIELDS, name)) problem(ref, 'unresolved-reference', `run.${name ?? ''} does not exist; run has ${Object.keys(RUN_FIELDS).join(', ')}`)
        break
      case 'result':
        if (!located.inOutputs) problem(ref, 'unresolved-reference', `result is a step's own result and is read only in its outputs:; elsewhere use steps.<id>.result`)
        break
      case 'steps': {
        const target = compiled.steps.find((s) => s.id === name)
        const field = second?.kind === 'key' ? second.name : undefined
        if (name === undefined || !target || target.index < 0) problem(ref, 'unresolved-reference', `steps.${name ?? ''} is no step of this playbook${suggest(name ?? '', compiled.steps.filter((s) => s.index >= 0).map((s) => s.id))}`)
        else if (target.id === step.id) problem(ref, 'needs-cycle', `step ${step.id} reads its own ${field ?? 'state'}; inside its outputs: use result`)
        else if (field !== undefined && !STEP_FIELDS.includes(field)) problem(ref, 'unresolved-reference', `steps.${name}.${field} does not exist; a step has ${STEP_FIELDS.join(', ')}`)
        else if (field === 'outputs' && third?.kind === 'key' && !Object.hasOwn(target.outputs, third.name)) {
          problem(ref, 'unresolved-reference', `step ${name} has no output ${third.name}${suggest(third.name, Object.keys(target.outputs))}; declare it under its outputs:`)
        }
        break
      }
      default:
        problem(ref, 'unresolved-reference', `${ref.root} is not something an expression can read: use params, targets, steps, run (or result in outputs)`)
    }
  }
}

/** The call itself: a registered step, its `with:` against that step's schema, and containment guards. */
function checkCall(source: PlaybookSource, document: PlaybookDocument, step: CompiledStep): void {
  if (step.index < 0) return
  const def = step.definition
  if (!def) {
    source.issue([...step.path, 'uses'], 'error', 'unknown-step', `no step is called ${JSON.stringify(step.uses)}${suggest(step.uses, STEPS.map((s) => s.id))}; \`coroner playbook steps\` lists them`)
    return
  }
  checkWith(source, step, def, (expr) => staticType(expr, (ref) => typeOfPath(document, ref)))
  if (def.kind === 'contain' && step.maxResources === undefined) {
    source.issue([...step.path, 'uses'], 'error', 'contain-without-guard', `containment step ${step.id} (${def.id}) has no max-resources guard: set max-resources: on the playbook or on the step`)
  }
}

function typeOfPath(document: PlaybookDocument, ref: Reference): StaticType {
  const first = ref.segments[0]
  if (first?.kind !== 'key' || ref.segments.length > 1) return 'unknown'
  if (ref.root === 'params') {
    const p = document.parameters?.[first.name]
    return p === undefined ? 'unknown' : parameterJsonType(p)
  }
  if (ref.root === 'targets') return TARGET_FIELDS[first.name] ?? 'unknown'
  if (ref.root === 'run') return RUN_FIELDS[first.name] ?? 'unknown'
  return 'unknown'
}

function checkCycles(source: PlaybookSource, compiled: CompiledPlaybook): void {
  // With two steps of one id (reported already) the graph has no meaning.
  if (new Set(compiled.steps.map((s) => s.id)).size < compiled.steps.length) return
  if (topologicalOrder(compiled.steps)) return
  const byId = new Map(compiled.steps.map((s) => [s.id, s]))
  const reported = new Set<string>()
  for (const start of compiled.steps) {
    const cycle = findCycle(start, byId)
    if (!cycle || cycle.some((id) => reported.has(id))) continue
    for (const id of cycle) reported.add(id)
    const first = byId.get(cycle[0]!)!
    source.issue([...first.path, first.index < 0 ? 'functions' : 'id'], 'error', 'needs-cycle', `steps wait for each other in a circle: ${[...cycle, cycle[0]].join(' → ')}; no order can run them`)
  }
}

function findCycle(start: CompiledStep, byId: ReadonlyMap<string, CompiledStep>): string[] | undefined {
  const walk = (s: CompiledStep, trail: string[]): string[] | undefined => {
    for (const d of s.dependsOn) {
      if (d === start.id) return trail
      const next = byId.get(d)
      if (next && !trail.includes(d) && trail.length < byId.size) {
        const found = walk(next, [...trail, d])
        if (found) return found
      }
    }
    return undefined
  }
  return walk(start, [start.id])
}

/** Every step a step waits for, directly or through others. */
export function ancestors(step: CompiledStep, steps: readonly CompiledStep[]): Set<string> {
  const byId = new Map(steps.map((s) => [s.id, s]))
  const out = new Set<string>()
  const visit = (s: CompiledStep): void => {
    for (const d of s.dependsOn) {
      if (out.has(d)) continue
      out.add(d)
      const next = byId.get(d)
      if (next) visit(next)
    }
  }
  visit(step)
  return out
}

/** An analysis or report step that may start while a collection written above it still runs. */
function checkReaders(source: PlaybookSource, compiled: CompiledPlaybook): void {
  for (const step of compiled.steps) {
    if (!step.definition || !readsEvidence(step.definition)) continue
    const before = ancestors(step, compiled.steps)
    const earlier = compiled.steps.filter((s) => s.index >= 0 && s.index < step.index && s.definition !== undefined && s.definition.records !== false && !before.has(s.id))
    if (earlier.length === 0) continue
    source.issue([...step.path, 'uses'], 'warning', 'analysis-before-collection', `step ${step.id} (${step.uses}) may start before ${earlier.map((s) => s.id).join(', ')} ended and miss what ${earlier.length === 1 ? 'it collects' : 'they collect'}: add ${earlier.length === 1 ? 'it' : 'them'} to its needs:`)
  }
}

function checkUnused(source: PlaybookSource, document: PlaybookDocument, compiled: CompiledPlaybook): void {
  const refs = compiled.steps.flatMap((s) => s.expressions.flatMap((e) => references(e.expr)))
  const used = new Set(refs.filter((r) => r.root === 'params' && r.segments[0]?.kind === 'key').map((r) => (r.segments[0] as {name: string}).name))
  for (const name of Object.keys(document.parameters ?? {})) {
    if (!used.has(name)) source.issue(['parameters', name], 'warning', 'unused-parameter', `parameter ${name} is declared but no step reads it (params.${name})`, {key: true})
  }
  if (document.targets && !refs.some((r) => r.root === 'targets')) source.issue(['targets'], 'warning', 'targets-unused', 'targets are resolved but no step reads them (targets.functions)', {key: true})
}

const suggest = didYouMean
