import {rmSync} from 'node:fs'

/** Temporary files and folders of work under way, removed if the process quits at once. */
const pending = new Map<number, readonly string[]>()
let next = 0

/**
 * Names temporary paths (a database being built, a report being written, a spool) that must not
 * outlive the process if it quits at once (a second Ctrl-C), where no `finally` runs. Call the
 * function returned once they are renamed into place or removed.
 */
export function removeOnQuit(...paths: string[]): () => void {
  const id = next++
  pending.set(id, paths)
  return () => void pending.delete(id)
}

/** Ends the process now with `code`, first removing every path named by `removeOnQuit`, and says so through `write`. */
export function quitNow(code: number, write: (text: string) => void = () => {}): never {
  const paths = [...pending.values()].flat()
  pending.clear()
  for (const p of paths) {
    try {
      rmSync(p, {recursive: true, force: true})
    } catch {
      // Quitting at once: what cannot be removed stays, as it would have without this.
    }
  }
  write(paths.length === 0 ? 'Quit at once.\n' : 'Quit at once; the temporary files of the work under way are removed.\n')
  process.exit(code)
}
