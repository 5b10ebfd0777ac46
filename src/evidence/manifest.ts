import {createHash} from 'node:crypto'

export const MANIFEST_SCHEMA = 'coroner.manifest/v1'

/** Kinds of evidence; the analysis layer picks its loader by kind. See docs/evidence-format.md. */
export type ArtifactKind = string

/** One evidence object as the manifest records it. */
export interface ArtifactRecord {
  key: string
  sha256: string
  size: number
  versionId?: string
  kind: ArtifactKind
  /** Content type of the bytes, e.g. application/json, application/x-ndjson+gzip, application/zip. */
  contentType: string
  /** What it was collected from: an ARN, an S3 URI, a file path. */
  source: string
  collector: string
  collectedAt: string
  region?: string
  /** Records in the artifact, where the collector counted them. */
  records?: number
  /** Anything else worth keeping: the original file name, the upstream hash it was checked against. */
  attributes?: Record<string, unknown>
}

export interface HostInfo {
  hostname: string
  user: string
  platform: string
  node: string
  pid: number
}

export interface CallerRecord {
  account?: string
  arn?: string
  userId?: string
  /** Why the caller could not be established, when it could not. */
  error?: string
}

export type RunStatus = 'complete' | 'partial' | 'incomplete' | 'failed'

/** What a run leaves behind, written last; its SHA-256 links the next run of the case to it. */
export interface Manifest {
  schema: typeof MANIFEST_SCHEMA
  caseId: string
  runId: string
  command: string
  status: RunStatus
  startedAt: string
  endedAt: string
  tool: {name: string; version: string}
  host: HostInfo
  caller: CallerRecord | null
  parameters: Record<string, unknown>
  store: {kind: string; location: string; immutable: boolean; note: string; allowUnlocked?: boolean}
  previousManifest: {runId: string; key: string; sha256: string} | null
  /** How many runs of the case (sealed or not) the store held when this run began; absent in manifests written before it was recorded. */
  runsBefore?: number
  /** The key that signs this manifest, when the store signs (the signature is `manifest.sig.json` beside it). */
  signing?: {keyId: string; algorithm: string; publicKeySha256: string}
  artifacts: ArtifactRecord[]
  journal: {key: string; entries: number; lastHash: string}
  gaps: number
  warnings: string[]
  /** SHA-256 of this manifest's canonical JSON with this field left out: catches an edit in place. */
  selfDigest: string
}

/** JSON with keys sorted at every level, so equal content always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {}
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k]
      return sorted
    }
    return v
  })
}

export function computeSelfDigest(manifest: Omit<Manifest, 'selfDigest'> & {selfDigest?: string}): string {
  const hash = createHash('sha256')
  for (const piece of withArtifacts(manifest, false)) hash.update(piece)
  return hash.digest('hex')
}

/** The bytes a manifest is stored as: pretty JSON, keys in a stable order, trailing newline. */
export function serializeManifest(manifest: Manifest): string {
  return [...serializedManifestPieces(manifest)].join('')
}

/**
 * serializeManifest's text in pieces, one per artifact: a run of many thousand artifacts is
 * written out without its manifest ever being held as one string (or parsed back from one).
 */
export function serializedManifestPieces(manifest: Manifest): Generator<string> {
  return withArtifacts(manifest, true)
}

/** A manifest whose artifact records are read as they are needed (from a run's spool), not held. */
export type StreamedManifest = Omit<Manifest, 'artifacts' | 'selfDigest'> & {selfDigest?: string}

/** computeSelfDigest of a manifest whose artifacts come from `artifacts`. */
export async function streamedSelfDigest(manifest: StreamedManifest, artifacts: AsyncIterable<ArtifactRecord>): Promise<string> {
  const hash = createHash('sha256')
  for await (const piece of streamedPieces(manifest, artifacts, false)) hash.update(piece)
  return hash.digest('hex')
}

/** serializedManifestPieces of a manifest whose artifacts come from `artifacts`. */
export function streamedManifestPieces(manifest: StreamedManifest & {selfDigest: string}, artifacts: AsyncIterable<ArtifactRecord>): AsyncGenerator<string> {
  return streamedPieces(manifest, artifacts, true)
}

const ARTIFACTS = Symbol('artifacts')

/**
 * A manifest's text (pretty, as stored) or its canonical JSON (what selfDigest hashes), the
 * artifacts list left as a marker: the one layout the held and the streamed manifests share.
 * selfDigest itself is never part of the canonical form.
 */
function* skeleton(manifest: object, pretty: boolean): Generator<string | typeof ARTIFACTS> {
  const entries = topLevelEntries({...manifest, artifacts: []}).filter(([k]) => pretty || k !== 'selfDigest')
  yield pretty ? '{\n' : '{'
  for (const [i, [key, value]] of entries.entries()) {
    if (pretty) yield `  ${JSON.stringify(key)}: `
    else yield `${i > 0 ? ',' : ''}${JSON.stringify(key)}:`
    if (key === 'artifacts') yield ARTIFACTS
    else yield pretty ? indent(prettyCanonical(value), '  ') : canonicalJson(value)!
    if (pretty) yield i < entries.length - 1 ? ',\n' : '\n'
  }
  yield pretty ? '}\n' : '}'
}

/** One artifact record of the list, with the separator before it. */
const itemPiece = (item: unknown, index: number, pretty: boolean): string =>
  pretty ? `${index > 0 ? ',' : ''}\n    ${indent(prettyCanonical(item), '    ')}` : `${index > 0 ? ',' : ''}${canonicalJson(item) ?? 'null'}`

/** What closes a list of `count` records. */
const listEnd = (count: number, pretty: boolean): string => (pretty && count > 0 ? '\n  ]' : ']')

function* withArtifacts(manifest: Omit<Manifest, 'selfDigest'> & {selfDigest?: string}, pretty: boolean): Generator<string> {
  for (const piece of skeleton(manifest, pretty)) {
    if (piece !== ARTIFACTS) {
      yield piece
      continue
    }
    yield '['
    const list = manifest.artifacts ?? []
    for (const [j, item] of list.entries()) yield itemPiece(item, j, pretty)
    yield listEnd(list.length, pretty)
  }
}

async function* streamedPieces(manifest: StreamedManifest, artifacts: AsyncIterable<ArtifactRecord>, pretty: boolean): AsyncGenerator<string> {
  for (const piece of skeleton(manifest, pretty)) {
    if (piece !== ARTIFACTS) {
      yield piece
      continue
    }
    yield '['
    let count = 0
    for await (const item of artifacts) yield itemPiece(item, count++, pretty)
    yield listEnd(count, pretty)
  }
}

/** The manifest's fields in key order, without those JSON leaves out (undefined, functions). */
function topLevelEntries(manifest: object): Array<[string, unknown]> {
  const fields = manifest as Record<string, unknown>
  return Object.keys(fields)
    .sort()
    .filter((k) => fields[k] !== undefined && typeof fields[k] !== 'function' && typeof fields[k] !== 'symbol')
    .map((k) => [k, fields[k]])
}

const prettyCanonical = (value: unknown): string => JSON.stringify(JSON.parse(canonicalJson(value) ?? 'null'), null, 2)

/** JSON.stringify's own line breaks are the only ones in its output (string values escape theirs). */
const indent = (text: string, by: string): string => text.replaceAll('\n', `\n${by}`)
