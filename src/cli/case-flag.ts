import {Flags} from '@oclif/core'

/** `--case`/`-c` for commands that work on one case; the value is checked with assertCaseId. */
export const caseFlag = Flags.string({char: 'c', description: 'Case id, e.g. INC-2026-0042', required: true})
