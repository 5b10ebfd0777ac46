import type {KeyObject} from 'node:crypto'
import type {ProgressTask} from '../core/progress.js'
import type {CaseHead} from './case-head.js'
import type {CaseIndex} from './case-index.js'
import type {Manifest} from './manifest.js'

/**
 * Every problem verify can name, each a rule of docs/evidence-format.md ("Verification"): stable
 * codes that scripts, the report and the independent checker (tools/verify-case.mjs) share.
 */
export const ISSUE_CODES = [
  'run-unsealed',
  'journal-missing',
  'journal-chain',
  'journal-crlf',
  'journal-blank-line',
  'journal-unterminated',
  'journal-not-json',
  'manifest-invalid',
  'manifest-edited',
  'manifest-misnamed',
  'journal-manifest-mismatch',
  'artifact-missing',
  'artifact-altered',
  'artifact-unreadable',
  'artifact-outside-run',
  'object-extra',
  'object-stray',
  'overlaid',
  'unlocked',
  'symlink',
  'special-file',
  'mode-changed',
  'chain-broken',
  'chain-missing-run',
  'chain-fork',
  'head-mismatch',
  'signature-missing',
  'signature-invalid',
  'signature-wrong-key',
] as const
export type IssueCode = (typeof ISSUE_CODES)[number]

/** One problem: its code, what it is in words, and the run and object it concerns. */
export interface VerifyIssue {
  code: IssueCode
  message: string
  runId?: string
  key?: string
}

export type ArtifactStatus = 'ok' | 'missing' | 'altered' | 'extra' | 'overlaid' | 'unlocked' | 'unreadable' | 'linked' | 'writable' | 'outside-run'

export interface ArtifactCheck {
  key: string
  runId: string
  status: ArtifactStatus
  expectedSha256?: string
  actualSha256?: string
  versionId?: string
  detail?: string
}

export interface RunCheck {
  runId: string
  /** `open`: the run doing the verification (a playbook's), checked against its journal so far. */
  status: Manifest['status'] | 'unsealed' | 'open'
  manifestSha256?: string
  artifacts: number
  problems: string[]
  /** The run's signature, when it has one that holds. */
  signature?: {keyId: string; publicKeySha256: string; checkedWith: 'given-key' | 'stored-key'}
}

export interface CaseVerification {
  caseId: string
  store: string
  ok: boolean
  /** False when artifacts were not re-read (a pull checks the source's listing, locks, journals and manifests, and hashes the bytes as it copies them). */
  contentChecked: boolean
  /** The case head as the store holds it now; null when no run sealed. */
  head: CaseHead | null
  /** The head given with --expect, when one was. */
  expected?: {head: string; found: boolean; runsAfter: number}
  runs: RunCheck[]
  artifacts: ArtifactCheck[]
  /** Problems of the case as a whole: the chain between runs, the head, objects outside any run. */
  problems: string[]
  warnings: string[]
  /** Every problem with its code, whichever list above also names it. */
  issues: VerifyIssue[]
}

export interface VerifyOptions {
  /** The head recorded outside the store (`<runs>:<sha256 prefix>` or a manifest SHA-256): verify fails when runs were removed or replaced since. */
  expect?: string
  /** The public key every signed manifest must verify with (PEM or DER): what a third party holds. */
  publicKey?: string | Buffer | KeyObject
  /** Re-read and hash every artifact (default true). */
  content?: boolean
  /** The run doing the verification (a playbook's), still open: checked against its journal so far, not named unsealed. */
  openRun?: string | undefined
  /** Told of every object read back, with its size: per-object progress (count, bytes, rate, time left). */
  progress?: ProgressTask
  /** Ctrl-C: no more objects are read, and the verification throws the signal's reason. */
  signal?: AbortSignal
  /**
   * What the caller has just read of this case from the same store (pull, which copies it first):
   * its listing and the raw lines of its journals, so verify does not read them twice. A journal
   * not in the map is read.
   */
  readAlready?: {index: CaseIndex; journals: ReadonlyMap<string, readonly string[]>}
}

/** Collects problems into the lists a verification reports them in. */
export class IssueLog {
  private readonly checks = new Map<string, RunCheck>()

  constructor(private readonly v: CaseVerification) {}

  /** Starts the report of one run. */
  openRun(check: RunCheck): RunCheck {
    this.checks.set(check.runId, check)
    this.v.runs.push(check)
    return check
  }

  /** A problem of one run (its journal, manifest, signature or place in the chain). */
  run(runId: string, code: IssueCode, message: string, key?: string): void {
    this.checks.get(runId)?.problems.push(message)
    this.v.issues.push({code, message, runId, ...(key === undefined ? {} : {key})})
  }

  /** One object checked; a problem (its code and words) when it has one. */
  artifact(art: ArtifactCheck, problem?: {code: IssueCode; message: string}): ArtifactCheck {
    this.v.artifacts.push(art)
    if (problem) this.v.issues.push({...problem, runId: art.runId, key: art.key})
    return art
  }

  /** A problem of the case as a whole. */
  case(code: IssueCode, message: string, where: {runId?: string; key?: string} = {}): void {
    this.v.problems.push(message)
    this.v.issues.push({code, message, ...where})
  }

  warn(message: string): void {
    if (!this.v.warnings.includes(message)) this.v.warnings.push(message)
  }
}
