import {asPrefix, parseS3Uri} from '../aws/s3-uri.js'
import {readdir, readFile, stat} from 'node:fs/promises'
import path from 'node:path'
import {GetObjectCommand, HeadObjectCommand, S3Client, paginateListObjectsV2} from '@aws-sdk/client-s3'
import type {AwsClientFactory} from '../aws/client-factory.js'
import {isNotFound, usageError} from '../core/errors.js'

/** One file of an archive: its key relative to the archive root, and its size. */
export interface ArchiveEntry {
  key: string
  size: number
}

/**
 * Where a CloudTrail archive lives: an S3 bucket and prefix, or a local folder with the same
 * layout. Keys are relative to the root and use `/`; a `/`-ended key is a folder.
 */
export interface ArchiveSource {
  readonly kind: 's3' | 'local'
  /** `s3://bucket/prefix/` or an absolute folder path, for people and the manifest. */
  readonly location: string
  /** Immediate sub-folders of `prefix` (each ending in `/`). */
  folders(prefix: string, signal?: AbortSignal): Promise<string[]>
  /** Files under `prefix`, recursively, in key order within each folder. */
  files(prefix: string, signal?: AbortSignal): AsyncIterable<ArchiveEntry>
  /** The bytes of one file, whole (delivery and digest files are small). Undefined when absent. */
  read(key: string, signal?: AbortSignal): Promise<Buffer | undefined>
  /** User metadata stored with the object (S3: `x-amz-meta-*` without the prefix); {} locally. Undefined when absent. */
  metadata(key: string, signal?: AbortSignal): Promise<Record<string, string> | undefined>
  /** The bytes and the user metadata in one request. */
  readWithMetadata(key: string, signal?: AbortSignal): Promise<{bytes: Buffer; metadata: Record<string, string>} | undefined>
  /** The address of a key, for artifact sources and findings. */
  uri(key: string): string
  /** Releases connections; the source is not used after. */
  close(): void
}

/**
 * An archive location as given, checked: `s3://…` as it is, a local folder made absolute (the
 * `AWSLogs` folder itself is taken as its parent). A missing folder is a usage error.
 */
export async function resolveArchiveLocation(location: string): Promise<string> {
  if (location.startsWith('s3://')) return location
  const s = await stat(location).catch(() => undefined)
  if (!s?.isDirectory()) throw usageError('archive-not-found', `${location} is not a folder.`, 'Give s3://bucket/prefix or a local folder holding AWSLogs/ (or plain CloudTrail JSON files).')
  const absolute = path.resolve(location)
  return path.basename(absolute) === 'AWSLogs' ? path.dirname(absolute) : absolute
}

/** Opens `s3://bucket/prefix` or a local folder as an archive source. */
export function openArchive(location: string, aws: AwsClientFactory, region?: string): ArchiveSource {
  if (location.startsWith('s3://')) {
    const uri = parseS3Uri(location)
    if (!uri) throw usageError('invalid-archive', `Cannot read ${location} as s3://bucket/prefix.`, 'Write it as s3://bucket or s3://bucket/prefix.')
    // A trail's bucket is often in another region than the one the responder works in.
    return new S3ArchiveSource(new S3Client(aws.config(region, {followRegionRedirects: true})), uri.bucket, asPrefix(uri.key))
  }
  return new LocalArchiveSource(path.resolve(location))
}

export class LocalArchiveSource implements ArchiveSource {
  readonly kind = 'local' as const
  constructor(readonly root: string) {}

  get location(): string {
    return this.root
  }

  private abs(key: string): string {
    const parts = key.split('/').filter((p) => p !== '')
    if (parts.some((p) => p === '..' || p === '.')) throw usageError('unsafe-key', `Refusing archive key ${JSON.stringify(key)}.`)
    return path.join(this.root, ...parts)
  }

  async folders(prefix: string): Promise<string[]> {
    const entries = await readdir(this.abs(prefix), {withFileTypes: true}).catch(() => [])
    return entries.filter((e) => e.isDirectory()).map((e) => `${prefix}${e.name}/`).sort()
  }

  async *files(prefix: string): AsyncIterable<ArchiveEntry> {
    const entries = await readdir(this.abs(prefix), {withFileTypes: true}).catch(() => [])
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const key = `${prefix}${e.name}`
      if (e.isDirectory()) yield* this.files(`${key}/`)
      else if (e.isFile()) yield {key, size: (await stat(this.abs(key))).size}
    }
  }

  async read(key: string): Promise<Buffer | undefined> {
    return readFile(this.abs(key)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined
      throw error
    })
  }

  async metadata(key: string): Promise<Record<string, string> | undefined> {
    return (await stat(this.abs(key)).catch(() => undefined)) ? {} : undefined
  }

  async readWithMetadata(key: string): Promise<{bytes: Buffer; metadata: Record<string, string>} | undefined> {
    const bytes = await this.read(key)
    return bytes ? {bytes, metadata: {}} : undefined
  }


  uri(key: string): string {
    return this.abs(key)
  }

  close(): void {}
}

export class S3ArchiveSource implements ArchiveSource {
  readonly kind = 's3' as const
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    readonly prefix: string,
  ) {}

  get location(): string {
    return `s3://${this.bucket}/${this.prefix}`
  }

  async folders(prefix: string, signal?: AbortSignal): Promise<string[]> {
    const out: string[] = []
    const pages = paginateListObjectsV2({client: this.client}, {Bucket: this.bucket, Prefix: `${this.prefix}${prefix}`, Delimiter: '/'}, signal ? {abortSignal: signal} : {})
    for await (const page of pages) {
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) out.push(p.Prefix.slice(this.prefix.length))
    }
    return out.sort()
  }

  async *files(prefix: string, signal?: AbortSignal): AsyncIterable<ArchiveEntry> {
    const pages = paginateListObjectsV2({client: this.client}, {Bucket: this.bucket, Prefix: `${this.prefix}${prefix}`}, signal ? {abortSignal: signal} : {})
    for await (const page of pages) {
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined || o.Key.endsWith('/')) continue
        yield {key: o.Key.slice(this.prefix.length), size: o.Size ?? 0}
      }
    }
  }

  async read(key: string, signal?: AbortSignal): Promise<Buffer | undefined> {
    return (await this.readWithMetadata(key, signal))?.bytes
  }

  async readWithMetadata(key: string, signal?: AbortSignal): Promise<{bytes: Buffer; metadata: Record<string, string>} | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({Bucket: this.bucket, Key: `${this.prefix}${key}`}), signal ? {abortSignal: signal} : {})
      return {bytes: Buffer.from(await out.Body!.transformToByteArray()), metadata: out.Metadata ?? {}}
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  async metadata(key: string, signal?: AbortSignal): Promise<Record<string, string> | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({Bucket: this.bucket, Key: `${this.prefix}${key}`}), signal ? {abortSignal: signal} : {})
      return out.Metadata ?? {}
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  uri(key: string): string {
    return `s3://${this.bucket}/${this.prefix}${key}`
  }

  close(): void {
    this.client.destroy()
  }
}

