import {Args} from '@oclif/core'

/** The playbook a command works on: a shipped playbook's id, or the path of a playbook file. */
export const playbookArg = Args.string({name: 'playbook', description: 'A shipped playbook id (coroner playbook list) or a playbook file', required: true})
