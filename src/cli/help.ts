import {Help, type Command} from '@oclif/core'
import {EXIT_CODE_HELP} from '../core/errors.js'

const exitCodes = (): string =>
  ['EXIT CODES', ...EXIT_CODE_HELP.map(([code, meaning]) => `  ${code}  ${meaning}`)].join('\n')

/** oclif's help with the exit-code table added to the root and to every command. */
export default class CoronerHelp extends Help {
  override formatCommand(command: Command.Loadable): string {
    return `${super.formatCommand(command)}\n\n${exitCodes()}`
  }

  override formatRoot(): string {
    return `${super.formatRoot()}\n\n${exitCodes()}`
  }
}
