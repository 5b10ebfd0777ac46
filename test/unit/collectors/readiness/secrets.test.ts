import {describe, expect, it} from 'vitest'
import {isSecretReference, secretVariables} from '../../../../src/collectors/readiness/secrets.js'
import {SECRET_ENV} from '../../../support/readiness-seed.js'


describe('secrets in environment variables', () => {
  it('flags an AWS key pair, a JWT and a password-like value, with name, length and why, and no value', () => {
    const found = secretVariables({...SECRET_ENV, LOG_LEVEL: 'debug', STAGE: 'prod'})
    expect(found.map((f) => f.name)).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'DB_PASS', 'SESSION_JWT'])
    const byName = Object.fromEntries(found.map((f) => [f.name, f]))
    expect(byName.AWS_ACCESS_KEY_ID!.why).toMatch(/access key id/)
    expect(byName.AWS_SECRET_ACCESS_KEY!.why).toMatch(/secret access key/)
    expect(byName.SESSION_JWT!.why).toMatch(/JSON Web Token/)
    expect(byName.DB_PASS!.why).toMatch(/password/)
    expect(byName.DB_PASS!.length).toBe(SECRET_ENV.DB_PASS.length)
    const text = JSON.stringify(found)
    for (const v of Object.values(SECRET_ENV)) {
      expect(text).not.toContain(v)
      expect(text).not.toContain(v.slice(0, 8))
    }
  })

  it('a password-like value is flagged whatever the variable is called; a secret-sounding name with a plain value is flagged too', () => {
    expect(secretVariables({X: 'hunter2!pass'}).map((f) => f.name)).toEqual(['X'])
    expect(secretVariables({STRIPE_API_KEY: 'abc'}).map((f) => f.name)).toEqual(['STRIPE_API_KEY'])
    expect(secretVariables({DATABASE_URL: 'postgres://app:s3cret@db.internal:5432/app'})[0]!.why).toMatch(/URL with a password/)
  })

  it('an SSM parameter name or ARN, or a Secrets Manager ARN, is a reference and not flagged, whatever the name', () => {
    const refs = {
      DB_PASSWORD_PARAM: '/prod/payments/db-password',
      DB_PASSWORD: '/prod/payments/db-password',
      API_TOKEN: 'arn:aws:ssm:us-east-1:123456789012:parameter/prod/payments/api-token',
      DB_SECRET: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf',
    }
    for (const v of Object.values(refs)) expect(isSecretReference(v)).toBe(true)
    expect(secretVariables(refs)).toEqual([])
  })

  it('ordinary settings are not flagged', () => {
    expect(
      secretVariables({
        REGION: 'us-east-1',
        AZ: 'us-east-1a',
        TABLE: 'payments_2024',
        VERSION: 'v1.2.3-beta',
        ENDPOINT: 'https://api.example.com/v1',
        ID: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
        ENABLED: 'true',
        TOKEN_TTL: '3600',
        AUTH_MODE: 'cognito',
        CRON: '0 12 * * ? *',
      }),
    ).toEqual([])
  })
})
