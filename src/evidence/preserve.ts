import {createReadStream} from 'node:fs'
import {stat} from 'node:fs/promises'
import path from 'node:path'
import type {RecordingContext} from './context.js'
import {usageError} from '../core/errors.js'
import type {ArtifactRecord} from './manifest.js'

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.gz': 'application/gzip',
  '.zip': 'application/zip',
  '.csv': 'text/csv',
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.pdf': 'application/pdf',
}

/** A file to preserve, checked before any run opens. */
export interface FileToPreserve {
  file: string
  size: number
  mtime: string
}

/** Every file exists and is a regular file: checked before any run opens, so a typo leaves no run behind. */
export async function checkFiles(files: readonly string[]): Promise<FileToPreserve[]> {
  const checked: FileToPreserve[] = []
  for (const file of files) {
    const s = await stat(file).catch(() => undefined)
    if (!s) throw usageError('file-not-found', `Cannot read ${file}: no such file.`, 'Check the path; nothing was preserved.')
    if (!s.isFile()) throw usageError('not-a-file', `${file} is not a regular file.`, 'Give files, not directories (use a shell glob for a folder).')
    checked.push({file: path.resolve(file), size: s.size, mtime: s.mtime.toISOString()})
  }
  return checked
}

/**
 * Preserves files a responder was handed (a GuardDuty finding, an export, a screenshot) as
 * evidence in the run, each hashed while copied and recorded with who added it, from where, and
 * the file's own timestamps. An interruption stops before the next file.
 */
export async function preserveFiles(ctx: RecordingContext, files: readonly string[], note?: string): Promise<ArtifactRecord[]> {
  const checked = await checkFiles(files)
  const run = ctx.run
  const task = ctx.progress.task('preserving files', checked.length)
  const stored: ArtifactRecord[] = []
  try {
    for (const f of checked) {
      if (ctx.signal.aborted) break
      const record = await run.step('preserve-file', {file: f.file}, () =>
        run.putArtifact(['added', 'local', path.basename(f.file)], createReadStream(f.file), {
          kind: 'file.added',
          contentType: CONTENT_TYPES[path.extname(f.file).toLowerCase()] ?? 'application/octet-stream',
          source: `file://${f.file}`,
          collector: 'evidence-add',
          attributes: {originalName: path.basename(f.file), originalPath: f.file, originalSize: f.size, originalMtime: f.mtime, ...(note === undefined ? {} : {note})},
        }),
      )
      stored.push(record)
      task.advance()
    }
  } finally {
    task.done()
  }
  return stored
}
