/**
 * What differs between two snapshots of one resource: the paths of the values that differ, with
 * the old and new value where it is a short scalar that holds no secret. Fields that change on
 * every read (a presigned code URL, revision ids) are not differences.
 */
export interface FieldChange {
  path: string
  from?: string
  to?: string
}

/** Fields that differ between any two reads of an unchanged resource. */
const VOLATILE = new Set(['Code.Location', 'ResponseMetadata'])
const VOLATILE_NAMES = new Set(['RevisionId'])
/** Values under these names are secrets or may be: their paths are named, never their values. */
const SECRET_PARENTS = /(^|\.)(Environment|Variables)(\.|$)/
const MAX_VALUE = 80

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The changed paths of two documents, in path order. */
export function diffDocuments(before: unknown, after: unknown): FieldChange[] {
  const out: FieldChange[] = []
  walk(before, after, '', out)
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

function walk(a: unknown, b: unknown, path: string, out: FieldChange[]): void {
  if (VOLATILE.has(path)) return
  if (isObject(a) && isObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (VOLATILE_NAMES.has(key)) continue
      walk(a[key], b[key], path === '' ? key : `${path}.${key}`, out)
    }
    return
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return
  const change: FieldChange = {path: path === '' ? '(document)' : path}
  if (!SECRET_PARENTS.test(path)) {
    const from = shown(a)
    const to = shown(b)
    if (from !== undefined) change.from = from
    if (to !== undefined) change.to = to
  }
  out.push(change)
}

/** A value as the timeline shows it: short scalars only (absent is shown as such). */
function shown(v: unknown): string | undefined {
  if (v === undefined) return '(absent)'
  if (v !== null && typeof v === 'object') return undefined
  const text = JSON.stringify(v)
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text
}

/** The changes as one line: `path: from → to; path; …`, at most `max` of them named. */
export function describeChanges(changes: readonly FieldChange[], max = 12): string {
  const named = changes.slice(0, max).map((c) => (c.from === undefined && c.to === undefined ? c.path : `${c.path}: ${c.from ?? '…'} → ${c.to ?? '…'}`))
  const more = changes.length > max ? `; and ${changes.length - max} more` : ''
  return named.join('; ') + more
}
