import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {runCommand} from '@oclif/test'

/** The repository root, where package.json points oclif at the compiled commands in dist/. */
export const repoRoot = path.resolve(fileURLToPath(import.meta.url), '../../..')

/**
 * Runs one coroner command in-process through @oclif/test, capturing stdout, stderr and the error.
 * Takes the arguments as an array, because runCommand splits a string on every space.
 */
export const coroner = (args: string[]) => runCommand(args, {root: repoRoot})

/** The `--json` envelope every command prints. */
export interface Envelope<T> {
  status: string
  result: T
  warnings: string[]
  error?: {code: string; message: string; hint?: string}
}
