import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {closest} from '../../../src/core/suggest.js'
import {coroner, type Envelope} from '../../support/cli.js'
import {tempDir} from '../../support/temp.js'

type ErrorEnvelope = Envelope<never> & {error: {code: string; message: string; hint?: string}}

describe('did you mean', () => {
  it('one distance: typos, swapped separators and short prefixes match, unrelated words do not', () => {
    expect(closest('colect', ['collect', 'case', 'contain'])).toBe('collect')
    expect(closest('lambda_url_public', ['lambda-url-public', 'lambda-url-auth-none'])).toBe('lambda-url-public')
    expect(closest('throtle', ['throttle', 'close-url'])).toBe('throttle')
    expect(closest('zebra', ['collect', 'case', 'contain'])).toBeUndefined()
    expect(closest('x'.repeat(5000), ['collect'])).toBeUndefined()
  })

  it('a mistyped command names the nearest one, on stderr and in the --json error envelope (exit 2)', async () => {
    const human = await coroner(['colect', 'lambda'])
    expect(human.error?.oclif?.exit).toBe(2)
    expect(human.stderr).toContain('"colect lambda" is not a coroner command; did you mean `coroner collect lambda`?')
    const json = await coroner(['timelin', '--json'])
    expect(json.error?.oclif?.exit).toBe(2)
    const env = JSON.parse(json.stdout) as ErrorEnvelope
    expect(env).toMatchObject({status: 'error', error: {code: 'unknown-command', message: expect.stringContaining('did you mean `coroner timeline`?')}, warnings: []})
  })

  it('a mistyped query name, playbook id, step id, containment action and flag value name the nearest', async () => {
    const dir = await tempDir()
    const query = await coroner(['query', 'lambda-url-auth-nome', '--db', path.join(dir, 'none.duckdb'), '--json'])
    expect(query.error?.oclif?.exit).toBe(2)
    expect((JSON.parse(query.stdout) as ErrorEnvelope).error).toMatchObject({code: 'unknown-query', message: expect.stringMatching(/did you mean "lambda-url-auth-none"/)})

    const playbook = await coroner(['playbook', 'plan', 'lambda-triag', '--json'])
    expect(playbook.error?.oclif?.exit).toBe(2)
    expect((JSON.parse(playbook.stdout) as ErrorEnvelope).error).toMatchObject({code: 'unknown-playbook', message: expect.stringContaining('No playbook is called "lambda-triag"; did you mean "lambda-triage"?')})

    const step = await coroner(['playbook', 'steps', 'cloudtrail-lokup'])
    expect(step.error?.oclif?.exit).toBe(2)
    expect(step.stderr).toContain('did you mean "cloudtrail-lookup"?')

    const action = await coroner(['permissions', '--action', 'throtle'])
    expect(action.error?.oclif?.exit).toBe(2)
    expect(action.stderr).toContain('did you mean throttle?')

    const flag = await coroner(['timeline', '--db', path.join(dir, 'none.duckdb'), '--sinse', '1h'])
    expect(flag.error?.oclif?.exit).toBe(2)
    expect(flag.stderr).toContain('did you mean --since?')
  })

  it('every time flag and timestamp parameter answers a wrong time with the one message (exit 2)', async () => {
    const dir = await tempDir()
    const db = path.join(dir, 'none.duckdb')
    const message = 'is not a time: give an ISO 8601 time (2026-11-20T08:00:00Z, 2026-11-20T09:00+01:00, 2026-11-20), a duration before now (90m, 24h, 7d, 2w) or now.'
    for (const args of [
      ['timeline', '--db', db, '--since', 'yesterday'],
      ['collect', 'logs', '-f', 'payments-api', '--since', 'yesterday', '--case', 'INC-T', '--store', path.join(dir, 'store')],
      ['collect', 'cloudtrail', '--since', 'yesterday', '--case', 'INC-T', '--store', path.join(dir, 'store')],
    ]) {
      const out = await coroner(args)
      expect(out.error?.oclif?.exit, args.join(' ')).toBe(2)
      expect(out.stderr, args.join(' ')).toContain(`--since "yesterday" ${message}`)
    }
    const plan = await coroner(['playbook', 'plan', 'lambda-triage', '--param', 'functions=f', '--param', 'since=yesterday', '--json'])
    expect((JSON.parse(plan.stdout) as Envelope<unknown>).warnings.join('\n')).toContain('"yesterday" is not a time: give an ISO 8601 time')
  })
})
