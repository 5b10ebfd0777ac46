import {Help, type Command} from '@oclif/core'
import {EXIT_CODE_HELP, ExitCode, type ExitCodeValue} from '../core/errors.js'

const table = (rows: ReadonlyArray<readonly [number, string]>): string => {
  const width = Math.max(...rows.map(([code]) => String(code).length))
  return rows.map(([code, meaning]) => `  ${String(code).padEnd(width)}  ${meaning}`).join('\n')
}

/** The exit codes a command's help lists: success, a usage error, AWS when it reaches AWS, and its own. */
export function commandExitCodes(command: {exitCodes?: Partial<Record<ExitCodeValue, string>>; flags?: Record<string, unknown>}): Array<[number, string]> {
  const own = command.exitCodes ?? {}
  const rows: Array<[number, string]> = [
    [ExitCode.ok, 'success'],
    [ExitCode.usage, 'usage error: a flag, argument or path is wrong'],
  ]
  if (command.flags !== undefined && 'profile' in command.flags) rows.push([ExitCode.awsAccess, 'AWS credentials or permissions, or AWS unreachable'])
  for (const [code, meaning] of Object.entries(own)) {
    const n = Number(code)
    const i = rows.findIndex(([c]) => c === n)
    if (i >= 0) rows[i] = [n, meaning]
    else rows.push([n, meaning])
  }
  return rows.sort(([a], [b]) => a - b)
}

/**
 * oclif's help with the exit codes: the whole table once, in the root help, and in each command's
 * help the codes that command ends with (1, an internal error, is always possible: see the root).
 */
export default class CoronerHelp extends Help {
  override formatCommand(command: Command.Loadable): string {
    const codes = commandExitCodes(command as unknown as Parameters<typeof commandExitCodes>[0])
    return `${super.formatCommand(command)}\n\nEXIT CODES\n${table(codes)}\n  (every code: ${this.config.bin} --help)`
  }

  override async showRootHelp(): Promise<void> {
    await super.showRootHelp()
    this.log(`EXIT CODES\n${table(EXIT_CODE_HELP)}\n`)
  }
}
