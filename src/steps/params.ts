import {z} from 'zod'
import {CoronerError} from '../core/errors.js'
import type {AnyStep, ParamsOf} from './step.js'

/** One problem with a step's parameters: where (a dotted path) and what. */
export interface ParamIssue {
  path: string
  message: string
}

/** zod's issues as `path: message` pairs, the path dotted (`functions.0`), empty for the whole object. */
export function paramIssues(error: z.ZodError): ParamIssue[] {
  return error.issues.map((i) => ({path: i.path.map(String).join('.'), message: i.message}))
}

/**
 * A step's parameters checked against its schema, defaults filled in. A problem is an error naming
 * the step, each field and what was expected: a usage error (exit 2) from the command line, an
 * invalid playbook (exit 4) from a playbook's `with:`.
 */
export function parseParams<S extends AnyStep>(step: S, input: unknown, from: 'flags' | 'playbook' = 'flags'): ParamsOf<S> {
  const parsed = step.params.safeParse(input)
  if (parsed.success) return parsed.data as ParamsOf<S>
  const issues = paramIssues(parsed.error)
  const list = issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; ')
  throw new CoronerError(from === 'flags' ? 'invalid-parameters' : 'invalid-step-parameters', `Step ${step.id}: ${list}.`, {
    hint: from === 'flags' ? `See \`coroner ${step.command ?? step.id} --help\`.` : `See the parameters of step ${step.id} in \`coroner playbook show\` or playbooks/schema.json.`,
  })
}

/** The JSON Schema of a step's parameters, as a playbook's `with:` is checked against it. */
export function paramsJsonSchema(step: AnyStep): Record<string, unknown> {
  return z.toJSONSchema(step.params, {io: 'input', unrepresentable: 'any'}) as Record<string, unknown>
}
