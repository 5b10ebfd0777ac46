import {describe, expect, it} from 'vitest'
import {toCsv} from '../../../src/analysis/output.js'
import type {ReadinessReport} from '../../../src/collectors/readiness/audit.js'
import {checkResult} from '../../../src/collectors/readiness/result.js'
import {READINESS_CSV_COLUMNS, readinessChecksJson, renderReadiness} from '../../../src/cli/render-readiness.js'

const hostile = 'arn:aws:lambda:us-east-1:123456789012:function:x\u001b[2J\u202Etxt.exe'
const report: ReadinessReport = {
  schema: 'coroner.readiness/v1',
  accountId: '123456789012',
  caller: 'arn:aws:sts::123456789012:assumed-role/ir/responder',
  regions: ['us-east-1'],
  checkedAt: '2026-11-20T10:00:00.000Z',
  retentionDays: 365,
  runtimeTable: {source: 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html', transcribed: '2026-12-01', ageDays: 0},
  functions: [],
  missingFunctions: [],
  summary: {checks: 2, pass: 1, fail: 1, unknown: 0, severeFailures: 1, failedReads: 0},
  checks: [
    checkResult('awslambda_function_url_public', 'fail', {resource: hostile, region: 'us-east-1', reason: `URL of ${hostile} has auth NONE`, fix: '=HYPERLINK("http://evil")'}),
    checkResult('guardduty_is_enabled', 'pass', {resource: 'GuardDuty us-east-1', region: 'us-east-1', reason: 'enabled', fix: 'ignored for a pass'}),
  ],
  warnings: [],
}

describe('readiness rendering', () => {
  it('the table and the to-do list escape what AWS returned; a pass carries no fix', () => {
    const text = renderReadiness({...report, checks: readinessChecksJson(report)}).join('\n')
    expect(text).not.toContain('\u001b')
    expect(text).not.toContain('\u202E')
    expect(text).toContain('\\u001b[2J\\u202etxt.exe')
    expect(text).toContain('FAIL high awslambda_function_url_public')
    expect(text).not.toContain('ignored for a pass')
    expect(text).toContain('2 result(s): 1 pass, 1 fail (1 of high or critical severity), 0 unknown.')
  })

  it('CSV neutralises formulas', () => {
    const csv = toCsv(READINESS_CSV_COLUMNS, readinessChecksJson(report) as never)
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"")"`)
  })
})
