import {createReadStream} from 'node:fs'
import {readdir, stat} from 'node:fs/promises'
import path from 'node:path'
import {pipeline, type Readable} from 'node:stream'
import {GetObjectCommand, S3Client, paginateListObjectsV2} from '@aws-sdk/client-s3'
import type {AwsContext, AwsEnv} from './context.js'
import {parseS3Uri} from '../aws/s3-uri.js'
import {usageError} from '../core/errors.js'
import type {CollectorDefinition} from './definition.js'
import {ExportScanner} from './export-scan.js'

export const logsExportCollector: CollectorDefinition = {
  id: 'logs-export',
  title: 'CloudWatch Logs export task output (gzip files of `<ISO time> <message>` lines), preserved byte for byte',
  operations: ['s3:ListObjectsV2', 's3:GetObject'],
  permissions: ['s3:ListBucket', 's3:GetObject'],
  produces: ['logs.export'],
}

const COLLECTOR = logsExportCollector.id
/** The object CloudWatch Logs writes to test bucket access before an export; not log data. */
const WRITE_TEST = 'aws-logs-write-test'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface ExportFile {
  /** A local path, or an `s3://bucket/key` URI. */
  file: string
  taskId?: string
  logStreamName?: string
}

/**
 * Where an export file sits in the export layout `<prefix>/<task-id>/<stream>/000000.gz`. The
 * stream is everything between the task id and the file name (stream names may contain `/`).
 * `root` is what the user gave: the prefix folder, or one task's folder.
 */
export function locateExportFile(root: string, file: string, separator: string = path.sep): ExportFile {
  const parts = (separator === path.sep ? path.relative(root, file) : file.slice(root.length).replace(/^\/+/, '')).split(separator)
  const rootName = root.replace(/\/+$/, '').split(separator).at(-1) ?? ''
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

export interface ImportedExportFile {
  path: string
  taskId?: string
  logStreamName?: string
  lines: number
  key?: string
  sha256?: string
  /** complete; partial (the file does not decompress to its end: kept, marked, and a gap); failed. */
  status: 'complete' | 'partial' | 'failed'
}

export interface LogsExportImport {
  files: ImportedExportFile[]
  lines: number
}

interface Source extends ExportFile {
  open(): Promise<Readable>
  origin: Record<string, unknown>
}

async function* localSources(input: string): AsyncIterable<Source> {
  const s = await stat(input)
  const located = s.isFile() ? [locateExportFile(path.dirname(path.dirname(input)), input)] : []
  if (!s.isFile()) for await (const f of walk(input)) if (path.basename(f) !== WRITE_TEST) located.push(locateExportFile(input, f))
  for (const f of located) {
    const absolute = path.resolve(f.file)
    yield {...f, file: absolute, open: async () => createReadStream(absolute), origin: {path: absolute}}
  }
}

async function* s3Sources(ctx: AwsEnv, bucket: string, prefix: string): AsyncIterable<Source> {
  const s3 = ctx.aws.client(S3Client)
  for await (const page of paginateListObjectsV2({client: s3}, {Bucket: bucket, Prefix: prefix})) {
    for (const o of page.Contents ?? []) {
      const key = o.Key
      if (key === undefined || key.endsWith('/') || key.split('/').at(-1) === WRITE_TEST) continue
      const open = async (): Promise<Readable> => {
        const got = await s3.send(new GetObjectCommand({Bucket: bucket, Key: key}), {abortSignal: ctx.signal})
        return got.Body as Readable
      }
      yield {...locateExportFile(prefix, key, '/'), file: `s3://${bucket}/${key}`, open, origin: {bucket, s3Key: key, eTag: o.ETag, lastModified: o.LastModified?.toISOString(), size: o.Size}}
    }
  }
}

/**
 * Preserves CloudWatch Logs export output, from local folders or files or from S3 where the export
 * task wrote it, as `logs.export` artifacts, byte for byte. Each file is read through gunzip on its
 * way into the store: one that does not decompress to its end (truncated, corrupt) is still kept,
 * marked, and recorded as a gap; the other files still land.
 */
export async function importLogsExport(ctx: AwsContext, inputs: readonly string[], logGroupName?: string): Promise<LogsExportImport> {
  for (const input of inputs) {
    if (parseS3Uri(input) === undefined && !(await stat(input).catch(() => undefined))) {
      throw usageError('file-not-found', `Cannot read ${input}: no such file or folder.`, 'Give the folder an export task wrote (its prefix or one task folder), single .gz files, or s3://bucket/prefix.')
    }
  }
  const task = ctx.progress.task('preserving export files')
  const result: LogsExportImport = {files: [], lines: 0}
  for (const input of inputs) {
    const s3 = parseS3Uri(input)
    const origin = s3 === undefined ? 'local' : 's3'
    const importAll = async (): Promise<void> => {
      for await (const f of s3 === undefined ? localSources(input) : s3Sources(ctx, s3.bucket, s3.key)) {
        if (ctx.signal.aborted) break
        result.files.push(await importOne(ctx, f, origin, logGroupName))
        result.lines += result.files.at(-1)!.lines
        task.advance()
      }
    }
    // A local folder that cannot be read is the responder's to fix; a listing S3 refuses is a gap.
    if (s3 === undefined) await importAll()
    else await ctx.gaps.attempt({collector: COLLECTOR, resource: input, operation: 's3:ListObjectsV2'}, importAll)
  }
  task.done()
  return result
}

async function importOne(ctx: AwsContext, f: Source, origin: string, logGroupName: string | undefined): Promise<ImportedExportFile> {
  const {run, gaps} = ctx
  const info = {
    path: f.file,
    ...(f.taskId === undefined ? {} : {taskId: f.taskId}),
    ...(f.logStreamName === undefined ? {} : {logStreamName: f.logStreamName}),
  }
  const name = f.file.split(/[\\/]/).at(-1) ?? 'export.gz'
  const scanner = new ExportScanner()
  const call = {collector: COLLECTOR, resource: f.file, operation: origin === 'local' ? 'read of the export file' : 's3:GetObject'}
  const record = await gaps.attempt(call, async () => {
    try {
      // pipeline, not pipe: a source that fails mid-way must fail the write, not stall it.
      const body = pipeline(await f.open(), scanner, () => {})
      return await run.putArtifact(['logs-export', origin, f.taskId ?? 'unknown-task', f.logStreamName ?? 'unknown-stream', name], body, {
        kind: 'logs.export',
        contentType: 'application/gzip',
        source: origin === 'local' ? `file://${f.file}` : f.file,
        collector: COLLECTOR,
        // Read once the last byte is stored, when the scan of the same bytes is complete.
        get records() {
          return scanner.result().lines
        },
        get attributes() {
          const scan = scanner.result()
          return {
            ...info,
            ...f.origin,
            ...(logGroupName === undefined ? {} : {logGroupName}),
            ...(scan.firstTime === undefined ? {} : {firstTime: scan.firstTime, lastTime: scan.lastTime}),
            complete: scan.error === undefined,
            ...(scan.error === undefined ? {} : {readError: scan.error}),
          }
        },
      })
    } catch (error) {
      scanner.destroy()
      throw error
    }
  })
  if (record === undefined) return {...info, lines: 0, status: 'failed'}
  const scan = scanner.result()
  if (scan.error !== undefined) {
    await gaps.add({
      collector: COLLECTOR,
      resource: f.file,
      code: 'truncated-gzip',
      reason: `${f.file} does not decompress to its end (${scan.error}); kept byte for byte, only its first ${scan.lines} line(s) are readable.`,
    })
  }
  return {...info, lines: scan.lines, key: record.key, sha256: record.sha256, status: scan.error === undefined ? 'complete' : 'partial'}
}
