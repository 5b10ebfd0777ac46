import {firstWritten, indexCase, type CaseIndex} from './case-index.js'
import {parsePublicKey} from './signing.js'
import type {EvidenceStore} from './store.js'
import {checkChain, checkExpectedHead, checkSigningAcrossRuns, checkUnsealed, caseHead} from './verify-chain.js'
import {IssueLog, type CaseVerification, type VerifyOptions} from './verify-issues.js'
import {verifyRun, type ExaminedRun} from './verify-run.js'

export {ISSUE_CODES, IssueLog} from './verify-issues.js'
export type {ArtifactCheck, ArtifactStatus, CaseVerification, IssueCode, RunCheck, VerifyIssue, VerifyOptions} from './verify-issues.js'

/** A case examined: the verification, and what each run recorded (what the analysis loads). */
export interface CaseExamination {
  verification: CaseVerification
  runs: ExaminedRun[]
}

/**
 * Re-reads every evidence object of a case and checks it against what was recorded when it was
 * written: each artifact's SHA-256 and size against its manifest (or, for a run that never
 * sealed, its journal); each journal byte for byte and along its hash chain; each journal's
 * artifact records against its manifest's; each manifest against its own digest, its signature
 * and the chain of manifests; no run missing, none added after a recorded head; no object outside
 * its run, no link, no changed permission in a local store; every S3 version as first written and
 * locked. Read-only; one unreadable object is named, never the end of the check.
 */
export async function verifyCase(store: EvidenceStore, caseId: string, options: VerifyOptions = {}): Promise<CaseVerification> {
  return (await examineCase(store, caseId, options)).verification
}

/** verifyCase, keeping what each run recorded: the one verifier behind verify, load, pull and the report. */
export async function examineCase(store: EvidenceStore, caseId: string, options: VerifyOptions = {}): Promise<CaseExamination> {
  const given = options.publicKey
  const publicKey = given === undefined ? undefined : typeof given === 'string' || Buffer.isBuffer(given) ? parsePublicKey(given, '--public-key') : given
  const index = options.readAlready?.index ?? (await indexCase(store, caseId))
  const progress = options.progress
  if (progress) progress.setTotal(...objectsToRead(index))
  const v: CaseVerification = {caseId, store: store.location, ok: true, contentChecked: options.content !== false, head: null, runs: [], artifacts: [], problems: [], warnings: [], issues: []}
  const log = new IssueLog(v)
  for (const o of index.stray) {
    if (o.fileType === 'symlink') log.case('symlink', `${o.key} is a symbolic link: a local store holds regular files and folders only (a run folder replaced by a link is read as no run at all)`, {key: o.key})
    else log.case('object-stray', `unexpected object ${o.key} outside any run`, {key: o.key})
  }
  const runs: ExaminedRun[] = []
  for (const run of index.runs) {
    options.signal?.throwIfAborted()
    const journal = options.readAlready?.journals.get(run.journalKey)
    runs.push(await verifyRun(store, caseId, run, {log, v, content: options.content !== false, open: run.runId === options.openRun, ...(progress === undefined ? {} : {progress}), ...(publicKey === undefined ? {} : {publicKey}), ...(journal === undefined ? {} : {journal}), ...(options.signal === undefined ? {} : {signal: options.signal})}))
  }
  checkUnsealed(runs, log, options.openRun)
  checkChain(index, runs, log)
  checkSigningAcrossRuns(runs, log, publicKey)
  v.head = caseHead(index, runs)
  if (options.expect !== undefined) checkExpectedHead(options.expect, index, runs, v, log)
  v.ok = v.issues.length === 0
  return {verification: v, runs}
}

export type {ExaminedRun}

/** The objects verify reads back and their bytes, from the listing (the manifests may list fewer). */
export function objectsToRead(index: CaseIndex): [number, number] {
  let objects = 0
  let bytes = 0
  for (const run of index.runs) {
    for (const [key, versions] of run.objects) {
      const first = firstWritten(versions)
      if (!first || key === run.manifestKey || key === run.journalKey || key.startsWith(`${run.journalKey}.d/`)) continue
      objects++
      bytes += first.size
    }
  }
  return [objects, bytes]
}
