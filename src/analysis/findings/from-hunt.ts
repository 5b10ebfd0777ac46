import type {Progress} from '../../core/progress.js'
import type {AnalysisDb} from '../db.js'
import {huntCase} from '../sigma/hunt.js'
import {loadRules} from '../sigma/load.js'
import type {HuntHit} from '../sigma/hunt.js'
import type {Candidate} from './candidates.js'
import {attackOfTags, severityOfLevel, type FindingCheck, type FindingReason} from './model.js'

export interface SigmaFindingsOptions {
  /** Rule files and directories. */
  sources: readonly string[]
  limit: number
  progress?: Progress
  signal?: AbortSignal
}

/**
 * Every Sigma rule over the case's CloudTrail events, in the hunt's one pass: the hits become
 * candidates, each rule a check (fired or not, unsupported, or a file that is not valid Sigma);
 * `scanError`, why the one pass failed when each rule ran alone instead (null when it did not).
 */
export async function runSigmaRules(db: AnalysisDb, options: SigmaFindingsOptions): Promise<{candidates: Candidate[]; checks: FindingCheck[]; scanError: string | null}> {
  const rules = await loadRules(options.sources)
  const hunt = await huntCase(db.connection, rules, {
    maxHitsPerRule: options.limit,
    ...(options.progress === undefined ? {} : {progress: options.progress}),
    ...(options.signal === undefined ? {} : {signal: options.signal}),
  })
  const byPath = new Map(rules.compiled.map((c) => [c.rule.path, c.rule]))
  const reasons = new Map<string, FindingReason>()
  const reasonOf = (path: string, title: string, id: string | null, level: HuntHit['rule']['level'], author: string | null): FindingReason => {
    let r = reasons.get(path)
    if (!r) reasons.set(path, (r = {source: 'sigma', id: id ?? path, title, author, severity: severityOfLevel(level), attack: attackOfTags(byPath.get(path)?.tags ?? []), file: path}))
    return r
  }
  const candidates = hunt.hits.map((h): Candidate => ({
    reason: reasonOf(h.rule.path, h.rule.title, h.rule.id, h.rule.level, h.rule.author),
    time: h.event_time,
    lastTime: null,
    actor: h.principal,
    target: null,
    sourceIp: h.sourceIP,
    eventIds: h.event_id === null ? [] : [h.event_id],
    evidence: h.evidence_key === null ? [] : [{key: h.evidence_key, sha256: h.evidence_sha256}],
    details: {event: h.eventName, event_source: h.eventSource},
  }))
  // The most hits one principal kept, per rule: what a rule over the limit says of its cut.
  const share = new Map<string, number>()
  const perPrincipal = new Map<string, number>()
  for (const h of hunt.hits) {
    const k = JSON.stringify([h.rule.path, h.principal])
    const n = (perPrincipal.get(k) ?? 0) + 1
    perPrincipal.set(k, n)
    share.set(h.rule.path, Math.max(share.get(h.rule.path) ?? 0, n))
  }
  const checks: FindingCheck[] = hunt.rules.map((r) => {
    const reason = reasonOf(r.path, r.title, r.id, r.level, r.author)
    const kept = Math.min(r.hits, options.limit)
    const cut = `${r.hits - kept} hit(s) over the limit of ${options.limit} not kept as findings: each principal's hits taken in turn, at most ${share.get(r.path) ?? 0} of any one kept`
    return {
      kind: 'sigma',
      id: reason.id,
      title: r.title,
      author: r.author,
      severity: reason.severity,
      attack: reason.attack,
      file: r.path,
      status: r.error === undefined ? 'ran' : 'failed',
      hits: r.hits,
      kept: r.error === undefined ? kept : 0,
      reason: r.error ?? (kept < r.hits ? cut : null),
    }
  })
  for (const u of hunt.unsupported) {
    checks.push({kind: 'sigma', id: u.id ?? u.path, title: u.title ?? u.path, author: u.author, severity: 'info', attack: [], file: u.path, status: 'unsupported', hits: 0, kept: 0, reason: `${u.construct}: ${u.message}`})
  }
  for (const i of rules.issues.filter((x) => x.severity === 'error' && !rules.unsupported.some((u) => u.path === x.file))) {
    checks.push({kind: 'sigma', id: i.file, title: i.file, author: null, severity: 'info', attack: [], file: i.file, status: 'invalid', hits: 0, kept: 0, reason: `${i.code}: ${i.message}`})
  }
  return {candidates, checks, scanError: hunt.scanError}
}
