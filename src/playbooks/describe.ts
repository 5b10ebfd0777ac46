import {hasErrors} from './issues.js'
import type {LoadedPlaybook} from './load.js'
import {describeType} from './parameters.js'
import {planPlaybook, type Plan} from './plan.js'
import {validatePlaybook} from './validate.js'

/** One line of `playbook list`. */
export interface PlaybookSummary {
  id: string
  file: string
  valid: boolean
  title: string
  status: string
  version: string
  required: string[]
  /** Whether it has containment steps (which change the account only with --apply). */
  contains: boolean
}

export function summarisePlaybook(loaded: LoadedPlaybook): PlaybookSummary {
  const d = loaded.document
  const valid = !hasErrors(validatePlaybook(loaded))
  const plan = valid ? planPlaybook(loaded, {given: new Map(), now: new Date(), region: 'us-east-1', apply: false}) : undefined
  return {
    id: d?.id ?? loaded.file,
    file: loaded.file,
    valid,
    title: d?.title ?? '',
    status: d?.status ?? '',
    version: d === undefined ? '' : String(d.version),
    required: Object.entries(d?.parameters ?? {})
      .filter(([, p]) => p.required)
      .map(([n]) => n),
    contains: plan?.steps.some((s) => s.kind === 'contain') ?? false,
  }
}

/** What `playbook show` says: what the playbook is for, what it takes, does, collects and needs. */
export interface PlaybookDescription {
  id: string
  file: string
  title: string
  description: string
  status: string
  version: string
  author?: string
  references: string[]
  attack: string[]
  parameters: Array<{name: string; type: string; required: boolean; default?: unknown; description: string}>
  targets?: {functions: unknown; regions?: unknown}
  maxResources?: number
  steps: Array<{id: string; uses: string; kind: string; title: string; after: string[]; when?: string | boolean; onFailure: string}>
  /** Artifact kinds its steps write (docs/evidence-format.md). */
  collects: string[]
  /** IAM actions a run needs (read-only unless it has containment steps). */
  permissions: string[]
  containment: string[]
}

export function describePlaybook(loaded: LoadedPlaybook, region: string): PlaybookDescription {
  const d = loaded.document!
  const plan: Plan = planPlaybook(loaded, {given: new Map(), now: new Date(), region, apply: true})
  return {
    id: d.id,
    file: loaded.file,
    title: d.title,
    description: d.description,
    status: d.status,
    version: String(d.version),
    ...(d.author === undefined ? {} : {author: d.author}),
    references: d.references ?? [],
    attack: d.attack ?? [],
    parameters: Object.entries(d.parameters ?? {}).map(([name, p]) => ({name, type: describeType(p), required: p.required ?? false, ...(p.default === undefined ? {} : {default: p.default}), description: p.description})),
    ...(d.targets ? {targets: d.targets} : {}),
    ...(d['max-resources'] === undefined ? {} : {maxResources: d['max-resources']}),
    steps: plan.steps.map((s) => ({id: s.id, uses: s.uses, kind: s.kind, title: s.title, after: s.after, ...(s.when === undefined ? {} : {when: s.when}), onFailure: s.onFailure})),
    collects: [...new Set(plan.steps.flatMap((s) => s.produces))].sort(),
    permissions: plan.permissions,
    containment: plan.steps.filter((s) => s.kind === 'contain').map((s) => `${s.id} (${s.uses})`),
  }
}
