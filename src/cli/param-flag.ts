import {Flags} from '@oclif/core'
import {usageError} from '../core/errors.js'

/** `--param name=value` (repeatable; a list parameter takes several, or one value with commas). */
export const paramFlag = (description = 'A playbook parameter as name=value (repeatable; lists as a,b or by repeating)') => Flags.string({char: 'p', description, multiple: true})

/** The `--param` values by name, in the order given. */
export function parseParamFlags(values: readonly string[] | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const v of values ?? []) {
    const eq = v.indexOf('=')
    const name = eq > 0 ? v.slice(0, eq).trim() : ''
    if (!/^[a-z][a-zA-Z0-9-]*$/.test(name)) throw usageError('invalid-flag', `--param ${JSON.stringify(v)} is not name=value.`, 'e.g. --param since=7d --param functions=payments-api')
    out.set(name, [...(out.get(name) ?? []), v.slice(eq + 1)])
  }
  return out
}
