import {Flags} from '@oclif/core'
import {DEFAULT_MAX_RESOURCES} from '../steps/contain/params.js'

/** The flags of every command that changes AWS (contain, undo): dry run unless --apply, a confirmation, a guard. */
export const changeFlags = {
  apply: Flags.boolean({description: 'Make the changes (default: a dry run that changes nothing)', default: false}),
  yes: Flags.boolean({char: 'y', description: 'With --apply, do not ask for confirmation', default: false}),
  'max-resources': Flags.integer({description: 'Refuse to touch more resources than this', default: DEFAULT_MAX_RESOURCES, min: 1}),
}
