import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {runCommand} from '@oclif/test'
import {assertJsonOutput} from './json-schema.js'

/** The repository root, where package.json points oclif at the compiled commands in dist/. */
export const repoRoot = path.resolve(fileURLToPath(import.meta.url), '../../..')

const wantsJson = (args: readonly string[]): boolean => args.includes('--json') || args.some((a, i) => (a === '--output' && args[i + 1] === 'json') || a === '--output=json')

/**
 * Runs one coroner command in-process through @oclif/test, capturing stdout, stderr and the error.
 * runCommand joins its arguments and splits them again on white space outside double quotes, so an
 * argument holding white space is quoted here (one holding a double quote as well cannot be passed,
 * unless it is already quoted whole: `--sql="SELECT 1"`).
 * Every `--json` output is checked against the command's schema in docs/json/commands/.
 */
export async function coroner(args: string[]): ReturnType<typeof runCommand> {
  const out = await runCommand(
    args.map((a) => {
      if (!/\s/.test(a) || /^(--[\w-]+=)?"[^"]*"$/.test(a)) return a
      if (a.includes('"')) throw new Error(`runCommand cannot pass an argument with both white space and a double quote: ${a}`)
      return `"${a}"`
    }),
    {root: repoRoot},
  )
  if (wantsJson(args) && out.stdout.trim() !== '') assertJsonOutput(args, out.stdout)
  return out
}

/** The `--json` envelope every command prints. */
export interface Envelope<T> {
  status: string
  result: T
  warnings: string[]
  error?: {code: string; message: string; hint?: string}
}
