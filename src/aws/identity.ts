import {GetCallerIdentityCommand, STSClient} from '@aws-sdk/client-sts'
import {isNetworkError, toCoronerError} from '../core/errors.js'
import type {AwsClientFactory} from './client-factory.js'
import {credentialsError, profileInUse} from './credentials.js'

export interface CallerIdentity {
  account: string
  arn: string
  userId: string
}

/** Who the responder is in AWS, for the custody journal. */
export async function getCallerIdentity(aws: AwsClientFactory, signal?: AbortSignal): Promise<CallerIdentity> {
  const out = await aws.client(STSClient).send(new GetCallerIdentityCommand({}), signal === undefined ? {} : {abortSignal: signal})
  return {account: out.Account ?? '', arn: out.Arn ?? '', userId: out.UserId ?? ''}
}

/**
 * The caller for a run that will call AWS, asked once before anything is collected: credentials
 * missing, unknown or refused, and an endpoint that cannot be reached, stop the run there (exit 5,
 * named with the fix) instead of becoming a gap per call. Any other failure is recorded as the
 * caller's `error` and the run goes on.
 */
export async function callerForRun(aws: AwsClientFactory, signal?: AbortSignal): Promise<{account?: string; arn?: string; userId?: string; error?: string}> {
  try {
    return await getCallerIdentity(aws, signal)
  } catch (error) {
    const refused = credentialsError(error, profileInUse(aws.options.profile))
    if (refused !== undefined) throw refused
    if (isNetworkError(error)) throw toCoronerError(error)
    const e = error as Error
    return {error: `${e.name}: ${e.message}`}
  }
}
