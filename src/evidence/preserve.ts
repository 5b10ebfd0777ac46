import {createReadStream} from 'node:fs'
import {stat} from 'node:fs/promises'
import path from 'node:path'
import type {StoreContext} from './context.js'
import {usageError} from '../core/errors.js'
import type {ArtifactRecord, CallerRecord} from './manifest.js'
import {EvidenceRun, type FinishedRun} from './run.js'

export interface PreserveResult {
  caseId: string
  runId: string
  manifestKey: string
  manifestSha256: string
  status: FinishedRun['manifest']['status']
  artifacts: ArtifactRecord[]
}

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

/**
 * Preserves files a responder was handed (a GuardDuty finding, an export, a screenshot) as
 * evidence in a new run of the case, each hashed while copied and recorded with who added it,
 * from where, and the file's own timestamps.
 */
export async function preserveFiles(ctx: StoreContext, caseId: string, files: readonly string[], note?: string): Promise<PreserveResult> {
  const checked: Array<{file: string; size: number; mtime: string}> = []
  for (const file of files) {
    const s = await stat(file).catch(() => undefined)
    if (!s) throw usageError('file-not-found', `Cannot read ${file}: no such file.`, 'Check the path; nothing was preserved.')
    if (!s.isFile()) throw usageError('not-a-file', `${file} is not a regular file.`, 'Give files, not directories (use a shell glob for a folder).')
    checked.push({file, size: s.size, mtime: s.mtime.toISOString()})
  }
  const caller: CallerRecord = {}
  const run = await EvidenceRun.begin({
    store: ctx.store,
    caseId,
    command: 'evidence add',
    parameters: {files: files.map((f) => path.resolve(f)), ...(note === undefined ? {} : {note})},
    clock: ctx.clock,
    caller,
  })
  const task = ctx.progress.task('preserving files', checked.length)
  let interrupted = false
  try {
    for (const f of checked) {
      if (ctx.signal.aborted) {
        interrupted = true
        break
      }
      const absolute = path.resolve(f.file)
      await run.step('preserve-file', {file: absolute}, () =>
        run.putArtifact(['added', 'local', path.basename(f.file)], createReadStream(f.file), {
          kind: 'file.added',
          contentType: CONTENT_TYPES[path.extname(f.file).toLowerCase()] ?? 'application/octet-stream',
          source: `file://${absolute}`,
          collector: 'evidence-add',
          attributes: {originalName: path.basename(f.file), originalPath: absolute, originalSize: f.size, originalMtime: f.mtime, ...(note === undefined ? {} : {note})},
        }),
      )
      task.advance()
    }
  } catch (error) {
    // Seal what is there; if even that fails (a full disk), the journal already holds every hash.
    await run.finish('failed').catch(() => {})
    throw error
  } finally {
    task.done()
  }
  const sealed = await run.finish(interrupted ? 'incomplete' : undefined)
  return {
    caseId,
    runId: run.runId,
    manifestKey: sealed.manifestKey,
    manifestSha256: sealed.manifestSha256,
    status: sealed.manifest.status,
    artifacts: sealed.manifest.artifacts,
  }
}
