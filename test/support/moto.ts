import {inject} from 'vitest'
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
