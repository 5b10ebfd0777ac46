import {describe, expect, it} from 'vitest'
import {gapFor} from '../../../src/evidence/gap-log.js'
import {decodePolicyDocument, iamRoleCollector, roleNameOf} from '../../../src/collectors/iam-role.js'
import {lambdaCollector, parsePolicy} from '../../../src/collectors/lambda.js'
import {parseFunctionTarget} from '../../../src/collectors/lambda-target.js'
import {logsCollector, chooseSliceMs, parseTimeSpec, planSlices} from '../../../src/collectors/logs.js'
import {logsExportCollector} from '../../../src/collectors/logs-export.js'
import {redactEnvironment} from '../../../src/collectors/redact.js'
import {base64ToHex} from '../../../src/collectors/download.js'

const HOUR = 3_600_000

describe('collector helpers', () => {
  it('declares read-only operations, permissions and kinds', () => {
    for (const c of [lambdaCollector, iamRoleCollector, logsCollector, logsExportCollector]) {
      expect(c.produces.length).toBeGreaterThan(0)
      for (const p of c.permissions) expect(p).toMatch(/^(lambda|iam|logs|s3):(Get|List|Describe|Filter)/)
    }
    expect(lambdaCollector.permissions).toContain('iam:GetPolicyVersion')
    expect(lambdaCollector.produces).toEqual(expect.arrayContaining(['lambda.code', 'lambda.layer-code', 'iam.role-policies']))
  })

  it('parses function names and ARNs, with region and qualifier', () => {
    expect(parseFunctionTarget('payments-api', 'eu-west-1')).toEqual({input: 'payments-api', functionName: 'payments-api', region: 'eu-west-1'})
    expect(parseFunctionTarget('arn:aws:lambda:us-west-2:123456789012:function:my-function:live', 'eu-west-1')).toMatchObject({functionName: 'my-function', region: 'us-west-2', qualifier: 'live'})
    expect(roleNameOf('arn:aws:iam::123456789012:role/service-role/helloWorldPython-role-uy3l9qyq')).toBe('helloWorldPython-role-uy3l9qyq')
  })

  it('decodes policy documents URL-encoded or plain, and keeps what is neither', () => {
    const doc = {Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::a/100%'}]}
    expect(decodePolicyDocument(encodeURIComponent(JSON.stringify(doc)))).toEqual(doc)
    expect(decodePolicyDocument(JSON.stringify(doc))).toEqual(doc)
    expect(decodePolicyDocument('%E0%A4%A')).toBe('%E0%A4%A')
    expect(parsePolicy('not json')).toBe('not json')
  })

  it('redacts environment values, never names, unless secrets are shown', () => {
    expect(redactEnvironment({DB_PASSWORD: 'x', STAGE: 'prod'}, false)).toEqual({DB_PASSWORD: '[redacted:DB_PASSWORD]', STAGE: '[redacted:STAGE]'})
    expect(redactEnvironment({DB_PASSWORD: 'x'}, true)).toEqual({DB_PASSWORD: 'x'})
    expect(redactEnvironment(undefined, false)).toBeUndefined()
  })

  it('converts CodeSha256 from base64 to hex', () => {
    expect(base64ToHex('5tT2qgzYUHoqwR616pZ2dpkn/0J1FrzJmlKidWaaCgk=')).toBe('e6d4f6aa0cd8507a2ac11eb5ea9676769927ff427516bcc99a52a275669a0a09')
  })

  it('maps AWS failures to stable gap codes naming the permission', () => {
    const call = {collector: 'lambda', resource: 'f', region: 'us-east-1', operation: 'lambda:GetPolicy'}
    expect(gapFor(Object.assign(new Error('no'), {name: 'AccessDeniedException'}), call)).toMatchObject({code: 'access-denied', reason: expect.stringContaining('lambda:GetPolicy')})
    expect(gapFor(Object.assign(new Error('x'), {name: 'ThrottlingException'}), call).code).toBe('throttled')
    expect(gapFor(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {code: 'ECONNREFUSED'}), call)).toMatchObject({code: 'unreachable', reason: expect.stringContaining('--endpoint-url')})
    expect(gapFor(Object.assign(new Error('x'), {name: 'ResourceNotFoundException'}), call).code).toBe('not-found')
    expect(gapFor(Object.assign(new SyntaxError('Unexpected token <'), {$metadata: {httpStatusCode: 404}}), call).code).toBe('unsupported')
  })

  it('reads --since/--until as ISO times or durations ago', () => {
    const now = new Date('2026-11-20T12:00:00Z')
    expect(parseTimeSpec('24h', now, 'since').toISOString()).toBe('2026-11-19T12:00:00.000Z')
    expect(parseTimeSpec('30m', now, 'since').toISOString()).toBe('2026-11-20T11:30:00.000Z')
    expect(parseTimeSpec('2026-11-01T00:00:00Z', now, 'since').toISOString()).toBe('2026-11-01T00:00:00.000Z')
    expect(() => parseTimeSpec('yesterday', now, 'since')).toThrow(/--since "yesterday" is not a time: give an ISO 8601 time/)
  })

  it('cuts windows into slices on a fixed grid, so overlapping windows share slices', () => {
    const t0 = Date.UTC(2026, 10, 20, 9, 30)
    expect(planSlices(t0, t0 + 2 * HOUR, HOUR)).toEqual([
      {start: t0, end: Date.UTC(2026, 10, 20, 10)},
      {start: Date.UTC(2026, 10, 20, 10), end: Date.UTC(2026, 10, 20, 11)},
      {start: Date.UTC(2026, 10, 20, 11), end: t0 + 2 * HOUR},
    ])
    expect(chooseSliceMs(24 * HOUR)).toBe(HOUR)
    expect(chooseSliceMs(2 * HOUR)).toBe(5 * 60_000)
    expect(chooseSliceMs(3 * HOUR)).toBe(15 * 60_000)
    expect(chooseSliceMs(90 * 24 * HOUR)).toBe(7 * 24 * HOUR)
    expect(planSlices(0, 90 * 24 * HOUR, chooseSliceMs(90 * 24 * HOUR)).length).toBeLessThanOrEqual(25)
  })
})
