import {describe, expect, it} from 'vitest'
import {ExitCode, toCoronerError} from '../../../src/core/errors.js'
import {coroner, type Envelope} from '../../support/cli.js'
import {useAwsTestEnvironment} from '../../support/moto.js'
import {closedPort} from '../../support/ports.js'

describe('toCoronerError', () => {
  useAwsTestEnvironment()

  it('maps AWS refusals, an unreachable endpoint, a full disk and the rest to their exit codes', () => {
    expect(toCoronerError(Object.assign(new Error('no'), {name: 'AccessDeniedException'}))).toMatchObject({code: 'aws-access', exitCode: ExitCode.awsAccess})
    expect(toCoronerError(Object.assign(new Error('getaddrinfo ENOTFOUND lambda.eu-west-9.amazonaws.com'), {code: 'ENOTFOUND'}))).toMatchObject({code: 'aws-unreachable', exitCode: ExitCode.awsAccess})
    expect(toCoronerError(new Error('wrapped', {cause: Object.assign(new Error('x'), {code: 'ECONNREFUSED'})}))).toMatchObject({code: 'aws-unreachable'})
    expect(toCoronerError(Object.assign(new Error('no space left on device'), {code: 'ENOSPC'}))).toMatchObject({code: 'fs-enospc', exitCode: ExitCode.partial})
    expect(toCoronerError(new TypeError('boom'))).toMatchObject({code: 'internal', exitCode: ExitCode.internal})
  })

  it('an AWS endpoint that cannot be reached is exit 5 with a hint, not an internal error', async () => {
    const out = await coroner(['evidence', 'init', '--bucket', 'acme-ir-evidence', '--region', 'us-east-1', '--endpoint-url', `http://127.0.0.1:${await closedPort()}`, '--allow-plain-http', '--json'])
    expect(out.error?.oclif?.exit).toBe(5)
    const env = JSON.parse(out.stdout) as Envelope<never>
    expect(env.error?.code).toBe('aws-unreachable')
    expect(env.error?.hint).toContain('--endpoint-url')
  })
})
