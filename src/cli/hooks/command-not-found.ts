import type {Hook} from '@oclif/core'
import pluginNotFound from '@oclif/plugin-not-found'
import {ExitCode} from '../../core/errors.js'
import {closest} from '../../core/suggest.js'
import {drainOutput} from '../drain.js'
import {errorEnvelope, requestedFormat} from '../output.js'

/**
 * A mistyped command or topic (`coroner colect lambda`). On an interactive terminal the not-found
 * plugin asks "Did you mean …?" and runs the answer; with --json, or off a terminal (a script, a
 * pipe), where it could not ask and would not name the match, coroner names the nearest command or
 * topic itself (core/suggest.ts, the distance every other name is matched with) and exits 2.
 */
const hook: Hook.CommandNotFound = async function (opts) {
  const argv = opts.argv ?? []
  const json = requestedFormat(argv) === 'json'
  if (!json && process.stdin.isTTY && process.stderr.isTTY) return pluginNotFound.call(this, opts)
  const space = (id: string): string => id.replace(/:/g, ' ')
  const visible = opts.config.commands.filter((c) => !c.hidden)
  const known = [...visible.flatMap((c) => [c.id, ...c.aliases]), ...opts.config.topics.filter((t) => !t.hidden).map((t) => t.name)]
  const typed = space(opts.id)
  const best = closest(opts.id, known) ?? closest(opts.id.split(':')[0]!, known)
  const bin = opts.config.bin
  const message = `${JSON.stringify(typed)} is not a ${bin} command${best === undefined ? '.' : `; did you mean \`${bin} ${space(best)}\`?`}`
  const hint = `Run \`${bin} --help\` for the commands.`
  if (json) process.stdout.write(`${JSON.stringify(errorEnvelope({code: 'unknown-command', message, hint}), null, 2)}\n`)
  else process.stderr.write(`Error [unknown-command]: ${message}\nHint: ${hint}\n`)
  await drainOutput()
  this.exit(ExitCode.usage)
}

export default hook
