import {existsSync, readFileSync, readdirSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {usageError} from '../core/errors.js'
import {didYouMean} from '../core/suggest.js'
import {parsePlaybook, type LoadedPlaybook} from './load.js'

/** The playbooks shipped with coroner: `playbooks/` at the package root (beside dist/ and src/). */
export const SHIPPED_DIR = path.resolve(fileURLToPath(import.meta.url), '../../../playbooks')

/** The shipped playbook files, by name. */
export function shippedPlaybookFiles(dir = SHIPPED_DIR): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f))
}

/** Whether an argument names a file rather than a shipped playbook's id. */
const looksLikePath = (ref: string): boolean => ref.includes('/') || ref.includes(path.sep) || /\.ya?ml$/.test(ref)

/**
 * A playbook named by its id (a shipped one) or by the path of its file. An unknown id is a usage
 * error listing the shipped ids.
 */
export function readPlaybook(ref: string): LoadedPlaybook {
  if (looksLikePath(ref)) return readPlaybookFile(ref)
  const file = path.join(SHIPPED_DIR, `${ref}.yaml`)
  if (!existsSync(file)) {
    const ids = shippedPlaybookFiles().map((f) => path.basename(f).replace(/\.ya?ml$/, ''))
    throw usageError('unknown-playbook', `No playbook is called ${JSON.stringify(ref)}${didYouMean(ref, ids)}.`, `The shipped playbooks are ${ids.join(', ')}; give a file path for your own.`)
  }
  return readPlaybookFile(file)
}

/** A playbook file, named in issues as given (or relative to the working directory when inside it). */
export function readPlaybookFile(file: string): LoadedPlaybook {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw usageError('file-not-found', `Cannot read the playbook ${file}: ${(error as Error).message}.`, 'Check the path, or give a shipped id (coroner playbook list).')
  }
  const relative = path.relative(process.cwd(), file)
  return parsePlaybook(path.isAbsolute(file) && !relative.startsWith('..') ? relative : file, text)
}
