import {describe, expect, it} from 'vitest'
import {checkParameter, resolveParameters} from '../../../src/playbooks/parameters.js'
import type {ParameterDocument} from '../../../src/playbooks/schema.js'

const now = new Date('2026-11-20T10:00:00Z')
const p = (type: ParameterDocument['type'], extra: Partial<ParameterDocument> = {}): ParameterDocument => ({type, description: 'x', ...extra})
const value = (decl: ParameterDocument, raw: unknown): unknown => {
  const c = checkParameter(decl, raw, now)
  if (!c.ok) throw new Error(c.message)
  return c.value
}
const refused = (decl: ParameterDocument, raw: unknown): string => {
  const c = checkParameter(decl, raw, now)
  if (c.ok) throw new Error(`accepted ${JSON.stringify(raw)} as ${JSON.stringify(c.value)}`)
  return c.message
}

describe('typed playbook parameters', () => {
  it('reads each type from the command line and from YAML', () => {
    expect(value(p('string'), ' payments ')).toBe('payments')
    expect(value(p('int'), '42')).toBe(42)
    expect(value(p('int'), 7)).toBe(7)
    expect(value(p('bool'), 'yes')).toBe(true)
    expect(value(p('bool'), false)).toBe(false)
    expect(value(p('duration'), '36h')).toBe('36h')
    expect(value(p('arn'), 'arn:aws:iam::123456789012:role/payments-exec')).toBe('arn:aws:iam::123456789012:role/payments-exec')
    expect(value(p('region'), 'eu-west-1')).toBe('eu-west-1')
    expect(value(p('regions'), 'eu-west-1, us-east-1')).toEqual(['eu-west-1', 'us-east-1'])
    expect(value(p('function'), 'arn:aws:lambda:eu-west-1:123456789012:function:payments-api:live')).toMatch(/:live$/)
    expect(value(p('functions'), ['payments-api', 'tag:team=payments,*'])).toEqual(['payments-api', 'tag:team=payments', '*'])
    expect(value(p('choice', {choices: ['lookup', 'archive']}), 'archive')).toBe('archive')
    expect(value(p('choice', {choices: [1, 2]}), '2')).toBe(2)
    expect(value(p('list', {items: 'int'}), '1,2,3')).toEqual([1, 2, 3])
  })

  it('turns a timestamp, or an age, into one ISO 8601 time with the project time parser', () => {
    expect(value(p('timestamp'), '7d')).toBe('2026-11-13T10:00:00.000Z')
    expect(value(p('timestamp'), '2026-11-01')).toBe('2026-11-01T00:00:00.000Z')
    expect(value(p('timestamp'), '2026-11-19T08:30:00Z')).toBe('2026-11-19T08:30:00.000Z')
    expect(value(p('timestamp'), 'now')).toBe('2026-11-20T10:00:00.000Z')
  })

  it('refuses values that are not of the type, saying what was expected', () => {
    expect(refused(p('int'), '4.5')).toMatch(/whole number/)
    expect(refused(p('bool'), 'maybe')).toMatch(/true or false/)
    expect(refused(p('duration'), '7 days')).toMatch(/30m, 12h, 7d/)
    expect(refused(p('timestamp'), 'yesterday')).toMatch(/ISO 8601/)
    expect(refused(p('arn'), 'payments-exec')).toMatch(/not an ARN/)
    expect(refused(p('region'), 'Europe')).toMatch(/AWS region/)
    expect(refused(p('function'), 'tag:team=payments')).toMatch(/function name or ARN/)
    expect(refused(p('functions'), 'bad name!')).toMatch(/tag:KEY=VALUE/)
    expect(refused(p('choice', {choices: ['lookup', 'archive']}), 'both')).toMatch(/one of "lookup", "archive"/)
    expect(refused(p('string'), ['a', 'b'])).toMatch(/takes one value/)
    expect(refused(p('regions'), ' , ')).toMatch(/empty/)
  })

  it('resolves given values over defaults, names missing required and unknown ones', () => {
    const declared = {
      functions: p('functions', {required: true}),
      since: p('timestamp', {default: '7d'}),
      window: p('duration'),
    }
    const r = resolveParameters(declared, new Map([['sinc', ['1d']]]), now)
    expect(r.values).toEqual({functions: null, since: '2026-11-13T10:00:00.000Z', window: null})
    expect(r.sources).toEqual({functions: 'missing', since: 'default', window: 'missing'})
    expect(r.problems.map((x) => x.code).sort()).toEqual(['missing-parameter', 'unknown-parameter'])
    const ok = resolveParameters(declared, new Map([['functions', ['a', 'b']], ['since', ['2026-11-01']]]), now)
    expect(ok.problems).toEqual([])
    expect(ok.values.functions).toEqual(['a', 'b'])
    expect(ok.sources.since).toBe('given')
  })
})
