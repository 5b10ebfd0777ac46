import {Readable} from 'node:stream'
import type {ReadableStream as WebReadableStream} from 'node:stream/web'
import {CoronerError} from '../core/errors.js'
import {EvidenceHashMismatchError} from '../evidence/store.js'
import type {ArtifactMeta, EvidenceRun} from '../evidence/run.js'
import type {ArtifactRecord} from '../evidence/manifest.js'
import type {GapLog} from '../evidence/gap-log.js'

/** AWS gives a package's SHA-256 in base64 (CodeSha256); the store speaks hex. */
export const base64ToHex = (b64: string): string => Buffer.from(b64, 'base64').toString('hex')

/**
 * GETs a presigned URL (Lambda `Code.Location`, layer `Content.Location`) as a stream. No AWS
 * credentials are sent: the URL carries its own short-lived signature.
 */
export async function download(url: string, signal: AbortSignal): Promise<Readable> {
  const res = await fetch(url, {signal, redirect: 'follow'})
  if (!res.ok || res.body === null) {
    await res.body?.cancel().catch(() => {})
    throw new CoronerError('download-failed', `Download answered HTTP ${res.status} ${res.statusText}.`)
  }
  return Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>)
}

/** A failure of the evidence store's own disk (full, read-only), which no gap should hide. */
const isLocalFileError = (error: unknown): boolean => typeof (error as NodeJS.ErrnoException | null)?.syscall === 'string'

export interface PackageTarget {
  url: string | undefined
  /** Base64 SHA-256 as AWS reports it. */
  codeSha256: string | undefined
  segments: readonly string[]
  /** Where the bytes go when they do not match `codeSha256`: kept, never dropped. */
  mismatchSegments: readonly string[]
  meta: Omit<ArtifactMeta, 'expectSha256'>
  resource: string
  operation: string
}

/**
 * Downloads a code package and stores it only if its bytes hash to what AWS says they should.
 * When they do not, a loud `code-sha256-mismatch` gap and warning are recorded and the bytes are
 * still kept, under a name that says so and with `verified: false`: evidence is never dropped.
 */
export async function storeVerifiedPackage(run: EvidenceRun, gaps: GapLog, signal: AbortSignal, t: PackageTarget): Promise<ArtifactRecord | undefined> {
  const base = {collector: t.meta.collector, resource: t.resource, ...(t.meta.region === undefined ? {} : {region: t.meta.region})}
  if (t.url === undefined || !/^https?:\/\//i.test(t.url)) {
    await gaps.add({...base, code: 'code-unavailable', reason: `${t.operation} gave no downloadable location (${JSON.stringify(t.url ?? null)}); the package was not collected.`})
    return undefined
  }
  const expected = t.codeSha256 === undefined ? undefined : base64ToHex(t.codeSha256)
  const attributes = {...t.meta.attributes, codeSha256: t.codeSha256}
  try {
    return await run.putArtifact(t.segments, await download(t.url, signal), {
      ...t.meta,
      attributes: {...attributes, verified: expected !== undefined},
      ...(expected === undefined ? {} : {expectSha256: expected}),
    })
  } catch (error) {
    if (signal.aborted || isLocalFileError(error)) throw error
    if (!(error instanceof EvidenceHashMismatchError)) {
      await gaps.failed(error, {...base, operation: `download of ${t.operation} location`})
      return undefined
    }
    const reason = `CODE SHA-256 MISMATCH for ${t.resource}: AWS reports ${expected}, the downloaded bytes hash to ${error.actual}. The bytes are kept as unverified evidence.`
    await gaps.add({...base, code: 'code-sha256-mismatch', reason})
    await run.warn(reason)
    const kept = await gaps.attempt({...base, operation: `second download of ${t.operation} location`}, async () =>
      run.putArtifact(t.mismatchSegments, await download(t.url!, signal), {
        ...t.meta,
        attributes: {...attributes, verified: false, sha256Mismatch: true, expectedSha256: expected, firstDownloadSha256: error.actual},
      }),
    )
    if (kept !== undefined && kept.sha256 !== error.actual) {
      await run.warn(`The second download of ${t.resource} hashed to ${kept.sha256}, the first to ${error.actual}: the location serves changing bytes.`)
    }
    return kept
  }
}
