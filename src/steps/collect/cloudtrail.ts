import type {ArchiveCollectResult} from '../../collectors/cloudtrail-archive.js'
import type {ValidationReport, ValidationStatus} from '../../collectors/cloudtrail-digest.js'
import {inNewRun, prepareParams, runStep, type RunnerEnv, type SealedRun} from '../runner.js'
import type {InputOf, ResultOf} from '../step.js'
import {cloudtrailArchiveStep} from './cloudtrail-archive.js'
import {cloudtrailDigestStep} from './cloudtrail-digest.js'
import {cloudtrailLookupStep} from './cloudtrail-lookup.js'

/** What `collect cloudtrail` reports, LookupEvents or archive alike. */
export interface CloudTrailRunResult extends Pick<SealedRun, 'caseId' | 'runId' | 'status' | 'manifestKey' | 'manifestSha256' | 'head' | 'signature'> {
  artifacts: number
  gaps: number
  /** The sealed run itself: its gaps in full, its warnings. */
  sealed: SealedRun
  lookup?: ResultOf<typeof cloudtrailLookupStep>['lookup']
  resumedFrom?: string
  archive?: ArchiveCollectResult
  /**
   * What vouches for the records: the digest validation (`valid` or `invalid`, with its summary and
   * findings), or `unvalidated` and why (no digests, --no-validate, LookupEvents, which has none).
   */
  validation: {status: ValidationStatus; summary?: ValidationReport['summary']; findings?: ValidationReport['findings']; reason?: string}
}

/** The warning every collection whose records no digest vouches for carries, in its summary and --json. */
export const unvalidatedWarning = (reason: string): string => `cloudtrail unvalidated: ${reason}`

const COMMAND = 'collect cloudtrail'

function summary(run: SealedRun): Omit<CloudTrailRunResult, 'lookup' | 'archive' | 'validation'> {
  const {caseId, runId, status, manifestKey, manifestSha256, head, signature} = run
  return {caseId, runId, status, manifestKey, manifestSha256, head, ...(signature === undefined ? {} : {signature}), artifacts: run.artifacts, gaps: run.gaps.length, sealed: run}
}

/** `collect cloudtrail` without --archive: the LookupEvents step in a run of its own. */
export async function collectCloudTrailLookup(env: RunnerEnv, input: InputOf<typeof cloudtrailLookupStep>): Promise<CloudTrailRunResult> {
  const {result, run} = await runStep(env, cloudtrailLookupStep, input, {command: COMMAND})
  return {...summary(run), ...result, validation: {status: 'unvalidated', reason: 'LookupEvents answers carry no digest: nothing signed vouches for them (collect the trail\'s S3 archive with --archive to validate)'}}
}

export type ArchiveRunInput = InputOf<typeof cloudtrailArchiveStep> &
  Pick<InputOf<typeof cloudtrailDigestStep>, 'publicKeys' | 'signatures'> & {
    /** Validate digests: true, false, or undefined for "when the archive holds any". */
    validate?: boolean
  }

/**
 * `collect cloudtrail --archive`: the archive step, then the digest step, in one run. The digest
 * step reads the hashes the archive step recorded in the run's artifacts; nothing passes between
 * them in memory.
 */
export async function collectCloudTrailArchive(env: RunnerEnv, input: ArchiveRunInput): Promise<CloudTrailRunResult> {
  const {validate, publicKeys, signatures, ...selection} = input
  const archive = await prepareParams(env, cloudtrailArchiveStep, selection)
  const {location, since, until, accounts, regions} = archive
  const digest =
    validate === false
      ? undefined
      : await prepareParams(env, cloudtrailDigestStep, {location, since, until, accounts, regions, publicKeys, signatures, whenNoDigests: validate ? 'warn' : 'skip'})
  const parameters = {mode: 'archive', location, since, until, accounts, regions, validate: validate ?? 'auto'}
  // Asking STS follows the archive: a local copy validated with ListPublicKeys does not need the caller named.
  const opening = {command: COMMAND, parameters, identifyCaller: cloudtrailArchiveStep.usesAws(archive)}
  const {result, run} = await inNewRun(env, opening, async (session) => {
    const collected = await session.call(cloudtrailArchiveStep, archive)
    const validated = digest === undefined || env.signal.aborted ? undefined : await session.call(cloudtrailDigestStep, digest)
    return {collected, validated}
  })
  const v = result.validated
  const validation: CloudTrailRunResult['validation'] =
    v !== undefined && 'report' in v
      ? {status: v.report.status, summary: v.report.summary, findings: v.report.findings, ...(v.report.unvalidatedReason === undefined ? {} : {reason: v.report.unvalidatedReason})}
      : {status: 'unvalidated', reason: validate === false ? 'digest validation was turned off (--no-validate)' : v !== undefined ? v.skipped : 'the collection stopped before the digests were validated'}
  return {...summary(run), archive: result.collected, validation}
}
