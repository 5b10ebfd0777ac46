import {IAMClient} from '@aws-sdk/client-iam'
import {LambdaClient} from '@aws-sdk/client-lambda'
import type {AwsEnv} from '../collectors/context.js'
import type {JsonObject} from './action.js'

/** The Lambda client of a target's region, from the one client factory. */
export const lambdaClient = (env: AwsEnv, region: string): LambdaClient => env.aws.client(LambdaClient, region)

/** The IAM client (IAM is global). */
export const iamClient = (env: AwsEnv): IAMClient => env.aws.client(IAMClient)

/** Send options: every call can be interrupted. */
export const sendOptions = (env: AwsEnv): {abortSignal: AbortSignal} => ({abortSignal: env.signal})

/** Recorded call parameters handed back to the SDK command they were planned for (`transition` built them in its shape). */
export const asInput = <T>(parameters: JsonObject): T => parameters as unknown as T
