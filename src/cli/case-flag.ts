import {Flags} from '@oclif/core'

/** `--case`/`-c` for commands that work on one case; the value is checked with assertCaseId. */
export const caseFlag = Flags.string({char: 'c', description: 'Case id, e.g. INC-2026-0042', required: true})

/** `--reload` for commands that read the case database: rebuild it from the store first. */
export const reloadFlag = Flags.boolean({
  description: 'Rebuild the case database from the store first (a database built from another store, or from older evidence, is refused otherwise)',
  default: false,
})
