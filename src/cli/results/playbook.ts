import {z} from 'zod'
import {count, listCount, result, run, sha256, text} from './common.js'

/** The --json results of `playbook list|show|steps|validate|plan` and `run`. */

const stepKind = z.enum(['collect', 'contain', 'evidence', 'analyse', 'report'])

export const playbookListResult = result({
  playbooks: z.array(
    z
      .object({
        id: text,
        file: text,
        valid: z.boolean(),
        title: text,
        status: text,
        version: text,
        required: z.array(text).describe('Parameters a run must be given'),
        contains: z.boolean().describe('Whether it has containment steps (which change the account only with --apply)'),
      })
      .strict(),
  ),
  ...listCount,
})

const parameterInfo = z.object({name: text, type: text, required: z.boolean(), default: z.unknown().describe('null when it has none'), description: text}).strict()

export const playbookShowResult = result({
  id: text,
  file: text,
  title: text,
  description: text,
  status: text,
  version: text,
  author: z.string().nullable(),
  references: z.array(text),
  attack: z.array(text),
  parameters: z.array(parameterInfo),
  targets: z.object({functions: z.unknown(), regions: z.unknown()}).strict().nullable(),
  maxResources: count.nullable(),
  steps: z.array(z.object({id: text, uses: text, kind: text, title: text, after: z.array(text), when: z.union([z.string(), z.boolean()]).nullable(), onFailure: text}).strict()),
  collects: z.array(text).describe('Artifact kinds its steps write (docs/evidence-format.md)'),
  permissions: z.array(text),
  containment: z.array(text),
})

export const playbookStepsResult = result({
  steps: z.array(
    z
      .object({
        id: text,
        kind: stepKind,
        title: text,
        command: z.string().nullable().describe('The command that runs it alone'),
        produces: z.array(text),
        parameters: z.array(parameterInfo),
      })
      .strict(),
  ),
  ...listCount,
})

export const playbookValidateResult = result({
  files: z.array(
    z
      .object({
        file: text,
        valid: z.boolean(),
        issues: z.array(z.object({file: text, line: count, col: count, severity: z.enum(['error', 'warning']), code: text, message: text}).strict()),
      })
      .strict(),
  ),
  errors: count,
  warnings: count,
})

export const playbookPlanResult = result({
  playbook: z.object({id: text, title: text, description: text, version: text, status: text, file: text, sha256, attack: z.array(text), references: z.array(text)}).strict(),
  parameters: z.array(z.object({name: text, type: text, description: text, required: z.boolean(), value: z.unknown(), source: text}).strict()),
  targets: z
    .object({
      selectors: z.array(z.object({selector: text, kind: text, resolvedAt: z.enum(['plan', 'run time'])}).strict()),
      functions: z.array(text).nullable(),
      regions: z.array(text),
    })
    .strict()
    .nullable(),
  apply: z.boolean(),
  steps: z.array(
    z
      .object({
        id: text,
        uses: text,
        kind: stepKind,
        title: text,
        after: z.array(text),
        when: z.union([z.string(), z.boolean()]).nullable(),
        runs: z.union([z.boolean(), z.literal('run time')]),
        onFailure: z.enum(['continue', 'stop']),
        params: z.record(z.string(), z.unknown()),
        deferred: z.array(text),
        usesAws: z.boolean(),
        permissions: z.array(text),
        produces: z.array(text),
        maxResources: count.nullable().describe('A containment step: the most resources it may touch'),
        targets: count.nullable().describe('A containment step: the resources it would touch, as far as known'),
      })
      .strict(),
  ),
  permissions: z.array(text).describe('Every IAM action the run may call, sorted'),
  problems: z.array(text).describe('What would stop the run (each is also a warning)'),
})

export const playbookRunResult = result({
  run,
  playbook: z.object({id: text, version: text, sha256}).strict(),
  apply: z.boolean(),
  parameters: z.record(z.string(), z.unknown()),
  steps: z.array(
    z
      .object({
        id: text,
        uses: text,
        kind: text,
        outcome: text,
        durationMs: z.number().nullable(),
        reason: z.string().nullable(),
        cause: z.string().nullable(),
        error: z.object({code: text, message: text}).strict().nullable(),
        gapCount: count,
        findings: count,
        carriedFrom: z.string().nullable(),
        result: z.unknown().describe("The step's own result (its command's result shape)"),
        outputs: z.record(z.string(), z.unknown()).nullable().describe('What the step\'s outputs: gave the steps after it'),
      })
      .strict(),
  ),
  findings: count,
  resumedFrom: z.string().nullable(),
  carriedGaps: z.array(text).describe('Steps carried over from the resumed run that had ended with gaps there'),
})
