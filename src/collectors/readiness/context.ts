import type {GetTrailStatusCommandOutput, Trail} from '@aws-sdk/client-cloudtrail'
import type {AwsEnv} from '../context.js'
import type {Probe, Read} from './probe.js'
import type {TrailSelectors} from './selectors.js'

/** What every part of the readiness audit works with. */
export interface AuditEnv {
  ctx: AwsEnv
  probe: Probe
  accountId: string
  partition: string
  regions: readonly string[]
  now: Date
  /** Days a log group and the evidence bucket must keep what they hold. */
  retentionDays: number
  /** Runtimes deprecated within this many days fail `coroner-lambda-runtime-deprecation-soon`. */
  runtimeWarningDays: number
}

/** What the audit resource of an account-wide check is called. */
export const accountResource = (env: AuditEnv): string => `account ${env.accountId}`

/** Request options every call of the audit carries: the run's abort signal. */
export const signalOf = (env: AuditEnv): {abortSignal: AbortSignal} => ({abortSignal: env.ctx.signal})

/** A function as the audit sees it: from ListFunctions, with the region it lives in. */
export interface AuditedFunction {
  name: string
  arn: string
  region: string
  runtime?: string
  packageType?: string
  role?: string
  layers: string[]
  /** Environment variables; the values are read for the secret check only and never leave it. */
  variables?: Record<string, string>
  /** Why Lambda returned no variable values (a customer key the caller may not use). */
  environmentError?: string
  logGroup: string
}

/** A trail with what GetTrailStatus and GetEventSelectors said of it. */
export interface TrailFacts {
  trail: Trail & {TrailARN: string}
  home: string
  status: Read<GetTrailStatusCommandOutput>
  selectors: Read<TrailSelectors>
}
