import {z} from 'zod'
import {READINESS_SCHEMA} from '../../collectors/readiness/audit.js'
import {count, listCount, result, run, sha256, text, time} from './common.js'

export const readinessCheck = z
  .object({
    id: text,
    title: text,
    service: text,
    severity: z.enum(['info', 'low', 'medium', 'high', 'critical']),
    status: z.enum(['pass', 'fail', 'unknown']),
    resource: text,
    region: text,
    reason: text,
    fix: text,
    details: z.record(z.string(), z.unknown()).nullable().describe('Structured facts behind the result (never a secret value)'),
    gapCode: z.string().nullable().describe('For an unknown answer caused by a failed AWS call: its gap code'),
  })
  .strict()

export const readinessResult = result({
  run: run.nullable().describe('The run the result was preserved in (with --case)'),
  schema: z.literal(READINESS_SCHEMA),
  accountId: text,
  caller: text,
  regions: z.array(text),
  checkedAt: time,
  retentionDays: count,
  runtimeTable: z.object({source: text, transcribed: text, ageDays: z.number()}).strict(),
  functions: z.array(z.object({name: text, arn: text, region: text}).strict()),
  missingFunctions: z.array(text),
  summary: z.object({checks: count, pass: count, fail: count, unknown: count, severeFailures: count, failedReads: count}).strict(),
  checks: z.array(readinessCheck),
  artifact: z.object({key: text, sha256}).strict().nullable(),
  ...listCount,
})
