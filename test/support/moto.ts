import {afterAll, beforeAll, inject} from 'vitest'

import {AwsClientFactory} from '../../src/aws/client-factory.js'

/** The endpoint of the moto_server started by the global setup. */
export const motoEndpoint = (): string => inject('motoEndpoint')

/** Wipes all moto state; call in beforeEach of every integration test. */
export async function resetMoto(): Promise<void> {
  const res = await fetch(`${motoEndpoint()}/moto-api/reset`, {method: 'POST'})
  if (!res.ok) throw new Error(`moto reset failed: ${res.status}`)
}

/** A client factory pointed at moto, with dummy credentials and no retries so failures are fast. */
export function motoAws(caseId = 'INC-TEST', region = 'us-east-1'): AwsClientFactory {
  return new AwsClientFactory({
    endpointUrl: motoEndpoint(),
    region,
    caseId,
    maxAttempts: 1,
    credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'},
  })
}

/**
 * moto 5.2.1 with `use_docker: false` (set by the global setup) checks a function's layers against
 * another backend than the one PublishLayerVersion writes to, so CreateFunction with Layers fails.
 * Nothing in the tests invokes a function, so files that create functions with layers switch to
 * moto's default Lambda backend for their duration. Call at the top of a describe block.
 */
export function useLambdaLayerBackend(): void {
  const set = (useDocker: boolean) => fetch(`${motoEndpoint()}/moto-api/config`, {method: 'POST', body: JSON.stringify({lambda: {use_docker: useDocker}})})
  beforeAll(() => set(true))
  afterAll(() => set(false))
}

/**
 * Sets the environment the commands build their AWS clients from, as the AWS CLI does (dummy keys,
 * no profile, no instance metadata), for the duration of a describe block, then restores it.
 */
export function useAwsTestEnvironment(values: Record<string, string> = {AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing'}): void {
  const saved: Record<string, string | undefined> = {}
  const wanted: Record<string, string | undefined> = {AWS_EC2_METADATA_DISABLED: 'true', AWS_PROFILE: undefined, ...values}
  beforeAll(() => {
    for (const [k, v] of Object.entries(wanted)) {
      saved[k] = process.env[k]
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  })
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  })
}
