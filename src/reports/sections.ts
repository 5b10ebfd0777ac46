import type {Row} from '../analysis/db.js'
import type {ReportModel, TableSection} from './model.js'

type Fn = ReportModel['functions'][number]
type Version = Fn['versions'][number]

const str = (v: unknown): string | null => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v))
const num = (v: unknown): number | null => (typeof v === 'number' ? v : v === null || v === undefined ? null : Number.isFinite(Number(v)) ? Number(v) : null)
const list = (v: unknown): string[] => {
  try {
    const parsed: unknown = typeof v === 'string' ? JSON.parse(v) : v
    return Array.isArray(parsed) ? parsed.map((x) => (typeof x === 'string' ? x : typeof x === 'object' && x !== null && 'Arn' in x ? String((x as {Arn: unknown}).Arn) : JSON.stringify(x))) : []
  } catch {
    return []
  }
}

/** What a version change is read on: the code first, then what decides how and as whom it runs. */
const COMPARED: Array<[string, (v: Version & {timeout?: unknown; memorySize?: unknown}) => string | null]> = [
  ['code SHA-256', (v) => v.codeSha256],
  ['code size', (v) => str(v.codeSize)],
  ['runtime', (v) => v.runtime],
  ['handler', (v) => v.handler],
  ['role', (v) => v.role],
  ['layers', (v) => v.layers.join(', ') || null],
  ['environment variable names', (v) => v.environmentKeys.join(', ') || null],
]

/** Each function with its versions (oldest first, $LATEST last) and what changed from one to the next. */
export function functionsSection(rows: readonly Row[], code: (name: string) => TableSection[]): Fn[] {
  const byName = new Map<string, Version[]>()
  for (const r of rows) {
    const name = str(r.name) ?? '(unnamed)'
    const versions = byName.get(name) ?? []
    byName.set(name, versions)
    versions.push({
      version: str(r.version),
      arn: str(r.arn),
      codeSha256: str(r.codeSha256),
      codeSize: num(r.codeSize),
      runtime: str(r.runtime),
      handler: str(r.handler),
      role: str(r.role),
      lastModified: str(r.lastModified),
      layers: list(r.layers),
      environmentKeys: list(r.environmentKeys),
      evidence: {key: str(r.key) ?? '', sha256: str(r.sha256), versionId: str(r.versionId)},
    })
  }
  return [...byName.entries()].map(([name, versions]) => ({
    name,
    versions,
    changes: versions.slice(1).flatMap((to, i) => {
      const from = versions[i]!
      const fields = COMPARED.map(([field, get]) => ({field, before: get(from), after: get(to)})).filter((f) => f.before !== f.after)
      return fields.length === 0 ? [] : [{from: from.version, to: to.version, fields}]
    }),
    code: code(name),
  }))
}

const pickText = (row: Row, names: readonly string[]): string | null => {
  for (const n of names) if (row[n] !== undefined && row[n] !== null) return str(row[n])
  return null
}
const pickBool = (row: Row, names: readonly string[]): boolean | null => {
  const v = pickText(row, names)
  return v === null ? null : v === 'true'
}

/** The containment_actions table (filled by the containment steps) in the report's words; columns are matched by their usual names. */
export function containmentSection(rows: readonly Row[]): ReportModel['containment']['actions'] {
  return rows.map((r) => ({
    action: pickText(r, ['action_id', 'action', 'id']) ?? '(action)',
    target: pickText(r, ['target_name', 'target_arn', 'target']),
    status: pickText(r, ['status']),
    applied: pickBool(r, ['applied']),
    verified: pickBool(r, ['verified']),
    time: pickText(r, ['applied_at', 'at', 'time', 'recorded_at', 'created_at']),
    runId: pickText(r, ['run_id']),
    before: pickText(r, ['before']),
    after: pickText(r, ['after']),
    notes: pickText(r, ['notes']),
  }))
}

/** What a gap of each kind means for what the report can conclude. */
export const GAP_MEANING: Record<string, string> = {
  'access-denied': 'coroner was refused: events or configuration of this resource are not in the case, so their absence here proves nothing',
  'not-found': 'the resource did not exist when collected (deleted, or named wrongly): what it held is not in the case',
  'function-not-found': 'the function did not exist when collected: its code and configuration are not in the case',
  'log-group-not-found': 'no log group: the function never logged, or its logs were deleted; nothing here shows what it ran',
  unreachable: 'AWS could not be reached: this part of the collection is missing and should be run again',
  throttled: 'AWS throttled the calls and coroner gave up: the collection of this resource is incomplete',
  truncated: 'the source was cut short: events after the cut are not in the case',
  'truncated-gzip': 'a compressed file ended early: the records after the cut are not in the case',
  'code-unavailable': 'the code package could not be downloaded: code hashes are from the configuration only',
  'code-sha256-mismatch': 'the code downloaded does not hash to what Lambda reports: it is kept as unverified evidence',
  'not-collected': 'this part was not collected: conclusions about it rest on other sources',
}
export const DEFAULT_GAP_MEANING = 'part of the evidence is missing: a conclusion that rests on its absence does not hold'

/** "2d 4h 10m" between two ISO times, or null. */
export function duration(from: string | null, to: string | null): string | null {
  if (from === null || to === null) return null
  let s = Math.round((Date.parse(to) - Date.parse(from)) / 1000)
  if (!Number.isFinite(s)) return null
  const sign = s < 0 ? '-' : ''
  s = Math.abs(s)
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  return sign + [d > 0 ? `${d}d` : '', h > 0 ? `${h}h` : '', `${m}m`].filter((x) => x !== '').join(' ')
}
