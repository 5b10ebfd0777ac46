import {z} from 'zod'
import {CONTAIN_SCHEMA} from '../../actions/record.js'
import {result, run, sha256, text, time} from './common.js'

const json = z.unknown()
const jsonObject = z.record(z.string(), json)
const difference = z.object({path: text, from: json, to: json}).strict()
const plannedCall = z.object({operation: text, parameters: jsonObject}).strict()
const ref = z.object({key: text, sha256}).strict()

/** A `contain.action` record (docs/containment.md), as stored in the evidence and named by its key and SHA-256. */
export const containOutcome = z
  .object({
    key: text,
    sha256,
    record: z
      .object({
        schema: z.literal(CONTAIN_SCHEMA),
        action: text,
        target: z.object({type: text, name: text, arn: z.string().nullable(), region: text}).strict(),
        facts: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
        applied: z.boolean(),
        status: z.enum(['planned', 'applied', 'failed', 'drift', 'skipped']),
        at: time,
        before: jsonObject.nullable(),
        intended: jsonObject.nullable(),
        calls: z.array(plannedCall.extend({outcome: z.enum(['planned', 'ok', 'failed', 'not-made']), error: z.string().optional()}).strict()),
        after: jsonObject.nullable(),
        verified: z.boolean(),
        changes: z.array(difference),
        mismatches: z.array(difference),
        drift: z.array(difference),
        notes: z.array(text),
        inverse: z.union([z.object({calls: z.array(plannedCall)}).strict(), z.object({refused: text}).strict()]),
        undoes: z.string().nullable(),
        undoesRecord: ref.nullable(),
        evidence: z.object({before: ref.nullable(), after: ref.nullable()}).strict(),
      })
      .strict(),
  })
  .strict()

export const containResult = result({
  run,
  dryRun: z.boolean(),
  actions: z.array(z.object({action: text, title: text, apply: z.boolean(), notes: z.array(text), outcomes: z.array(containOutcome)}).strict()),
})

export const undoResult = result({
  run,
  dryRun: z.boolean(),
  undoes: text.describe('The containment run undone'),
  force: z.boolean(),
  outcomes: z.array(containOutcome),
})
