import {stat} from 'node:fs/promises'
import {usageError} from './errors.js'

export type InputKind = 'file' | 'folder' | 'file or folder'

/**
 * Checks a path named on the command line before anything opens it: it must exist and be a regular
 * file or a folder, as asked. A FIFO, socket or device is refused without being opened (opening a
 * FIFO for reading waits for a writer, for ever), and so is anything else that is no file.
 * `flag` names where the path was given (`--public-key`), for the message.
 */
export async function assertInputPath(file: string, kind: InputKind, flag?: string): Promise<'file' | 'folder'> {
  const given = flag === undefined ? file : `${flag} ${file}`
  const s = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') throw usageError('file-not-found', `Cannot read ${given}: no such file or folder.`, 'Check the path; nothing was read.')
    throw error
  })
  if (s.isDirectory()) {
    if (kind === 'file') throw usageError('not-a-file', `${given} is a folder, not a file.`, 'Give a file (use a shell glob for the files of a folder).')
    return 'folder'
  }
  if (s.isFile()) {
    if (kind === 'folder') throw usageError('not-a-folder', `${given} is a file, not a folder.`, 'Give the folder that holds it.')
    return 'file'
  }
  const what = s.isFIFO() ? 'a FIFO (named pipe)' : s.isSocket() ? 'a socket' : s.isCharacterDevice() || s.isBlockDevice() ? 'a device' : 'a special file'
  throw usageError('special-file', `${given} is ${what}, not a regular file: refused, never opened.`, 'Copy what it holds into a regular file and give that; coroner reads only regular files and folders, so a pipe can never leave it waiting.')
}
