import {z} from 'zod'
import type {ArtifactRecord} from '../../evidence/manifest.js'
import {ISSUE_CODES, type CaseVerification, type VerifyIssue} from '../../evidence/verify.js'
import {count, gap, listCount, nullableSha256, nullableTime, result, run, sha256, storedRunStatus, text, time} from './common.js'

/** An evidence object as its manifest records it. */
export const artifact = z
  .object({
    key: text,
    kind: text,
    sha256,
    size: count,
    versionId: z.string().nullable(),
    contentType: text,
    source: text.describe('What it was collected from: an ARN, an S3 URI, a file path'),
    collector: text,
    collectedAt: time,
    region: z.string().nullable(),
    records: count.nullable(),
    attributes: z.record(z.string(), z.unknown()),
  })
  .strict()

export const artifactJson = (a: ArtifactRecord): z.output<typeof artifact> => ({
  key: a.key,
  kind: a.kind,
  sha256: a.sha256,
  size: a.size,
  versionId: a.versionId ?? null,
  contentType: a.contentType,
  source: a.source,
  collector: a.collector,
  collectedAt: a.collectedAt,
  region: a.region ?? null,
  records: a.records ?? null,
  attributes: a.attributes ?? {},
})

export const caseListResult = result({
  cases: z.array(z.object({caseId: text, runs: count, artifacts: count, unsealed: count.describe('Runs without a manifest'), firstRun: text, lastRun: text}).strict()),
  ...listCount,
})

const runStep = z.object({step: text, uses: z.string().nullable(), parameters: z.record(z.string(), z.unknown()), outcome: z.string().nullable(), durationMs: z.number().nullable(), reason: z.string().nullable()}).strict()

const runDetail = z
  .object({
    manifestKey: text,
    journalKey: text,
    tool: z.object({name: text, version: text}).strict().nullable(),
    host: z.object({hostname: text, user: text, platform: text, node: text, pid: z.number()}).strict().nullable(),
    store: z.object({kind: text, location: text}).strict().nullable(),
    previousManifest: z.object({runId: text, key: text, sha256}).strict().nullable(),
    artifacts: z.array(artifact),
    steps: z.array(runStep),
    notes: z.array(text),
    journalProblems: z.array(text),
  })
  .strict()

export const caseShowResult = result({
  caseId: text,
  store: text,
  runs: z.array(
    z
      .object({
        runId: text,
        status: storedRunStatus,
        command: z.string().nullable(),
        parameters: z.record(z.string(), z.unknown()),
        startedAt: nullableTime,
        endedAt: nullableTime,
        user: z.string().nullable().describe('user@host the run was made from'),
        caller: z.string().nullable().describe('The AWS caller (STS ARN), when the run called AWS'),
        artifacts: count,
        gaps: z.array(gap),
        warnings: z.array(text).describe("The run's own warnings, as its manifest records them"),
        manifestSha256: nullableSha256,
        detail: runDetail.nullable().describe('Everything recorded about the run: with --run'),
      })
      .strict(),
  ),
  ...listCount,
})

export const evidenceListResult = result({
  caseId: text,
  artifacts: z.array(artifact.extend({runId: text}).strict()),
  ...listCount,
})

export const evidenceAddResult = result({run, artifacts: z.array(artifact), ...listCount})

const artifactCheck = z
  .object({
    caseId: text,
    runId: text,
    key: text,
    status: z.enum(['ok', 'missing', 'altered', 'extra', 'overlaid', 'unlocked', 'unreadable', 'linked', 'writable', 'outside-run']),
    expectedSha256: nullableSha256,
    actualSha256: nullableSha256,
    versionId: z.string().nullable(),
    detail: z.string().nullable(),
  })
  .strict()

/** One problem verify named, by its stable code (docs/evidence-format.md). */
export const verifyIssue = z.object({code: z.enum(ISSUE_CODES), message: text, runId: z.string().nullable(), key: z.string().nullable()}).strict()

export const issueJson = (i: VerifyIssue): z.output<typeof verifyIssue> => ({code: i.code, message: i.message, runId: i.runId ?? null, key: i.key ?? null})

const caseCheck = z
  .object({
    caseId: text,
    store: text,
    ok: z.boolean(),
    contentChecked: z.boolean().describe('False when artifacts were not re-read (a pull hashes the bytes as it copies them)'),
    head: z.object({runs: count, runId: text, manifestSha256: sha256, text}).strict().nullable().describe('The case head as the store holds it now (runs:latest manifest SHA-256); null when no run sealed'),
    expected: z.object({head: text, found: z.boolean(), runsAfter: count}).strict().nullable().describe('The head given with --expect, and whether the store still holds it'),
    runs: z.array(
      z
        .object({
          runId: text,
          status: storedRunStatus,
          manifestSha256: nullableSha256,
          artifacts: count,
          problems: z.array(text),
          signature: z.object({keyId: text, publicKeySha256: sha256, checkedWith: z.enum(['given-key', 'stored-key'])}).strict().nullable().describe('The run\'s signature, when it has one that holds'),
        })
        .strict(),
    ),
    objects: count.describe('Objects read back'),
    problems: z.array(text).describe('Problems of the case as a whole: the chain between runs, the head, objects outside any run'),
    warnings: z.array(text),
    issues: z
      .array(verifyIssue)
      .describe('Every problem with its stable code (docs/evidence-format.md), whichever list above also names it'),
  })
  .strict()

export const verification = caseCheck

export const evidenceVerifyResult = result({
  ok: z.boolean(),
  cases: z.array(caseCheck),
  artifacts: z.array(artifactCheck).describe('Every object checked, of every case'),
  ...listCount,
})

export const evidencePullResult = result({
  caseId: text,
  from: text,
  to: text,
  runs: count,
  objects: count,
  bytes: count,
  notPulled: z.array(text).describe('Objects of the case in the source that no manifest or journal names, left behind'),
  source: caseCheck.describe('The source as verify sees it, its bytes aside (each is hashed as it is copied): versions laid over the evidence, delete markers, locks, journals, manifests, signatures, the chain'),
  sourceProblems: z.array(artifactCheck).describe('Objects of the source that do not verify'),
  verification: caseCheck.describe('The copy, verified whole'),
  problems: z.array(artifactCheck).describe('Objects of the copy that do not verify'),
  ok: z.boolean().describe('Both the source and the copy verify'),
})

export const evidenceHoldResult = result({
  run,
  hold: z.enum(['ON', 'OFF']),
  changed: count.describe('Object versions whose hold was set'),
  failed: z.array(z.object({key: text, versionId: z.string().nullable(), error: text}).strict()),
})

export const evidenceInitResult = result({
  bucket: text,
  created: z.boolean(),
  ok: z.boolean(),
  applied: z.array(text),
  checks: z.array(z.object({setting: text, ok: z.boolean(), expected: text, actual: text, fix: z.string().nullable()}).strict()),
  notes: z.array(text),
  allowPlainHttp: z.boolean().describe('The bucket policy leaves out its non-TLS deny, for a plain-HTTP endpoint (--allow-plain-http)'),
  ...listCount,
})

/** A case's verification as --json gives it: the case, and each object checked (with its case, for a list across cases). */
export function verificationJson(v: CaseVerification): {check: z.output<typeof caseCheck>; artifacts: Array<z.output<typeof artifactCheck>>} {
  return {
    check: {
      caseId: v.caseId,
      store: v.store,
      ok: v.ok,
      contentChecked: v.contentChecked,
      head: v.head === null ? null : {runs: v.head.runs, runId: v.head.runId, manifestSha256: v.head.manifestSha256, text: v.head.text},
      expected: v.expected ?? null,
      runs: v.runs.map((r) => ({runId: r.runId, status: r.status, manifestSha256: r.manifestSha256 ?? null, artifacts: r.artifacts, problems: r.problems, signature: r.signature ?? null})),
      objects: v.artifacts.length,
      problems: v.problems,
      warnings: v.warnings,
      issues: v.issues.map(issueJson),
    },
    artifacts: v.artifacts.map((a) => ({
      caseId: v.caseId,
      runId: a.runId,
      key: a.key,
      status: a.status,
      expectedSha256: a.expectedSha256 ?? null,
      actualSha256: a.actualSha256 ?? null,
      versionId: a.versionId ?? null,
      detail: a.detail ?? null,
    })),
  }
}
