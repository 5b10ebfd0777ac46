import {createReadStream} from 'node:fs'
import {readdir, stat} from 'node:fs/promises'
import path from 'node:path'
import {createInterface} from 'node:readline'
import {createGunzip} from 'node:zlib'
import type {Context} from '../core/context.js'
import {usageError} from '../core/errors.js'
import type {EvidenceRun} from '../evidence/run.js'
import type {CollectorDefinition} from './definition.js'
import type {GapLog} from './failure.js'

export const logsExportCollector: CollectorDefinition = {
  id: 'logs-export',
  title: 'CloudWatch Logs export task output (gzip files of `<ISO time> <message>` lines), preserved byte for byte',
  operations: [],
  permissions: [],
  produces: ['logs.export'],
}

const COLLECTOR = logsExportCollector.id
/** The object CloudWatch Logs writes to test bucket access before an export; not log data. */
const WRITE_TEST = 'aws-logs-write-test'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface ExportFile {
  file: string
  taskId?: string
  logStreamName?: string
}

/**
 * Where an export file sits in the export layout `<prefix>/<task-id>/<stream>/000000.gz`. The
 * stream is everything between the task id and the file name (stream names may contain `/`).
 * `root` is what the user gave: the prefix folder, or one task's folder.
 */
export function locateExportFile(root: string, file: string): ExportFile {
  const parts = path.relative(root, file).split(path.sep)
  const rootName = path.basename(root)
  if (parts.length >= 3 && UUID.test(parts[0]!)) return {file, taskId: parts[0]!, logStreamName: parts.slice(1, -1).join('/')}
  if (parts.length >= 2 && UUID.test(rootName)) return {file, taskId: rootName, logStreamName: parts.slice(0, -1).join('/')}
  if (parts.length >= 2) return {file, logStreamName: parts.slice(0, -1).join('/')}
  return {file}
}

async function* walk(dir: string): AsyncIterable<string> {
  const entries = await readdir(dir, {withFileTypes: true})
  entries.sort((a, b) => a.name.localeCompare(b.name))
  for (const e of entries) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) yield* walk(p)
    else if (e.isFile()) yield p
  }
}

export interface ExportScan {
  lines: number
  firstTime?: string
  lastTime?: string
  /** Why the gzip could not be read to its end, when it could not. */
  error?: string
}

/** Reads an export file through gunzip, counting lines and the first and last timestamps. */
export async function scanExportFile(file: string): Promise<ExportScan> {
  const out: ExportScan = {lines: 0}
  const gunzip = createGunzip()
  const source = createReadStream(file)
  source.on('error', (e) => gunzip.destroy(e))
  const lines = createInterface({input: source.pipe(gunzip), crlfDelay: Infinity})
  try {
    for await (const line of lines) {
      if (line === '') continue
      out.lines++
      const time = line.slice(0, line.indexOf(' '))
      if (/^\d{4}-\d{2}-\d{2}T/.test(time)) {
        if (out.firstTime === undefined) out.firstTime = time
        out.lastTime = time
      }
    }
  } catch (error) {
    out.error = error instanceof Error ? error.message : String(error)
  } finally {
    source.destroy()
  }
  return out
}

export interface ImportedExportFile {
  path: string
  taskId?: string
  logStreamName?: string
  lines: number
  key?: string
  sha256?: string
  status: 'stored' | 'truncated' | 'failed'
}

export interface LogsExportImport {
  files: ImportedExportFile[]
  lines: number
}

/**
 * Preserves CloudWatch Logs export output from local folders or files as `logs.export` artifacts,
 * byte for byte. Each file is also read through gunzip: one that does not decompress to its end
 * (truncated, corrupt) is still kept, marked, and recorded as a gap; the other files still land.
 */
export async function importLogsExport(ctx: Context, run: EvidenceRun, gaps: GapLog, inputs: readonly string[], logGroupName?: string): Promise<LogsExportImport> {
  const files: ExportFile[] = []
  for (const input of inputs) {
    const s = await stat(input).catch(() => undefined)
    if (!s) throw usageError('file-not-found', `Cannot read ${input}: no such file or folder.`, 'Give the folder an export task wrote (its prefix or one task folder), or single .gz files.')
    if (s.isFile()) files.push(locateExportFile(path.dirname(path.dirname(input)), input))
    else for await (const f of walk(input)) if (path.basename(f) !== WRITE_TEST) files.push(locateExportFile(input, f))
  }
  const task = ctx.progress.task('preserving export files', files.length)
  const result: LogsExportImport = {files: [], lines: 0}
  for (const f of files) {
    if (ctx.signal.aborted) break
    const absolute = path.resolve(f.file)
    const scan = await scanExportFile(absolute)
    const info = {
      path: absolute,
      ...(f.taskId === undefined ? {} : {taskId: f.taskId}),
      ...(f.logStreamName === undefined ? {} : {logStreamName: f.logStreamName}),
    }
    try {
      const record = await run.putArtifact(['logs-export', 'local', f.taskId ?? 'unknown-task', f.logStreamName ?? 'unknown-stream', path.basename(f.file)], createReadStream(absolute), {
        kind: 'logs.export',
        contentType: 'application/gzip',
        source: `file://${absolute}`,
        collector: COLLECTOR,
        records: scan.lines,
        attributes: {
          ...info,
          ...(logGroupName === undefined ? {} : {logGroupName}),
          ...(scan.firstTime === undefined ? {} : {firstTime: scan.firstTime, lastTime: scan.lastTime}),
          complete: scan.error === undefined,
          ...(scan.error === undefined ? {} : {readError: scan.error}),
        },
      })
      if (scan.error !== undefined) {
        await gaps.add({
          collector: COLLECTOR,
          resource: absolute,
          code: 'truncated-gzip',
          reason: `${absolute} does not decompress to its end (${scan.error}); kept byte for byte, only its first ${scan.lines} line(s) are readable.`,
        })
      }
      result.files.push({...info, lines: scan.lines, key: record.key, sha256: record.sha256, status: scan.error === undefined ? 'stored' : 'truncated'})
      result.lines += scan.lines
    } catch (error) {
      if (ctx.signal.aborted) throw error
      await gaps.failed(error, {collector: COLLECTOR, resource: absolute, operation: 'read of the export file'})
      result.files.push({...info, lines: 0, status: 'failed'})
    }
    task.advance()
  }
  task.done()
  return result
}
