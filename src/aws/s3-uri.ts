/** An `s3://bucket/key` address: the bucket, and what follows it as written ('' for none). */
export interface S3Uri {
  bucket: string
  key: string
}

/** `s3://bucket/key…` split into its parts; undefined for anything else (a local path). The one S3 URI parser. */
export function parseS3Uri(input: string): S3Uri | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(input)
  return m ? {bucket: m[1]!, key: m[2]!} : undefined
}

/** A key used as a folder: '' or ending with exactly one '/'. */
export function asPrefix(key: string): string {
  const trimmed = key.replace(/\/+$/, '')
  return trimmed === '' ? '' : `${trimmed}/`
}
