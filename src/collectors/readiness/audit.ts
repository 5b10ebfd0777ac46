import {getCallerIdentity} from '../../aws/identity.js'
import {mapPool} from '../../core/pool.js'
import type {GapLog} from '../../evidence/gap-log.js'
import type {ArtifactRecord} from '../../evidence/manifest.js'
import type {EvidenceRun} from '../../evidence/run.js'
import type {EvidenceStore} from '../../evidence/store.js'
import type {AwsEnv} from '../context.js'
import {CHECKS, isSevereFailure, type CheckResult} from './checks.js'
import {auditCloudTrail} from './cloudtrail.js'
import type {AuditEnv, AuditedFunction} from './context.js'
import {auditAccess, auditConfiguration, auditLogGroup, auditRole, listFunctions} from './functions.js'
import {Probe, READINESS_COLLECTOR} from './probe.js'
import {unanswered} from './result.js'
import {RUNTIME_TABLE, RUNTIME_TABLE_MAX_AGE_DAYS, runtimeTableAge} from './runtimes.js'
import {auditConfig, auditEvidenceBucket, auditGuardDuty} from './services.js'

export const READINESS_SCHEMA = 'coroner.readiness/v1'

export interface ReadinessOptions {
  regions: readonly string[]
  /** Names or ARNs; every function of the regions when absent. */
  functions?: readonly string[] | undefined
  retentionDays: number
  runtimeWarningDays: number
  evidenceBucket?: string | undefined
}

/** The audit's result, as returned, rendered and preserved (artifact kind `readiness.checks`). Holds no secret value. */
export interface ReadinessReport {
  schema: typeof READINESS_SCHEMA
  accountId: string
  caller: string
  regions: string[]
  checkedAt: string
  retentionDays: number
  runtimeTable: {source: string; transcribed: string; ageDays: number}
  functions: Array<{name: string; arn: string; region: string}>
  /** Functions asked for by name or ARN that the audited regions do not have. */
  missingFunctions: string[]
  summary: {checks: number; pass: number; fail: number; unknown: number; severeFailures: number; failedReads: number}
  checks: CheckResult[]
  warnings: string[]
}

const ORDER = new Map<string, number>(CHECKS.map((c, i) => [c.id, i]))

/** The functions to audit: those asked for (by name in any audited region, or by ARN), else every one. */
function selectFunctions(all: AuditedFunction[], wanted: readonly string[] | undefined): {functions: AuditedFunction[]; missing: string[]} {
  if (wanted === undefined || wanted.length === 0) return {functions: all, missing: []}
  const missing: string[] = []
  const chosen = new Map<string, AuditedFunction>()
  for (const w of wanted) {
    const hits = all.filter((f) => (w.startsWith('arn:') ? f.arn === w.replace(/:\$LATEST$/, '') : f.name === w))
    if (hits.length === 0) missing.push(w)
    for (const h of hits) chosen.set(h.arn, h)
  }
  return {functions: [...chosen.values()], missing}
}

/**
 * The forensic-readiness audit of one account: will the evidence of an intrusion exist, be
 * trustworthy and be reachable when it is needed? Read-only: every call is a Get, List or
 * Describe. A read that fails leaves the checks it feeds `unknown` with the reason (a gap in the
 * run's journal when `gaps` is given); the audit goes on.
 */
export async function auditReadiness(ctx: AwsEnv & {store: EvidenceStore}, options: ReadinessOptions, gaps?: GapLog): Promise<ReadinessReport> {
  const identity = await getCallerIdentity(ctx.aws, ctx.signal)
  const now = ctx.clock.now()
  const probe = new Probe(ctx.signal, gaps)
  const regions = [...new Set([...options.regions, ...(options.functions ?? []).filter((f) => f.startsWith('arn:')).map((f) => f.split(':')[3] ?? '').filter((r) => r !== '')])]
  const env: AuditEnv = {
    ctx,
    probe,
    accountId: identity.account,
    partition: identity.arn.split(':')[1] ?? 'aws',
    regions,
    now,
    retentionDays: options.retentionDays,
    runtimeWarningDays: options.runtimeWarningDays,
  }
  const warnings: string[] = []
  const checks: CheckResult[] = []

  const all: AuditedFunction[] = []
  for (const region of regions) {
    const listed = await listFunctions(env, region)
    if (listed.ok) all.push(...listed.value)
    else for (const c of CHECKS.filter((d) => d.scope === 'function')) checks.push(unanswered(c.id, listed.gap, {resource: `functions in ${region}`, region}))
  }
  const {functions, missing} = selectFunctions(all, options.functions)
  for (const m of missing) {
    const gap = {collector: READINESS_COLLECTOR, resource: m, code: 'function-not-found' as const, reason: `function ${m} was not found in ${regions.join(', ')}`}
    probe.gaps.push(gap)
    await gaps?.add(gap)
    warnings.push(gap.reason)
  }

  const task = ctx.progress.task('Readiness audit', 3 + regions.length + functions.length)
  checks.push(...(await auditCloudTrail(env, functions)))
  task.advance()
  for (const region of regions) {
    checks.push(...(await auditGuardDuty(env, region)), await auditConfig(env, region))
    task.advance()
  }
  checks.push(...(await auditEvidenceBucket(env, ctx.store, options.evidenceBucket)))
  task.advance()

  const byRole = new Map<string, string[]>()
  for (const f of all) if (f.role !== undefined) byRole.set(f.role, [...(byRole.get(f.role) ?? []), f.name])
  const perFunction = await mapPool(
    functions,
    4,
    async (f) => {
      const shared = (byRole.get(f.role ?? '') ?? []).filter((n) => n !== f.name)
      const out = [...(await auditLogGroup(env, f)), ...(await auditRole(env, f, shared)), ...(await auditAccess(env, f)), ...(await auditConfiguration(env, f))]
      task.advance()
      return out
    },
    ctx.signal,
  )
  for (const r of perFunction) {
    if (!r.ok) throw r.error
    checks.push(...r.value)
  }
  task.advance()
  task.done(`${checks.length} check result(s)`)

  const age = runtimeTableAge(now)
  if (age > RUNTIME_TABLE_MAX_AGE_DAYS) warnings.push(`the Lambda runtime table was transcribed ${RUNTIME_TABLE.transcribed} (${age} days ago): newer deprecations may be missing; see ${RUNTIME_TABLE.source}`)
  checks.sort((a, b) => (ORDER.get(a.id)! - ORDER.get(b.id)!) || (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0))
  const count = (s: CheckResult['status']): number => checks.filter((c) => c.status === s).length
  return {
    schema: READINESS_SCHEMA,
    accountId: identity.account,
    caller: identity.arn,
    regions,
    checkedAt: now.toISOString(),
    retentionDays: options.retentionDays,
    runtimeTable: {source: RUNTIME_TABLE.source, transcribed: RUNTIME_TABLE.transcribed, ageDays: age},
    functions: functions.map((f) => ({name: f.name, arn: f.arn, region: f.region})),
    missingFunctions: missing,
    summary: {checks: checks.length, pass: count('pass'), fail: count('fail'), unknown: count('unknown'), severeFailures: checks.filter(isSevereFailure).length, failedReads: probe.gaps.length},
    checks,
    warnings,
  }
}

/** Preserves the report as one `readiness.checks` artifact of the run. */
export function preserveReadiness(run: EvidenceRun, report: ReadinessReport): Promise<ArtifactRecord> {
  return run.putArtifact(['readiness', report.accountId || 'unknown-account', 'checks.json'], JSON.stringify(report, null, 2), {
    kind: 'readiness.checks',
    contentType: 'application/json',
    source: `arn:aws:iam::${report.accountId}:root`,
    collector: READINESS_COLLECTOR,
    region: report.regions.join(','),
    records: report.checks.length,
    attributes: {accountId: report.accountId, ...report.summary},
  })
}
