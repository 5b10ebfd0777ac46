import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {runCommand} from '@oclif/test'

/** The repository root, where package.json points oclif at the compiled commands in dist/. */
export const repoRoot = path.resolve(fileURLToPath(import.meta.url), '../../..')

/**
 * Runs one coroner command in-process through @oclif/test, capturing stdout, stderr and the error.
 * runCommand joins its arguments and splits them again on white space outside double quotes, so an
 * argument holding white space is quoted here (one holding a double quote as well cannot be passed).
 */
export const coroner = (args: string[]) =>
  runCommand(
    args.map((a) => {
      if (!/\s/.test(a)) return a
      if (a.includes('"')) throw new Error(`runCommand cannot pass an argument with both white space and a double quote: ${a}`)
      return `"${a}"`
    }),
    {root: repoRoot},
  )

/** The `--json` envelope every command prints. */
export interface Envelope<T> {
  status: string
  result: T
  warnings: string[]
  error?: {code: string; message: string; hint?: string}
}
