import {describe, expect, it} from 'vitest'
import {newestOfFamily, RUNTIME_TABLE, runtimeStatus, runtimeTableAge} from '../../../../src/collectors/readiness/runtimes.js'

describe('the dated Lambda runtime table', () => {
  it('names its source and the day it was transcribed', () => {
    expect(RUNTIME_TABLE.source).toBe('https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html')
    expect(RUNTIME_TABLE.transcribed).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    for (const [, [name, date]] of Object.entries(RUNTIME_TABLE.runtimes)) {
      expect(name.length).toBeGreaterThan(0)
      expect(Number.isNaN(Date.parse(date))).toBe(false)
    }
  })

  it('says how many days a runtime has left, negative once deprecated, and nothing for one it does not know', () => {
    const now = new Date('2026-11-20T10:00:00Z')
    expect(runtimeStatus('python3.8', now).daysLeft).toBeLessThan(0)
    expect(runtimeStatus('nodejs22.x', now)).toMatchObject({deprecates: '2027-04-30', daysLeft: 160})
    expect(runtimeStatus('python3.13', now).daysLeft).toBeGreaterThan(900)
    expect(runtimeStatus('cobol85', now).daysLeft).toBeUndefined()
    expect(runtimeTableAge(new Date(`${RUNTIME_TABLE.transcribed}T00:00:00Z`))).toBe(0)
  })

  it('suggests the newest runtime of the same language', () => {
    expect(newestOfFamily('python3.8')).toBe('python3.14')
    expect(newestOfFamily('nodejs16.x')).toBe('nodejs24.x')
    expect(newestOfFamily('provided')).toBe('provided.al2023')
  })
})
