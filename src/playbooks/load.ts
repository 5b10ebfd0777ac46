import {createHash} from 'node:crypto'
import path from 'node:path'
import type {z} from 'zod'
import {playbookSchema, type PlaybookDocument} from './schema.js'
import {PlaybookSource, type PathPart} from './source.js'
import {didYouMean} from '../core/suggest.js'

/** A playbook file as read: its text and hash, the document when its format is valid, and the issues found so far. */
export interface LoadedPlaybook {
  file: string
  text: string
  sha256: string
  source: PlaybookSource
  /** The document, when YAML and format allow it to be read (semantic checks need it). */
  document: PlaybookDocument | undefined
}

/**
 * Reads a playbook's YAML and checks it against the format (playbookSchema): every problem becomes
 * an issue at its line and column, and reading goes on so that one run of validate names them all.
 */
export function parsePlaybook(file: string, text: string): LoadedPlaybook {
  const sha256 = createHash('sha256').update(text).digest('hex')
  const {source, value, readable} = PlaybookSource.parse(file, text)
  if (!readable) return {file, text, sha256, source, document: undefined}
  const parsed = playbookSchema.safeParse(value)
  if (!parsed.success) for (const issue of parsed.error.issues) reportFormatIssue(source, value, issue)
  const document = parsed.success ? parsed.data : repaired(value, parsed.error.issues)
  if (document && path.basename(file).replace(/\.ya?ml$/, '') !== document.id) {
    source.issue(['id'], 'error', 'id-mismatch', `the id ${JSON.stringify(document.id)} differs from the file name ${JSON.stringify(path.basename(file))}: a playbook's file is named <id>.yaml`)
  }
  return {file, text, sha256, source, document}
}

type FormatIssue = z.core.$ZodIssue

/** Fields a step may leave out: one that is wrong is dropped so the rest of the playbook can still be checked. */
const OPTIONAL_STEP_FIELDS = new Set(['title', 'with', 'when', 'needs', 'on-failure', 'outputs', 'max-resources'])
/** Descriptive fields no step depends on: one that is wrong or missing stands in with a placeholder while the steps are checked. */
const HEADER_STAND_INS: Readonly<Record<string, unknown>> = {title: '-', description: '-', version: 1, status: 'test', author: undefined, references: undefined, attack: undefined}

/**
 * The document with unknown fields and wrong optional step fields taken out, when that is all that
 * was wrong: the semantic checks then still run, so a typo in one field hides no other issue.
 */
function repaired(value: unknown, issues: readonly FormatIssue[]): PlaybookDocument | undefined {
  const copy = structuredClone(value)
  for (const issue of issues) {
    const at = issue.path.filter((p): p is PathPart => typeof p !== 'symbol')
    const parent = valueAt(copy, issue.code === 'unrecognized_keys' ? at : at.slice(0, -1))
    if (parent === null || typeof parent !== 'object') return undefined
    const isStepField = at.length === 3 && at[0] === 'steps' && OPTIONAL_STEP_FIELDS.has(String(at[2]))
    const header = at.length === 1 && Object.hasOwn(HEADER_STAND_INS, String(at[0])) ? String(at[0]) : undefined
    if (issue.code === 'unrecognized_keys') for (const k of issue.keys) delete (parent as Record<string, unknown>)[k]
    else if (header !== undefined) (parent as Record<string, unknown>)[header] = HEADER_STAND_INS[header]
    else if (isStepField) delete (parent as Record<string, unknown>)[String(at[2])]
    else return undefined
  }
  const again = playbookSchema.safeParse(copy)
  return again.success ? again.data : undefined
}

function reportFormatIssue(source: PlaybookSource, input: unknown, issue: FormatIssue): void {
  const at = issue.path.filter((p): p is PathPart => typeof p === 'string' || typeof p === 'number')
  const where = describePath(at, input)
  if (issue.code === 'unrecognized_keys') {
    for (const key of issue.keys) source.issue([...at, key], 'error', 'unknown-field', `${where === '' ? '' : `${where}: `}unknown field ${JSON.stringify(key)}${suggestField(at, key)}`, {key: true})
    return
  }
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_union') && valueAt(input, at) === undefined) {
    const field = at.at(-1)
    source.issue(at.slice(0, -1), 'error', 'missing-field', `${describePath(at.slice(0, -1), input) || 'the playbook'} has no ${JSON.stringify(field)}, which is required`)
    return
  }
  source.issue(at, 'error', 'invalid-value', `${where || 'the playbook'}: ${issue.message}`)
}

function valueAt(input: unknown, at: readonly PathPart[]): unknown {
  let v = input
  for (const p of at) v = v !== null && typeof v === 'object' && Object.hasOwn(v, p) ? (v as Record<string, unknown>)[p] : undefined
  return v
}

/** `step snapshot: with`, `parameters.since.type`: a step is named by its id where it has one. */
export function describePath(at: readonly PathPart[], input?: unknown): string {
  if (at[0] === 'steps' && typeof at[1] === 'number') {
    const id = (valueAt(input, at.slice(0, 2)) as {id?: unknown} | undefined)?.id
    const name = typeof id === 'string' ? `step ${id}` : `step ${at[1] + 1}`
    const rest = describePath(at.slice(2))
    return rest === '' ? name : `${name}: ${rest}`
  }
  return at.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s === '' ? p : `${s}.${p}`), '')
}

const KNOWN: Record<string, readonly string[]> = {
  top: Object.keys(playbookSchema.shape),
  step: ['id', 'uses', 'title', 'with', 'when', 'needs', 'on-failure', 'outputs', 'max-resources'],
  parameter: ['type', 'description', 'required', 'default', 'choices', 'items'],
}

/** ", did you mean …?" for a field one or two edits away from a known one (onFailure → on-failure). */
function suggestField(at: readonly PathPart[], key: string): string {
  const known = at.length === 0 ? KNOWN.top : at[0] === 'steps' ? KNOWN.step : at[0] === 'parameters' ? KNOWN.parameter : []
  return didYouMean(key, known ?? [])
}
