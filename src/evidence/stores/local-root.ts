import {stat} from 'node:fs/promises'
import path from 'node:path'
import {usageError} from '../../core/errors.js'

/** Kernel file systems: files that are not files, and trees that never end (/proc/self/root/proc/…). */
const VIRTUAL = ['/proc', '/sys', '/dev']

const FIX = 'Point --store (or CORONER_STORE) at a directory on a writable disk; it is created when missing.'

/**
 * Refuses, before anything is read or written, a local store that cannot hold evidence: a path
 * in a kernel file system, and a path that is a file or lies under one. Exit 2, the path named.
 */
export async function checkLocalStoreRoot(root: string): Promise<void> {
  const resolved = path.resolve(root)
  if (VIRTUAL.some((v) => resolved === v || resolved.startsWith(`${v}/`))) {
    throw usageError('store-unusable', `The evidence store ${resolved} is in ${VIRTUAL.find((v) => resolved === v || resolved.startsWith(`${v}/`))}, a kernel file system, not a place for evidence.`, FIX)
  }
  for (let p = resolved; ; p = path.dirname(p)) {
    const found = await stat(p).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' || error.code === 'ENOTDIR' ? undefined : Promise.reject(error)))
    if (found !== undefined) {
      if (found.isDirectory()) return
      throw usageError('store-not-a-directory', p === resolved ? `The evidence store ${resolved} is a file, not a directory.` : `The evidence store ${resolved} cannot be made: ${p} is a file.`, FIX)
    }
    if (path.dirname(p) === p) return
  }
}

/**
 * A store write the file system refused (read-only, permission denied, a file in the way), named
 * with the store and the fix (exit 2); any other error unchanged.
 */
export function storeWriteError(root: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    const why = code === 'EROFS' ? 'is on a read-only file system' : 'may not be written by this user'
    return usageError('store-read-only', `The evidence store ${root} ${why} (${(error as Error).message}).`, `${FIX} Reading a read-only store (load, verify, report) needs no write.`)
  }
  if (code === 'ENOTDIR') return usageError('store-not-a-directory', `The evidence store ${root} cannot be written: a file stands in the way (${(error as Error).message}).`, FIX)
  return error
}
