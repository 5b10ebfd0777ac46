import {describe, expect, it} from 'vitest'
import {fixedClock} from '../../../src/core/clock.js'
import {CoronerError} from '../../../src/core/errors.js'
import {assertCaseId, assertSafeKey, isRunId, keySegment, newRunId, parseKey} from '../../../src/evidence/keys.js'

describe('keySegment', () => {
  it('keeps plain names as they are', () => {
    expect(keySegment('my-function_1')).toBe('my-function_1')
    expect(keySegment('configuration.json')).toBe('configuration.json')
  })

  it('never lets a value become a path', () => {
    for (const hostile of ['..', '.', '../../etc/passwd', 'a/b', 'a\\b', '', 'x\u0000y', '\n']) {
      const seg = keySegment(hostile)
      expect(seg).not.toMatch(/[/\\\u0000-\u001f]/)
      expect(seg).not.toBe('.')
      expect(seg).not.toBe('..')
      expect(seg.length).toBeGreaterThan(0)
    }
    expect(keySegment('../x')).toBe('..%2Fx')
    expect(keySegment('arn:aws:lambda:us-east-1:1:function:f')).toBe('arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af')
  })

  it('keeps long distinct values distinct and bounded', () => {
    const a = keySegment('x'.repeat(500) + 'a')
    const b = keySegment('x'.repeat(500) + 'b')
    expect(a).not.toBe(b)
    expect(a.length).toBeLessThanOrEqual(180)
  })
})

describe('case and run ids', () => {
  it('accepts incident ids and refuses path tricks with a usage error', () => {
    expect(assertCaseId('INC-2026-0042')).toBe('INC-2026-0042')
    for (const bad of ['../x', 'a/b', '', '.hidden', 'a..b', 'x'.repeat(101)]) {
      const err = (() => {
        try {
          assertCaseId(bad)
        } catch (error) {
          return error
        }
      })()
      expect(err).toBeInstanceOf(CoronerError)
      expect((err as CoronerError).exitCode).toBe(2)
    }
  })

  it('makes sortable run ids from the clock', () => {
    const id = newRunId(fixedClock('2026-11-24T12:34:56.789Z'))
    expect(id).toMatch(/^20261124T123456789Z-[0-9a-f]{6}$/)
    expect(isRunId(id)).toBe(true)
  })

  it('parses and checks keys', () => {
    expect(parseKey('cases/C/runs/R/a/b.json')).toEqual({caseId: 'C', runId: 'R', rest: 'a/b.json'})
    expect(parseKey('other/x')).toBeUndefined()
    expect(() => assertSafeKey('cases/../x')).toThrow(/Refusing/)
    expect(() => assertSafeKey('/abs')).toThrow(/Refusing/)
    expect(assertSafeKey('cases/C/x')).toBe('cases/C/x')
  })
})
