import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {Ajv2020, type ValidateFunction} from 'ajv/dist/2020.js'

const root = path.resolve(fileURLToPath(import.meta.url), '../../..')
const dir = path.join(root, 'docs', 'json', 'commands')
const ajv = new Ajv2020({strict: false, allErrors: true})
const compiled = new Map<string, ValidateFunction>()

/** The command an argument list runs (`case show`, `query`), as its schema file names it; undefined for none. */
export function commandOf(args: readonly string[]): string | undefined {
  const words = args.filter((a) => /^[a-z][a-z-]*$/.test(a))
  for (let n = Math.min(3, words.length); n >= 1; n--) {
    const name = words.slice(0, n).join('-')
    if (args.slice(0, n).join('-') === name && existsSync(path.join(dir, `${name}.schema.json`))) return name
  }
  return undefined
}

function validatorFor(name: string): ValidateFunction {
  let v = compiled.get(name)
  if (!v) compiled.set(name, (v = ajv.compile(JSON.parse(readFileSync(path.join(dir, `${name}.schema.json`), 'utf8')) as object)))
  return v
}

const errorEnvelope = (value: unknown): boolean => {
  const v = value as {status?: unknown; error?: {code?: unknown; message?: unknown}; warnings?: unknown}
  return v?.status === 'error' && typeof v.error?.code === 'string' && typeof v.error.message === 'string' && Array.isArray(v.warnings)
}

/**
 * Checks a command's `--json` stdout against its schema in docs/json/commands/ (an unknown command
 * against the error envelope), throwing with the first problems when it does not fit.
 */
export function assertJsonOutput(args: readonly string[], stdout: string): void {
  let value: unknown
  try {
    value = JSON.parse(stdout)
  } catch (error) {
    throw new Error(`coroner ${args.join(' ')} --json printed no JSON (${(error as Error).message}): ${stdout.slice(0, 200)}`)
  }
  const name = commandOf(args)
  if (name === undefined) {
    if (!errorEnvelope(value)) throw new Error(`coroner ${args.join(' ')}: not a command, and the output is not the error envelope: ${stdout.slice(0, 200)}`)
    return
  }
  const validate = validatorFor(name)
  if (!validate(value)) throw new Error(`coroner ${args.join(' ')} --json does not fit docs/json/commands/${name}.schema.json: ${JSON.stringify(validate.errors?.slice(0, 5))}`)
}
