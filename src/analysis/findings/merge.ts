import {createHash} from 'node:crypto'
import {SEVERITIES} from '../queries.js'
import type {Candidate} from './candidates.js'
import {severityRank, type Finding, type FindingReason} from './model.js'

const sha = (text: string): string => createHash('sha256').update(text).digest('hex')

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
  for (const [key, group] of groups) {
    const reasons = dedupeReasons(group.map((c) => c.reason)).sort(byReason)
    const top = reasons[0]!
    const pick = <K extends 'actor' | 'target' | 'sourceIp'>(k: K): string | null => group.find((c) => c[k] !== null)?.[k] ?? null
    const evidence = new Map<string, {key: string; sha256: string | null; versionId: string | null}>()
    for (const c of group) for (const e of c.evidence) if (!evidence.has(e.key)) evidence.set(e.key, {...e, versionId: versionOf(e.key)})
    const details: Record<string, unknown> = {}
    for (const c of group) for (const [k, v] of Object.entries(c.details)) if (!(k in details)) details[k] = v
    findings.push({
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
    })
  }
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
