import {hash} from 'node:crypto'
import {SEVERITIES} from '../queries.js'
import type {Candidate} from './candidates.js'
import {severityRank, type Finding, type FindingReason} from './model.js'

// The one-call hash: a third of createHash's time on texts this short, and a finding takes one or two.
const sha = (text: string): string => hash('sha256', text)

/** What makes two hits the same finding: the one event they name, else the check and the row itself. */
function groupKey(c: Candidate): string {
  if (c.eventIds.length === 1) return `event:${c.eventIds[0]}`
  return `row:${c.reason.source}:${c.reason.id}:${sha(JSON.stringify([c.time, c.actor, c.target, c.eventIds, c.evidence, c.details]))}`
}

const minTime = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a < b ? a : b)
const maxTime = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a > b ? a : b)
const byReason = (a: FindingReason, b: FindingReason): number => severityRank(b.severity) - severityRank(a.severity) || a.source.localeCompare(b.source) || a.id.localeCompare(b.id)

/**
 * Folds candidates into findings: hits on the same event from several rules and queries become one
 * finding with every reason, graded by its most severe reason. Ids are derived from what the finding
 * rests on, so the same evidence always gives the same ids, in the same order (most severe first,
 * then by time).
 */
export function mergeCandidates(candidates: readonly Candidate[], versionOf: (key: string) => string | null): Finding[] {
  const groups = new Map<string, Candidate[]>()
  for (const c of candidates) {
    const k = groupKey(c)
    const g = groups.get(k)
    if (g) g.push(c)
    else groups.set(k, [c])
  }
  const findings: Finding[] = []
  const eventFindings: Finding[] = []
  for (const [key, group] of groups) {
    const reasons = dedupeReasons(group.map((c) => c.reason)).sort(byReason)
    const top = reasons[0]!
    const pick = <K extends 'actor' | 'target' | 'sourceIp'>(k: K): string | null => group.find((c) => c[k] !== null)?.[k] ?? null
    const evidence = new Map<string, {key: string; sha256: string | null; versionId: string | null}>()
    for (const c of group) for (const e of c.evidence) if (!evidence.has(e.key)) evidence.set(e.key, {...e, versionId: versionOf(e.key)})
    const details: Record<string, unknown> = {}
    for (const c of group) for (const [k, v] of Object.entries(c.details)) if (!(k in details)) details[k] = v
    const finding: Finding = {
      id: `F-${sha(key).slice(0, 12)}`,
      title: top.title,
      severity: SEVERITIES[Math.max(...reasons.map((r) => severityRank(r.severity)))]!,
      attack: [...new Set(reasons.flatMap((r) => r.attack))].sort(),
      time: group.map((c) => c.time).reduce(minTime, null),
      lastTime: group.map((c) => c.lastTime ?? c.time).reduce(maxTime, null),
      actor: pick('actor'),
      target: pick('target'),
      sourceIp: pick('sourceIp'),
      reasons,
      eventIds: [...new Set(group.flatMap((c) => c.eventIds))].sort(),
      evidence: [...evidence.values()].sort((a, b) => a.key.localeCompare(b.key)),
      details,
    }
    findings.push(finding)
    if (key.startsWith('event:')) eventFindings.push(finding)
  }
  return sortFindings(groupRepeats(findings, new Set(eventFindings)))
}

/** Events of one reason set and actor from which they are one finding: fewer stay a finding each, as a reader wants them. */
export const GROUP_FROM = 20

/** Distinct values, sorted, at most this many kept in a grouped finding's details (the event ids are all kept). */
const DISTINCT_KEPT = 50

/**
 * Folds the findings on single events that have the same reasons and the same actor, when there
 * are at least GROUP_FROM of them, into one finding of all those events: a rule the background traffic fires 500,000 times is a handful of
 * findings (one per principal) saying how many events each covers, not 500,000. An event stays in
 * one finding only; the grouped finding keeps every event id and evidence object, the first and
 * last time, and in `details` how many events it covers and the distinct values that differ.
 */
export function groupRepeats(findings: readonly Finding[], eventFindings: ReadonlySet<Finding>): Finding[] {
  const groups = new Map<string, Finding[]>()
  const out: Finding[] = []
  for (const f of findings) {
    if (!eventFindings.has(f) || f.actor === null) {
      out.push(f)
      continue
    }
    const k = JSON.stringify([f.reasons.map((r) => `${r.source}:${r.id}`), f.actor])
    const g = groups.get(k)
    if (g) g.push(f)
    else groups.set(k, [f])
  }
  for (const [key, group] of groups) out.push(...(group.length < GROUP_FROM ? group : [grouped(key, group)]))
  return out
}

/**
 * The distinct values given, null aside, in the order of their JSON texts. Strings and numbers are
 * told apart as they are (a Set does), and only the distinct ones are written as JSON: a grouped
 * finding of 10,000 events would otherwise write 10,000 texts for each of its details.
 */
function distinct(values: readonly unknown[]): unknown[] {
  const plain = new Set<unknown>()
  const texts = new Set<string>()
  for (const v of values) {
    if (v === null || v === undefined) continue
    if (typeof v === 'object') texts.add(JSON.stringify(v))
    else plain.add(v)
  }
  for (const v of plain) texts.add(JSON.stringify(v))
  return [...texts].sort().map((v) => JSON.parse(v) as unknown)
}

function grouped(key: string, group: readonly Finding[]): Finding {
  const first = group[0]!
  const same = <K extends 'target' | 'sourceIp'>(k: K): string | null => (group.every((f) => f[k] === first[k]) ? first[k] : null)
  const evidence = new Map<string, Finding['evidence'][number]>()
  for (const f of group) for (const e of f.evidence) if (!evidence.has(e.key)) evidence.set(e.key, e)
  const details: Record<string, unknown> = {events: group.length}
  const keys = [...new Set(group.flatMap((f) => Object.keys(f.details)))].sort()
  for (const k of keys) {
    const values = distinct(group.map((f) => f.details[k]))
    details[k] = values.length === 1 ? values[0] : values.slice(0, DISTINCT_KEPT)
    if (values.length > DISTINCT_KEPT) details[`${k}_distinct`] = values.length
  }
  for (const [k, name] of [['target', 'targets'], ['sourceIp', 'source_ips']] as const) {
    const values = distinct(group.map((f) => f[k]))
    if (values.length > 1) {
      details[name] = values.slice(0, DISTINCT_KEPT)
      if (values.length > DISTINCT_KEPT) details[`${name}_distinct`] = values.length
    }
  }
  return {
    ...first,
    id: `F-${sha(`repeat:${key}`).slice(0, 12)}`,
    time: group.map((f) => f.time).reduce(minTime, null),
    lastTime: group.map((f) => f.lastTime).reduce(maxTime, null),
    target: same('target'),
    sourceIp: same('sourceIp'),
    eventIds: group.flatMap((f) => f.eventIds).sort(),
    evidence: [...evidence.values()].sort((a, b) => a.key.localeCompare(b.key)),
    details,
  }
}

function sortFindings(findings: Finding[]): Finding[] {
  // Ties are broken by what the finding says before its id (which names evidence keys, and so runs).
  // Each finding's text is made once: made in the comparison it was most of the time of a large case.
  const content = new Map(findings.map((f) => [f, JSON.stringify([f.title, f.target, f.actor, f.eventIds, f.details])]))
  return findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.time ?? '\uffff').localeCompare(b.time ?? '\uffff') || content.get(a)!.localeCompare(content.get(b)!) || a.id.localeCompare(b.id))
}

function dedupeReasons(reasons: readonly FindingReason[]): FindingReason[] {
  const seen = new Map<string, FindingReason>()
  for (const r of reasons) if (!seen.has(`${r.source}:${r.id}`)) seen.set(`${r.source}:${r.id}`, r)
  return [...seen.values()]
}
