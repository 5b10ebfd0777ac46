import {createInterface} from 'node:readline/promises'
import {CoronerError, usageError} from '../core/errors.js'
import {terminalSafe} from './table.js'

/**
 * Asks once, on the terminal, before changes are made, listing what they touch. `--yes` skips the
 * question; with no terminal to ask on (a script, a pipe) and no `--yes`, it refuses rather than hang.
 */
export async function confirmChanges(what: string, targets: readonly string[], yes: boolean): Promise<void> {
  if (yes) return
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw usageError(
      'confirmation-needed',
      `${what} with --apply changes ${targets.length} resource(s) and asks for confirmation first, but there is no terminal to ask on.`,
      'Add --yes to confirm without a prompt (scripts, playbooks), or run it in a terminal. Without --apply nothing is changed.',
    )
  }
  process.stderr.write(`${what} will change ${targets.length} resource(s):\n${targets.map((t) => `  - ${terminalSafe(t)}`).join('\n')}\n`)
  const rl = createInterface({input: process.stdin, output: process.stderr})
  try {
    const answer = (await rl.question('Apply these changes? Type "yes" to go on: ')).trim().toLowerCase()
    if (answer !== 'yes' && answer !== 'y') throw new CoronerError('not-confirmed', 'Not confirmed: nothing was changed.', {})
  } finally {
    rl.close()
  }
}
