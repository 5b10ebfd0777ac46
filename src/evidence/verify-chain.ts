import type {KeyObject} from 'node:crypto'
import {runIsPresent, type CaseIndex} from './case-index.js'
import {formatHead, parseHead, type CaseHead} from './case-head.js'
import {keyFingerprint} from './signing.js'
import type {CaseVerification, IssueLog} from './verify-issues.js'
import type {ExaminedRun} from './verify-run.js'

type SealedRun = ExaminedRun & {manifest: NonNullable<ExaminedRun['manifest']>; manifestSha256: string}
const sealedRuns = (runs: readonly ExaminedRun[]): SealedRun[] => runs.filter((r): r is SealedRun => r.sealed && r.manifest !== undefined && r.manifestSha256 !== undefined)

/**
 * The chain of manifests, and no run missing from it: each sealed run links to the sealed run
 * before it by the hash that manifest had when the run began, and finds in the store at least as
 * many earlier runs as it counted when it began (so removing the first run, or a killed one that
 * nothing links to, is seen).
 */
export function checkChain(index: CaseIndex, runs: readonly ExaminedRun[], log: IssueLog): void {
  const sealed = sealedRuns(runs)
  for (const [i, {runId, manifest}] of sealed.entries()) {
    const prev = manifest.previousManifest
    const expectedPrev = i === 0 ? undefined : sealed[i - 1]
    if (prev === null || prev === undefined) {
      if (expectedPrev) log.case('chain-broken', `chain: run ${runId} links to no previous run, but run ${expectedPrev.runId} precedes it`, {runId})
    } else {
      const target = sealed.find((s) => s.runId === prev.runId)
      if (!target) log.case('chain-missing-run', `chain: run ${runId} links to run ${prev.runId}, which is missing`, {runId})
      else if (target.manifestSha256 !== prev.sha256) log.case('chain-broken', `chain: manifest of run ${prev.runId} changed after run ${runId} recorded its hash`, {runId, key: target.manifestKey})
      else if (expectedPrev && expectedPrev.runId !== prev.runId) log.case('chain-fork', `chain: run ${runId} links to ${prev.runId}, not to the run before it (${expectedPrev.runId}); runs ran concurrently or one was removed`, {runId})
    }
    if (typeof manifest.runsBefore !== 'number') continue
    const present = index.runs.filter((r) => r.runId < runId && runIsPresent(r)).length
    if (present < manifest.runsBefore) log.case('chain-missing-run', `chain: run ${runId} began after ${manifest.runsBefore} run(s) of the case, but the store holds ${present} before it: ${manifest.runsBefore - present} run(s) were removed`, {runId})
    else if (present > manifest.runsBefore) log.warn(`run ${runId} began after ${manifest.runsBefore} run(s) of the case; the store holds ${present} before it (a run began while it ran)`)
  }
}

/**
 * A run that never sealed is a problem, unless it is the run doing the verification (still open) or
 * a later run resumed it from the journal as it stands: that run recorded the hash of its last
 * line, so nothing was added to or cut from it since.
 */
export function checkUnsealed(runs: readonly ExaminedRun[], log: IssueLog, openRun: string | undefined): void {
  for (const run of runs) {
    if (!run.noManifest || run.runId === openRun) continue
    const resumers = runs.filter((r) => r.runId > run.runId && r.resumeOf?.runId === run.runId)
    const by = resumers.find((r) => r.resumeOf!.journalLastHash === run.journalLastHash)
    if (by) {
      log.warn(`run ${run.runId} never sealed; run ${by.runId} resumed it from its last journal line, and its artifacts were checked against its journal`)
      continue
    }
    const changed = resumers.length > 0 ? ` (run ${resumers[0]!.runId} resumed it from another last journal line: the journal changed since)` : ''
    log.run(run.runId, 'run-unsealed', `run ${run.runId} has no manifest: it never finished (crash or kill)${changed}; checking what its journal recorded`)
  }
}

/**
 * Signatures across runs. With the key a third party holds, every sealed run from the first one
 * it signed on must be signed by it (those before were sealed before signing was turned on, and
 * are said to be unsigned); without it, a run left unsigned after a signed one is pointed out.
 */
export function checkSigningAcrossRuns(runs: readonly ExaminedRun[], log: IssueLog, publicKey: KeyObject | undefined): void {
  const sealed = sealedRuns(runs)
  const firstSigned = sealed.findIndex((r) => r.signedBy !== undefined || r.manifest.signing !== undefined)
  if (publicKey !== undefined && !sealed.some((r) => r.signedBy !== undefined)) {
    log.case('signature-missing', `no run of the case carries a signature that holds with the key given (fingerprint ${keyFingerprint(publicKey)})`)
    return
  }
  if (firstSigned < 0) return
  for (const [i, r] of sealed.entries()) {
    if (r.signedBy !== undefined || r.manifest.signing !== undefined) continue
    if (i < firstSigned) {
      if (publicKey !== undefined) log.warn(`run ${r.runId} is not signed: it was sealed before signing was turned on; runs after it chain to it`)
    } else if (publicKey !== undefined) log.run(r.runId, 'signature-missing', `run ${r.runId} is not signed, although run ${sealed[firstSigned]!.runId} before it was: its signature was removed, or it was written without --sign-kms-key/--sign-key`)
    else log.warn(`run ${r.runId} is not signed, although run ${sealed[firstSigned]!.runId} before it was`)
  }
}

/** How many runs the case holds up to a sealed run: what its manifest counted, else the runs in the store up to it. */
function runsUpTo(index: CaseIndex, run: SealedRun): number {
  if (typeof run.manifest.runsBefore === 'number') return run.manifest.runsBefore + 1
  return index.runs.filter((r) => r.runId <= run.runId && runIsPresent(r)).length
}

/** The case head: the latest sealed run, its manifest SHA-256 as first written, and the runs up to it. */
export function caseHead(index: CaseIndex, runs: readonly ExaminedRun[]): CaseHead | null {
  const latest = sealedRuns(runs).at(-1)
  if (!latest) return null
  const count = runsUpTo(index, latest)
  return {runs: count, runId: latest.runId, manifestSha256: latest.manifestSha256, text: formatHead(count, latest.manifestSha256)}
}

/**
 * The head recorded outside the store: some sealed run must still have the manifest it names (as
 * first written), with the run count it names. Runs sealed after it must chain to it, which the
 * chain check sees; they are counted.
 */
export function checkExpectedHead(text: string, index: CaseIndex, runs: readonly ExaminedRun[], v: CaseVerification, log: IssueLog): void {
  const expected = parseHead(text)
  const sealed = sealedRuns(runs)
  const at = sealed.findIndex((r) => r.manifestSha256.startsWith(expected.sha256Prefix))
  if (at < 0) {
    v.expected = {head: expected.text, found: false, runsAfter: 0}
    log.case('head-mismatch', `no run of the case has the manifest the expected head ${expected.text} names: runs were removed or replaced after it was recorded (the case head is now ${v.head?.text ?? 'none'})`)
    return
  }
  const run = sealed[at]!
  v.expected = {head: expected.text, found: true, runsAfter: sealed.length - at - 1}
  const count = runsUpTo(index, run)
  if (expected.runs !== undefined && expected.runs !== count) log.case('head-mismatch', `the expected head ${expected.text} names ${expected.runs} run(s) up to run ${run.runId}, but the case holds ${count}`, {runId: run.runId})
  if (v.expected.runsAfter > 0) log.warn(`${v.expected.runsAfter} run(s) were sealed after the expected head ${expected.text}; the case head is now ${v.head?.text ?? 'none'}`)
}
