import {GetCallerIdentityCommand, STSClient} from '@aws-sdk/client-sts'
import type {AwsClientFactory} from './client-factory.js'

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

/** The caller for a custody journal: the STS identity, or why it could not be had. Never throws. */
export async function callerRecord(aws: AwsClientFactory, signal?: AbortSignal): Promise<{account?: string; arn?: string; userId?: string; error?: string}> {
  try {
    return await getCallerIdentity(aws, signal)
  } catch (error) {
    const e = error as Error
    return {error: `${e.name}: ${e.message}`}
  }
}
