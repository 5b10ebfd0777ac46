import type {Severity} from '../queries.js'
import {SEVERITIES} from '../queries.js'
import type {SigmaLevel} from '../sigma/rule.js'

/** Why a finding was raised: one Sigma rule or one named query, with who wrote it. */
export interface FindingReason {
  source: 'sigma' | 'query'
  /** The rule's id (or its file when it has none) or the query's id. */
  id: string
  title: string
  author: string | null
  severity: Severity
  attack: string[]
  /** The rule or query file. */
  file: string
}

/** An evidence object a finding rests on, as the manifest records it. */
export interface FindingEvidence {
  key: string
  sha256: string | null
  versionId: string | null
}

/** One finding: an event, or an object (a policy, a URL config, a burst of calls), and every reason it was flagged. */
export interface Finding {
  id: string
  title: string
  severity: Severity
  attack: string[]
  time: string | null
  lastTime: string | null
  actor: string | null
  target: string | null
  sourceIp: string | null
  reasons: FindingReason[]
  eventIds: string[]
  evidence: FindingEvidence[]
  /** The columns of the query row or the event summary behind it (attacker-controlled text). */
  details: Record<string, unknown>
}

export type CheckStatus = 'ran' | 'failed' | 'not-run' | 'unsupported' | 'invalid'

/** A rule or query that was (or could not be) run, for the record of what was checked. */
export interface FindingCheck extends Omit<FindingReason, 'source'> {
  kind: FindingReason['source']
  status: CheckStatus
  /** Matching events or rows, all counted. */
  hits: number
  /** Of those, how many became findings (fewer when over the per-check limit). */
  kept: number
  /** Why it failed or did not run, or what was cut. */
  reason: string | null
}

/** Sigma's levels in the named queries' words. */
export function severityOfLevel(level: SigmaLevel | null | undefined): Severity {
  return level === undefined || level === null || level === 'informational' ? 'info' : level
}

/** 0 for info up to 4 for critical. */
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s)

/** ATT&CK technique ids in Sigma tags (`attack.t1098.001` → `T1098.001`). */
export function attackOfTags(tags: readonly string[]): string[] {
  return tags.map((t) => /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(t)?.[1]?.toUpperCase()).filter((t): t is string => t !== undefined)
}
