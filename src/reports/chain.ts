import type {AnalysisDb} from '../analysis/db.js'
import {MANIFEST_NAME, runPrefix} from '../evidence/keys.js'
import type {CaseVerification} from '../evidence/verify.js'
import type {ReportModel} from './model.js'

/**
 * The runs of the case in order, each with its manifest's SHA-256 as re-read now and the hash of
 * the manifest before it, so a reader can walk the chain; who ran each (host user, AWS caller) and
 * with which tool come from the run's first journal line.
 */
export async function manifestChain(db: AnalysisDb, verification: CaseVerification): Promise<ReportModel['manifests']> {
  const opened = new Map(
    (await db.all(`SELECT run_id, CAST(line AS VARCHAR) AS line FROM custody WHERE type = 'run-started' ORDER BY run_id, seq`)).rows.map((r) => [String(r.run_id), JSON.parse(String(r.line)) as RunStarted]),
  )
  const gaps = new Map((await db.all(`SELECT run_id, count(*) AS n FROM custody WHERE type = 'gap' GROUP BY run_id`)).rows.map((r) => [String(r.run_id), Number(r.n)]))
  return verification.runs.map((run) => {
    const o = opened.get(run.runId)
    return {
      runId: run.runId,
      status: run.status,
      command: o?.command ?? null,
      startedAt: o?.at ?? null,
      endedAt: null,
      caller: o?.caller?.arn ?? o?.caller?.error ?? null,
      user: o?.host?.user ?? null,
      host: o?.host?.hostname ?? null,
      tool: o?.tool ? `${o.tool.name} ${o.tool.version}` : null,
      manifestKey: run.manifestSha256 === undefined ? null : `${runPrefix(verification.caseId, run.runId)}${MANIFEST_NAME}`,
      manifestSha256: run.manifestSha256 ?? null,
      previousSha256: o?.previousManifest?.sha256 ?? null,
      artifacts: run.artifacts,
      gaps: gaps.get(run.runId) ?? 0,
      problems: run.problems,
    }
  })
}

interface RunStarted {
  at?: string
  command?: string
  host?: {user?: string; hostname?: string}
  caller?: {arn?: string; error?: string} | null
  tool?: {name: string; version: string}
  previousManifest?: {sha256?: string} | null
}

/** The result of re-verifying every artifact, journal and manifest of the case when the report was made. */
export function verificationSummary(v: CaseVerification, at: string): ReportModel['verification'] {
  const artifacts: Record<string, number> = {}
  for (const a of v.artifacts) artifacts[a.status] = (artifacts[a.status] ?? 0) + 1
  const problems = [
    ...v.problems,
    ...v.runs.flatMap((r) => r.problems.map((p) => `run ${r.runId}: ${p}`)),
    ...v.artifacts.filter((a) => a.status !== 'ok').map((a) => `${a.status}: ${a.key}${a.detail ? ` (${a.detail})` : ''}`),
  ]
  return {ok: v.ok, at, store: v.store, artifacts, problems, warnings: v.warnings}
}
