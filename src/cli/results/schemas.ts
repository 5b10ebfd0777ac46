import type {Config} from '@oclif/core'
import type {z} from 'zod'
import {commandJsonSchema, schemaFileOf} from './envelope.js'

/** A coroner command with the schema of its --json result. */
export interface CommandSchema {
  command: string
  file: string
  schema: Record<string, unknown>
}

/** Every coroner command (the plugins' aside) with its --json output schema; a command without one is an error. */
export async function commandSchemas(config: Config): Promise<CommandSchema[]> {
  const out: CommandSchema[] = []
  const own = config.commands.filter((c) => c.pluginName === config.pjson.name)
  // An alias (hunt compile for sigma compile) is the same command: one schema, under its own name.
  const aliases = new Set(own.flatMap((c) => c.aliases))
  for (const c of own.filter((c) => !aliases.has(c.id)).sort((a, b) => a.id.localeCompare(b.id))) {
    const loaded = (await c.load()) as unknown as {resultSchema?: z.ZodType}
    const command = c.id.replace(/:/g, ' ')
    if (loaded.resultSchema === undefined) throw new Error(`coroner ${command} declares no resultSchema (src/cli/results/)`)
    out.push({command, file: schemaFileOf(command), schema: commandJsonSchema(command, loaded.resultSchema)})
  }
  return out
}
