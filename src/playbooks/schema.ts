import {z} from 'zod'

/** The types a playbook parameter may have; `--param k=v` values are read as these. */
export const PARAMETER_TYPES = ['string', 'int', 'bool', 'duration', 'timestamp', 'arn', 'region', 'regions', 'function', 'functions', 'choice', 'list'] as const
export type ParameterType = (typeof PARAMETER_TYPES)[number]
/** The element types of a `list` parameter. */
export const LIST_ITEM_TYPES = ['string', 'int', 'arn', 'region', 'function', 'duration', 'timestamp'] as const

export const STATUSES = ['stable', 'test', 'experimental'] as const
export const ON_FAILURE = ['continue', 'stop'] as const

/** Names that expressions reach (`params.since`, `steps.snapshot`): a letter, then letters, digits and dashes. */
const NAME = /^[a-z][a-zA-Z0-9-]*$/
const STEP_ID = /^[a-z][a-z0-9-]*$/
const expressionOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])

export const parameterSchema = z
  .object({
    type: z.enum(PARAMETER_TYPES).describe('string, int, bool, duration (7d, 12h), timestamp (ISO 8601 or an age such as 7d), arn, region, regions, function, functions (names, ARNs, tag:key=value or *), choice, list'),
    description: z.string().min(1).describe('What the parameter means, shown by `coroner playbook show`'),
    required: z.boolean().optional().describe('The run refuses to start without it (default false)'),
    default: z.unknown().optional().describe('The value when none is given; checked against the type'),
    choices: z.array(z.union([z.string(), z.number()])).min(1).optional().describe('The allowed values of a choice parameter'),
    items: z.enum(LIST_ITEM_TYPES).optional().describe('The element type of a list parameter (default string)'),
  })
  .strict()

export const targetsSchema = z
  .object({
    functions: expressionOrList.describe('Function names, ARNs, tag selectors (tag:team=payments) or * for every function in the regions; usually ${{ params.functions }}'),
    regions: expressionOrList.optional().describe('Regions to look for tag selectors and *; the first is where bare names are looked up. Default: the configured region'),
  })
  .strict()

export const stepSchema = z
  .object({
    id: z.string().regex(STEP_ID, 'a step id is kebab-case: lower-case letters, digits and dashes').describe('Unique in the playbook; later steps reach its result as steps.<id>'),
    uses: z.string().min(1).describe('The registered step this calls (`coroner playbook show` lists them): lambda, iam-role, load, …'),
    title: z.string().min(1).optional().describe('What this call does, for the step list'),
    with: z.record(z.string(), z.unknown()).optional().describe("The step's parameters, checked against that step's own schema; strings may hold ${{ … }} expressions"),
    when: z.union([z.string().min(1), z.boolean()]).optional().describe('Run only when this condition holds, e.g. ${{ params.contain }}'),
    needs: z.union([z.string().min(1), z.array(z.string().min(1))]).optional().describe('Steps that must end before this one starts (referenced steps are needed anyway)'),
    'on-failure': z.enum(ON_FAILURE).optional().describe('continue (default): record a gap and go on; stop: end the run partial'),
    outputs: z.record(z.string().regex(NAME), z.string().min(1)).optional().describe('Named values computed from the result (${{ result.… }}), reached as steps.<id>.outputs.<name>'),
    'max-resources': z.number().int().min(1).optional().describe('For a containment step: act on at most this many targets (overrides the playbook-wide guard)'),
  })
  .strict()

/** The playbook format: the one source of truth; playbooks/schema.json is generated from it. */
export const playbookSchema = z
  .object({
    id: z.string().regex(STEP_ID, 'a playbook id is kebab-case').describe('The file name without .yaml'),
    title: z.string().min(1).describe('One line: what the playbook is for'),
    description: z.string().min(1).describe('When to run it, what it does and what it does not'),
    version: z.union([z.number().int().min(1), z.string().regex(/^\d+(\.\d+){0,2}$/)]).describe('Raised whenever the steps change'),
    status: z.enum(STATUSES).describe('stable: relied on; test: being proven; experimental: may change'),
    author: z.string().min(1).optional(),
    references: z.array(z.string().url()).optional().describe('Where the procedure comes from'),
    attack: z.array(z.string().regex(/^T\d{4}(\.\d{3})?$/, 'a MITRE ATT&CK technique id such as T1525 or T1098.001')).optional().describe('MITRE ATT&CK techniques this playbook responds to'),
    parameters: z.record(z.string().regex(NAME, 'a parameter name starts with a lower-case letter, then letters, digits or dashes'), parameterSchema).optional(),
    targets: targetsSchema.optional().describe('The functions the playbook works on, resolved by the lambda-targets step (reached as targets.functions)'),
    'max-resources': z.number().int().min(1).optional().describe('Containment steps refuse to act on more targets than this'),
    concurrency: z.number().int().min(1).max(8).optional().describe('Independent steps run side by side, at most this many at once (default 2)'),
    steps: z.array(stepSchema).min(1),
  })
  .strict()

export type PlaybookDocument = z.output<typeof playbookSchema>
export type StepDocument = z.output<typeof stepSchema>
export type ParameterDocument = z.output<typeof parameterSchema>

/** The JSON Schema editors validate playbooks with (playbooks/schema.json), generated from playbookSchema. */
export function playbookJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(playbookSchema, {target: 'draft-7', io: 'input', unrepresentable: 'any'}) as Record<string, unknown>
  return {
    $schema: schema.$schema,
    title: 'coroner playbook',
    description: 'One incident-response playbook (playbooks/<id>.yaml). Generated from src/playbooks/schema.ts by `npm run playbook-schema`; do not edit.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  }
}

/** playbooks/schema.json as it is committed: the JSON Schema, pretty-printed, with a final newline. */
export const playbookJsonSchemaText = (): string => `${JSON.stringify(playbookJsonSchema(), null, 2)}\n`
