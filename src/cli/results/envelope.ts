import {z} from 'zod'
import {COMMAND_STATUSES} from '../output.js'

/** The error envelope every command prints with --json when it fails (an unknown command or flag included). */
export const errorEnvelope = z
  .object({
    status: z.literal('error'),
    error: z.object({code: z.string().describe('A code of docs/errors.md'), message: z.string(), hint: z.string().optional()}).strict(),
    warnings: z.array(z.string()),
  })
  .strict()

/**
 * The `--json` output of a command: `{status, result, warnings}` when it ran (status says how it
 * ended: ok, findings, invalid or partial, as the exit code does) or the error envelope.
 */
export function envelopeSchema(result: z.ZodType): z.ZodType {
  const ran = z.object({status: z.enum(COMMAND_STATUSES.filter((s) => s !== 'error') as [string, ...string[]]), result, warnings: z.array(z.string())}).strict()
  return z.union([ran, errorEnvelope])
}

/** The JSON Schema of a command's --json output, as docs/json/<command>.schema.json holds it. */
export function commandJsonSchema(command: string, result: z.ZodType): Record<string, unknown> {
  return {title: `coroner ${command} --json`, ...(z.toJSONSchema(envelopeSchema(result), {target: 'draft-2020-12', unrepresentable: 'any'}) as Record<string, unknown>)}
}

/** The file under docs/json/ of a command's schema: its words joined by dashes, e.g. `commands/case-show.schema.json`. */
export const schemaFileOf = (command: string): string => `commands/${command.replace(/[: ]/g, '-')}.schema.json`
