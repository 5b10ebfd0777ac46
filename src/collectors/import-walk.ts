import {constants} from 'node:fs'
import {lstat, open, readdir, readlink, realpath, stat} from 'node:fs/promises'
import path from 'node:path'
import type {ImportInput} from './cloudtrail-import.js'

/** Why an entry of a folder was not read, named for the summary and the journal. */
export type RefusalCode = 'special-file' | 'dangling-link' | 'outside-folder' | 'same-file' | 'unreadable'

export interface Refusal {
  refused: RefusalCode
  file: string
  reason: string
}

export type WalkEntry = ImportInput | Refusal

export const isRefusal = (e: WalkEntry): e is Refusal => 'refused' in e

/**
 * Every entry of the paths given, in order (folders recursively, by name), before anything is
 * read, so a count of the whole is known even if the import is interrupted. Regular files are
 * inputs; a symbolic link is followed only when its target lies inside the folder given (a link
 * out of it, a dangling link, a second name for a file already listed are named, not read);
 * FIFOs, sockets and devices are named and never opened.
 */
export async function listInputs(paths: readonly string[]): Promise<WalkEntry[]> {
  const out: WalkEntry[] = []
  const seen = new Set<string>()
  for (const given of paths) {
    const s = await stat(given)
    const real = await realpath(given)
    if (s.isDirectory()) await walk(given, real, real, out, seen, new Set([real]))
    else add(out, seen, given, real, s)
  }
  return out
}

async function walk(dir: string, realDir: string, root: string, out: WalkEntry[], seen: Set<string>, folders: Set<string>): Promise<void> {
  let names: string[]
  try {
    names = (await readdir(dir)).sort()
  } catch (error) {
    out.push({refused: 'unreadable', file: dir, reason: `the folder cannot be listed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`})
    return
  }
  for (const name of names) {
    const file = path.join(dir, name)
    const l = await lstat(file).catch(() => undefined)
    if (!l) continue
    if (l.isSymbolicLink()) {
      await followLink(file, root, out, seen, folders)
      continue
    }
    const real = path.join(realDir, name)
    if (l.isDirectory()) {
      if (!folders.has(real)) {
        folders.add(real)
        await walk(file, real, root, out, seen, folders)
      }
    } else add(out, seen, file, real, l)
  }
}

async function followLink(file: string, root: string, out: WalkEntry[], seen: Set<string>, folders: Set<string>): Promise<void> {
  const target = await readlink(file).catch(() => '?')
  const real = await realpath(file).catch(() => undefined)
  if (real === undefined) {
    out.push({refused: 'dangling-link', file, reason: `a symbolic link to ${target}, which does not exist`})
    return
  }
  if (real !== root && !real.startsWith(`${root}${path.sep}`)) {
    out.push({refused: 'outside-folder', file, reason: `a symbolic link to ${real}, outside the folder given; not followed (name it on the command line to import it)`})
    return
  }
  const s = await stat(real)
  if (s.isDirectory()) {
    if (!folders.has(real)) {
      folders.add(real)
      await walk(file, real, root, out, seen, folders)
    }
    return
  }
  add(out, seen, file, real, s)
}

function add(out: WalkEntry[], seen: Set<string>, file: string, real: string, s: {isFile(): boolean; isFIFO(): boolean; isSocket(): boolean}): void {
  if (!s.isFile()) {
    const what = s.isFIFO() ? 'a FIFO' : s.isSocket() ? 'a socket' : 'a device or other special file'
    out.push({refused: 'special-file', file, reason: `${what}; special files are never opened`})
    return
  }
  if (seen.has(real)) {
    out.push({refused: 'same-file', file, reason: `another name for ${real}, which is read once`})
    return
  }
  seen.add(real)
  out.push(localInput(file, real))
}

/** A local file as an import input: opened without blocking and read only if it is still a regular file. */
export function localInput(file: string, real = file): ImportInput {
  return {
    uri: file,
    name: path.basename(file),
    async open() {
      const handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK)
      if (!(await handle.stat()).isFile()) {
        await handle.close()
        throw Object.assign(new Error(`${file} is no longer a regular file`), {code: 'ENOTREG'})
      }
      return handle.createReadStream()
    },
  }
}
