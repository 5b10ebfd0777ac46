import {Errors} from '@oclif/core'
import {didYouMean} from '../core/suggest.js'

interface FlagSpec {
  char?: string
  aliases?: string[]
  options?: readonly string[]
}

/**
 * oclif's message for a flag or argument it could not parse, with the nearest known name
 * suggested: an unknown flag gets the closest flag of the command, a value outside a flag's
 * choices the closest choice (the one distance of core/suggest.ts).
 */
export function explainParseError(error: Errors.CLIError, command: {flags?: Record<string, unknown>}): string {
  // oclif's own "see --help" line: the hint says it once.
  const message = error.message.replace(/\n\s*See more help with --help\s*$/, '')
  const flags = (command.flags ?? {}) as Record<string, FlagSpec>
  const names = Object.entries(flags).flatMap(([name, f]) => [`--${name}`, ...(f.aliases ?? []).map((a) => `--${a}`)])
  const unknown = (error as Errors.CLIError & {flags?: string[]}).flags
  if (Array.isArray(unknown) && message.startsWith('Nonexistent flag')) {
    const hints = unknown.map((f) => didYouMean(f.split('=')[0]!, names, (s) => s)).filter((h) => h !== '')
    return hints.length === 0 ? message : `${message}${hints[0]}`
  }
  const option = /^Expected --([\w-]+)=(.*) to be one of: (.*)$/s.exec(message)
  if (option) return `${message}${didYouMean(option[2]!, option[3]!.split(', '), (s) => s)}`
  const arg = /^Expected (.*) to be one of: (.*)$/s.exec(message)
  if (arg) return `${message}${didYouMean(arg[1]!, arg[2]!.split(', '), (s) => s)}`
  return message
}
