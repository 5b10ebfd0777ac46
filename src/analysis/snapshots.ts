import {readFile} from 'node:fs/promises'
import {gunzipSync} from 'node:zlib'
import {keySegment, parseKey} from '../evidence/keys.js'
import type {AnalysisDb} from './db.js'
import type {CaseArtifact} from './inventory.js'
import {describeChanges, diffDocuments, type FieldChange} from './snapshot-diff.js'
import {SNAPSHOT_TABLES} from './sql/tables.js'

/**
 * Snapshots of Lambda and IAM resources across the runs of a case. Collecting a function again
 * adds a snapshot; every one is kept (`<table>_history`, with its run and time), and the tables of
 * the plain names answer from the latest snapshot of each resource. A resource is an artifact's
 * place within its run (`lambda/<region>/<function>/url-config.json`): the same place in another
 * run is the same resource. What differs between two snapshots in turn is one row of
 * `snapshot_changes`, which the timeline shows.
 *
 * A function's URL, resource policy, aliases and event source mappings are written only when they
 * exist, so a later run that snapshotted the function, ended with no function's collection failed,
 * and recorded no gap for the call that reads one, says it is gone: the last snapshot is retired (no longer latest) and a removed
 * row is written; the same absence before the first snapshot makes an added row. A version's
 * configuration is never retired by absence: a run collects only the versions it was asked for.
 */
interface KindRule {
  source: 'lambda' | 'iam'
  what: string
  /** The calls whose answer is the resource; absent from a run that made them without a gap, it is gone. */
  guards?: string[]
}

const KINDS: Record<string, KindRule> = {
  'lambda.function': {source: 'lambda', what: 'configuration'},
  'lambda.aliases': {source: 'lambda', what: 'aliases', guards: ['lambda:ListAliases']},
  'lambda.policy': {source: 'lambda', what: 'resource policy', guards: ['lambda:GetPolicy', 'lambda:ListAliases']},
  'lambda.url-config': {source: 'lambda', what: 'function URL', guards: ['lambda:GetFunctionUrlConfig', 'lambda:ListAliases']},
  'lambda.event-source-mappings': {source: 'lambda', what: 'event source mappings', guards: ['lambda:ListEventSourceMappings']},
  'lambda.layer': {source: 'lambda', what: 'layer version'},
  'iam.role': {source: 'iam', what: 'role and trust policy'},
  'iam.role-policies': {source: 'iam', what: 'role policies'},
}

interface Snapshot {
  artifact: CaseArtifact
  resource: string
  /** `lambda/<region>/<function>` for what the collector writes of a function, else undefined. */
  scope: string | undefined
  at: string
  label: string
  latest: boolean
  retiredBy: string | null
}

interface Change {
  time: string
  change: 'changed' | 'added' | 'removed'
  snap: Snapshot
  from: {runId: string; at: string; key: string | null}
  to: {runId: string; at: string}
  fields: FieldChange[] | null
  detail: string
}

interface RunAt {
  runId: string
  at: string
}

const decode = (segment: string): string => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** A snapshot of a loaded artifact of a snapshot kind, or undefined for any other artifact. */
function snapshotOf(a: CaseArtifact): Snapshot | undefined {
  const rule = KINDS[a.kind]
  const rest = parseKey(a.key)?.rest
  if (!rule || !rest) return undefined
  const parts = rest.split('/')
  const isFunction = parts[0] === 'lambda' && parts.length > 3 && parts[2] !== 'layers' && a.kind !== 'lambda.layer'
  const scope = isFunction ? parts.slice(0, 3).join('/') : undefined
  const name = isFunction ? decode(parts[2]!) + qualifierOf(parts.slice(3)) : a.source ?? rest
  return {artifact: a, resource: rest, scope, at: a.collectedAt ?? '', label: `${name} ${rule.what}`, latest: true, retiredBy: null}
}

/** ` $LATEST` for versions/$LATEST/…, `:live` for aliases/live/…, nothing for the function's own. */
function qualifierOf(within: string[]): string {
  if (within[0] === 'versions' && within.length > 2) return ` ${decode(within[1]!)}`
  if (within[0] === 'aliases' && within.length > 2) return `:${decode(within[1]!)}`
  return ''
}

const byTime = (a: RunAt, b: RunAt): number => (a.at === b.at ? (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0) : a.at < b.at ? -1 : 1)

/**
 * Fills `snapshots` and `snapshot_changes`, and gives every row of the snapshot tables its run,
 * collection time and `latest` flag. Runs after the custody journals are loaded (it reads their
 * gaps and endings); `skip` names artifacts that could not be read (no rows, so no snapshot).
 */
export async function markSnapshots(db: AnalysisDb, artifacts: readonly CaseArtifact[], skip: ReadonlySet<string>): Promise<void> {
  const snaps = artifacts.filter((a) => (a.state === 'verified' || a.state === 'damaged') && !skip.has(a.key)).map(snapshotOf).filter((s) => s !== undefined)
  const answered = await answeringRuns(db, snaps)
  const groups = new Map<string, Snapshot[]>()
  for (const s of snaps) {
    const group = groups.get(s.resource)
    if (group) group.push(s)
    else groups.set(s.resource, [s])
  }
  const changes: Change[] = []
  for (const group of groups.values()) {
    group.sort((x, y) => byTime({runId: x.artifact.runId, at: x.at}, {runId: y.artifact.runId, at: y.at}))
    changes.push(...(await changesOf(group, answered)))
  }
  await writeSnapshots(db, snaps, changes)
}

/** For a function scope and a kind: the runs that snapshotted the function and would have read that kind (ended, no gap for its calls). */
type Answered = (scope: string, kind: string) => RunAt[]

async function answeringRuns(db: AnalysisDb, snaps: readonly Snapshot[]): Promise<Answered> {
  // Runs that ended, and in which no function's collection failed part-way (its steps run
  // concurrently, so a failed one cannot be told apart from the others: the whole run is set aside).
  const ended = new Set(
    (
      await db.all(`SELECT run_id FROM custody WHERE type = 'run-ended' AND json_extract_string(line, '$.status') IN ('complete', 'partial')
        EXCEPT SELECT run_id FROM custody WHERE type = 'step-ended' AND json_extract_string(line, '$.step') = 'lambda-function' AND json_extract_string(line, '$.outcome') = 'failed'`)
    ).rows.map((r) => String(r.run_id)),
  )
  // The lambda collector's gaps, by run and function: what each run could not read of a function.
  const gaps = new Map<string, Array<{region: string | null; reason: string}>>()
  const rows = await db.all(`SELECT run_id, json_extract_string(line, '$.gap.resource') AS resource, json_extract_string(line, '$.gap.region') AS region,
    json_extract_string(line, '$.gap.reason') AS reason FROM custody WHERE type = 'gap' AND json_extract_string(line, '$.gap.collector') = 'lambda'`)
  for (const r of rows.rows) {
    const id = `${String(r.run_id)}|${gapFunction(String(r.resource ?? ''))}`
    gaps.set(id, [...(gaps.get(id) ?? []), {region: r.region === null ? null : String(r.region), reason: String(r.reason ?? '')}])
  }
  // The runs that snapshotted each function (its configuration) and ended.
  const runsOf = new Map<string, Map<string, RunAt>>()
  for (const s of snaps) {
    if (s.scope === undefined || s.artifact.kind !== 'lambda.function' || s.artifact.collector !== 'lambda' || !ended.has(s.artifact.runId)) continue
    const runs = runsOf.get(s.scope) ?? new Map<string, RunAt>()
    const seen = runs.get(s.artifact.runId)
    if (seen === undefined || s.at < seen.at) runs.set(s.artifact.runId, {runId: s.artifact.runId, at: s.at})
    runsOf.set(s.scope, runs)
  }
  return (scope, kind) => {
    const [, region, fn] = scope.split('/')
    const guards = KINDS[kind]?.guards ?? []
    const blocked = (runId: string): boolean =>
      (gaps.get(`${runId}|${fn}`) ?? []).some((g) => (g.region === null || g.region === region) && guards.some((op) => g.reason.includes(op)))
    return [...(runsOf.get(scope)?.values() ?? [])].filter((r) => !blocked(r.runId)).sort(byTime)
  }
}

/** The function a gap's resource names (a name, `name:qualifier`, or an ARN), as its key segment. */
function gapFunction(resource: string): string {
  const name = resource.startsWith('arn:') ? (resource.split(':')[6] ?? '') : (resource.split(':')[0] ?? '')
  return keySegment(name === '' ? '?' : name)
}

/** The changes of one resource's snapshots in time order, and its last snapshot retired when a later run found none. */
async function changesOf(group: Snapshot[], answered: Answered): Promise<Change[]> {
  const out: Change[] = []
  const first = group[0]!
  const last = group.at(-1)!
  const guarded = KINDS[first.artifact.kind]?.guards !== undefined && first.scope !== undefined
  const runs = guarded ? answered(first.scope!, first.artifact.kind) : []
  const absentBetween = (after: RunAt | undefined, before: RunAt | undefined): RunAt[] =>
    runs.filter((r) => r.runId !== after?.runId && r.runId !== before?.runId && (after === undefined || byTime(r, after) > 0) && (before === undefined || byTime(r, before) < 0))
  const at = (s: Snapshot): RunAt => ({runId: s.artifact.runId, at: s.at})
  const gone = (s: Snapshot, run: RunAt): Change => ({
    time: run.at, change: 'removed', snap: s, from: {...at(s), key: s.artifact.key}, to: run, fields: null,
    detail: `${s.label} absent from run ${run.runId} (${run.at}); last seen in run ${s.artifact.runId} (${s.at})`,
  })
  const came = (s: Snapshot, run: RunAt): Change => ({
    time: s.at, change: 'added', snap: s, from: {...run, key: null}, to: at(s), fields: null,
    detail: `${s.label} appeared in run ${s.artifact.runId} (${s.at}); absent from run ${run.runId} (${run.at})`,
  })
  const before = absentBetween(undefined, at(first)).at(-1)
  if (before) out.push(came(first, before))
  for (let i = 1; i < group.length; i++) {
    const [a, b] = [group[i - 1]!, group[i]!]
    const absence = absentBetween(at(a), at(b))
    if (absence.length > 0) {
      out.push(gone(a, absence[0]!), came(b, absence.at(-1)!))
      continue
    }
    if (a.artifact.sha256 === b.artifact.sha256) continue
    const fields = diffDocuments(await readDocument(a.artifact), await readDocument(b.artifact))
    if (fields.length === 0) continue
    out.push({
      time: b.at, change: 'changed', snap: b, from: {...at(a), key: a.artifact.key}, to: at(b), fields,
      detail: `${b.label} changed from run ${a.artifact.runId} (${a.at}) to run ${b.artifact.runId} (${b.at}): ${describeChanges(fields)}`,
    })
  }
  const after = absentBetween(at(last), undefined)[0]
  if (after) {
    last.latest = false
    last.retiredBy = after.runId
    out.push(gone(last, after))
  }
  for (const s of group.slice(0, -1)) s.latest = false
  return out
}

/** An artifact's JSON document (gzip or not); a file that does not parse compares as its text. */
async function readDocument(a: CaseArtifact): Promise<unknown> {
  let bytes = await readFile(a.path)
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes)
  const text = bytes.toString('utf8')
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

async function writeSnapshots(db: AnalysisDb, snaps: readonly Snapshot[], changes: readonly Change[]): Promise<void> {
  await db.run(`CREATE TEMP TABLE _snapshots (resource VARCHAR, kind VARCHAR, label VARCHAR, target VARCHAR, run_id VARCHAR, collected_at VARCHAR,
    latest BOOLEAN, retired_by_run VARCHAR, artifact_key VARCHAR, artifact_sha256 VARCHAR)`)
  const a = await db.connection.createAppender('_snapshots', 'main', 'temp')
  const text = (v: string | null | undefined): void => (v === null || v === undefined ? a.appendNull() : a.appendVarchar(v))
  for (const s of snaps) {
    for (const v of [s.resource, s.artifact.kind, s.label, s.artifact.source ?? s.resource, s.artifact.runId, s.at || null]) text(v)
    a.appendBoolean(s.latest)
    for (const v of [s.retiredBy, s.artifact.key, s.artifact.sha256]) text(v)
    a.endRow()
  }
  a.closeSync()
  await db.run(`INSERT INTO snapshots SELECT resource, kind, label, target, run_id, TRY_CAST(collected_at AS TIMESTAMPTZ), latest, retired_by_run, artifact_key, artifact_sha256
    FROM _snapshots ORDER BY resource, collected_at, run_id`)
  await db.run(`CREATE TEMP TABLE _snapshot_changes ("time" VARCHAR, source VARCHAR, change VARCHAR, resource VARCHAR, kind VARCHAR, label VARCHAR, target VARCHAR,
    from_run VARCHAR, to_run VARCHAR, from_time VARCHAR, to_time VARCHAR, fields VARCHAR, detail VARCHAR, from_artifact_key VARCHAR, artifact_key VARCHAR, artifact_sha256 VARCHAR)`)
  const c = await db.connection.createAppender('_snapshot_changes', 'main', 'temp')
  for (const ch of changes) {
    const s = ch.snap
    const row = [ch.time || null, KINDS[s.artifact.kind]!.source, ch.change, s.resource, s.artifact.kind, s.label, s.artifact.source ?? s.resource, ch.from.runId, ch.to.runId,
      ch.from.at || null, ch.to.at || null, ch.fields === null ? null : JSON.stringify(ch.fields), ch.detail, ch.from.key, s.artifact.key, s.artifact.sha256]
    for (const v of row) (v === null ? c.appendNull() : c.appendVarchar(v))
    c.endRow()
  }
  c.closeSync()
  await db.run(`INSERT INTO snapshot_changes SELECT TRY_CAST("time" AS TIMESTAMPTZ), source, change, resource, kind, label, target, from_run, to_run,
    TRY_CAST(from_time AS TIMESTAMPTZ), TRY_CAST(to_time AS TIMESTAMPTZ), TRY_CAST(fields AS JSON), detail, from_artifact_key, artifact_key, artifact_sha256
    FROM _snapshot_changes ORDER BY 1, resource, change`)
  for (const t of SNAPSHOT_TABLES) {
    await db.run(`ALTER TABLE ${t}_history ADD COLUMN run_id VARCHAR`)
    await db.run(`ALTER TABLE ${t}_history ADD COLUMN collected_at TIMESTAMPTZ`)
    await db.run(`ALTER TABLE ${t}_history ADD COLUMN latest BOOLEAN DEFAULT true`)
    await db.run(`UPDATE ${t}_history SET run_id = s.run_id, collected_at = s.collected_at, latest = s.latest FROM snapshots s WHERE s.artifact_key = ${t}_history.artifact_key`)
  }
}
