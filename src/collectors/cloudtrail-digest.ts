import {createPublicKey, verify as verifySignature} from 'node:crypto'
import path from 'node:path'
import {CloudTrailClient, paginateListPublicKeys} from '@aws-sdk/client-cloudtrail'
import type {AwsContext} from './context.js'
import {forEachBounded} from '../core/pool.js'
import {DELIVERY_LAG_MS, dayPrefixes, deliveryTime, discoverPartitions, type ArchivePartition} from './cloudtrail-archive.js'
import {tryKey, type DigestPublicKey} from './cloudtrail-keys.js'
import {inflate, sha256Hex} from './cloudtrail-records.js'
import {gapFor} from '../evidence/gap-log.js'
import type {ArchiveSource} from './cloudtrail-source.js'
import type {CollectorDefinition} from './definition.js'

export const cloudtrailDigestCollector: CollectorDefinition = {
  id: 'cloudtrail-digest',
  title: 'CloudTrail digest files and log file integrity validation (signatures, hashes, chain)',
  operations: ['s3:ListObjectsV2', 's3:GetObject', 's3:HeadObject', 'cloudtrail:ListPublicKeys'],
  permissions: ['s3:ListBucket', 's3:GetObject', 'cloudtrail:ListPublicKeys'],
  produces: ['cloudtrail.digest', 'cloudtrail.validation'],
}

export type DigestStatus = 'valid' | 'bad-signature' | 'unsigned' | 'no-public-key' | 'unsupported-algorithm' | 'moved' | 'invalid-format'
/** `unreadable`: the file exists but could not be read (refused, throttled); recorded as a gap, not a finding. */
export type LogFileStatus = 'ok' | 'altered' | 'missing' | 'not-in-digest' | 'unreadable'

export interface DigestEntry {
  key: string
  account: string
  region: string
  digestStartTime?: string
  digestEndTime?: string
  status: DigestStatus
  reason?: string
  signatureSource?: 's3-metadata' | 'sidecar' | 'signatures-file'
  publicKey?: string
  logFiles: number
  previousDigest?: string | null
  /** A `_backfill` digest, chained separately from the hourly ones. */
  backfill?: true
}

export interface LogFileEntry {
  key: string
  digest: string | null
  status: LogFileStatus
  expectedSha256?: string
  actualSha256?: string
}

export interface ValidationFinding {
  type: DigestStatus | LogFileStatus | 'digest-missing' | 'chain-mismatch' | 'chain-restart'
  key: string
  message: string
}

/** The `cloudtrail.validation` artifact: every digest and log file with its status, and the findings. */
export interface ValidationReport {
  schema: 'coroner.cloudtrail-validation/v1'
  source: string
  window: {since: string; until: string} | null
  publicKeys: Array<{fingerprint: string; source: string}>
  digests: DigestEntry[]
  logFiles: LogFileEntry[]
  findings: ValidationFinding[]
  summary: {digests: number; validDigests: number; logFiles: number; okLogFiles: number; findings: number}
  /**
   * What the validation can vouch for: `valid` (digests checked, no finding), `invalid` (findings),
   * or `unvalidated` (no digest was found, so nothing was checked), with `unvalidatedReason`.
   */
  status: ValidationStatus
  unvalidatedReason?: string
}

export type ValidationStatus = 'valid' | 'invalid' | 'unvalidated'

export interface DigestValidationOptions {
  since?: Date
  until?: Date
  accounts?: readonly string[]
  regions?: readonly string[]
  /** Keys given offline (`--public-key`); when absent, ListPublicKeys is asked per region. */
  publicKeys?: readonly DigestPublicKey[]
  /** Digest signatures for folders without S3 metadata, by archive key, `AWSLogs/…` path or file name. */
  signatures?: Readonly<Record<string, string>>
  /** Also store every digest byte for byte as a `cloudtrail.digest` artifact. */
  storeDigests?: boolean
}

/** The string CloudTrail signs for a digest: end time, S3 location, hash of the inflated digest, previous signature. */
export function digestSigningString(digest: Record<string, unknown>, inflatedDigest: Uint8Array): string {
  const previous = typeof digest.previousDigestSignature === 'string' ? digest.previousDigestSignature : 'null'
  return `${String(digest.digestEndTime)}\n${String(digest.digestS3Bucket)}/${String(digest.digestS3Object)}\n${sha256Hex(inflatedDigest)}\n${previous}`
}

const awsLogsPath = (s: string): string => {
  const i = s.indexOf('AWSLogs/')
  return i >= 0 ? s.slice(i) : s
}

interface LoadedDigest {
  entry: DigestEntry
  /** A `_backfill` digest, delivered later for log files a regular digest missed. */
  backfill: boolean
  /** For backfill digests: when CloudTrail made it (`x-amz-meta-backfill-generation-timestamp`). */
  generatedAt?: string
  doc: Record<string, unknown>
  signature?: string
  /** The bytes the signature covers, once the digest passed the format checks. */
  signingInput?: Buffer
}

interface DigestGroup {
  partition: ArchivePartition
  region: string
  digests: LoadedDigest[]
}

/** What the phases of one validation share: the source, the options, the run, and the report being filled. */
interface Validation {
  ctx: AwsContext
  source: ArchiveSource
  options: DigestValidationOptions
  report: ValidationReport
  window: {since: Date; until: Date} | undefined
  loaded: Map<string, LoadedDigest>
  groups: DigestGroup[]
  keysByRegion: Map<string, DigestPublicKey[]>
}

/**
 * Validates a trail's digest files the way `aws cloudtrail validate-logs` does, over S3 or a local
 * copy: each digest's RSA signature (SHA256withRSA over the signing string), each listed log
 * file's SHA-256 (of its inflated bytes), and the chain through previousDigestS3Object and
 * previousDigestSignature. Missing, altered, unsigned and unlisted files, bad signatures and chain
 * breaks become findings. A log file the archive step already stored in this run is not read again:
 * its hash is the `uncompressedSha256` that step recorded. The report is stored as a
 * `cloudtrail.validation` artifact.
 */
export async function validateDigests(ctx: AwsContext, source: ArchiveSource, options: DigestValidationOptions): Promise<ValidationReport> {
  const window = options.since && options.until ? {since: options.since, until: options.until} : undefined
  const v: Validation = {ctx, source, options, window, loaded: new Map(), groups: [], keysByRegion: new Map(), report: emptyReport(source, window)}
  for (const k of options.publicKeys ?? []) v.report.publicKeys.push({fingerprint: k.fingerprint, source: k.source})
  await loadDigestGroups(v)
  checkSignatures(v)
  for (const {digests} of v.groups) {
    // Backfill digests (for log files a regular digest missed) form a chain of their own.
    await checkChain(v, digests.filter((d) => !d.backfill), true)
    await checkChain(v, digests.filter((d) => d.backfill), false)
  }
  const archived = await archivedLogHashes(ctx, source)
  const listed = await checkListedLogFiles(v, archived)
  findUnlisted(v, archived, listed)
  summarise(v.report, v.groups)
  await ctx.run.putArtifact(['cloudtrail', 'validation', 'cloudtrail-validation.json'], `${JSON.stringify(v.report, null, 2)}\n`, {
    kind: 'cloudtrail.validation',
    contentType: 'application/json',
    source: source.location,
    collector: cloudtrailDigestCollector.id,
    records: v.report.digests.length + v.report.logFiles.length,
    attributes: {...v.report.summary, status: v.report.status},
  })
  return v.report
}

function emptyReport(source: ArchiveSource, window: {since: Date; until: Date} | undefined): ValidationReport {
  return {
    schema: 'coroner.cloudtrail-validation/v1',
    source: source.location,
    window: window ? {since: window.since.toISOString(), until: window.until.toISOString()} : null,
    publicKeys: [],
    digests: [],
    logFiles: [],
    findings: [],
    summary: {digests: 0, validDigests: 0, logFiles: 0, okLogFiles: 0, findings: 0},
    status: 'unvalidated',
  }
}

/** Every digest of the accounts, regions and window asked for, by region, in chain order; and each region's keys. */
async function loadDigestGroups(v: Validation): Promise<void> {
  const {ctx, source, options, window} = v
  const wantedRegions = options.regions && options.regions.length > 0 ? new Set(options.regions) : undefined
  const offline = options.publicKeys ?? []
  for (const partition of await discoverPartitions(source, options.accounts, ctx.signal)) {
    for (const folder of await source.folders(`${partition.prefix}CloudTrail-Digest/`, ctx.signal)) {
      const region = folder.slice(`${partition.prefix}CloudTrail-Digest/`.length, -1)
      if (wantedRegions && !wantedRegions.has(region)) continue
      const prefixes = window ? dayPrefixes(window.since, new Date(window.until.getTime() + 2 * DELIVERY_LAG_MS)).map((d) => `${folder}${d}`) : [folder]
      const group: DigestGroup = {partition, region, digests: []}
      async function* digestKeys(): AsyncIterable<string> {
        for (const prefix of prefixes) for await (const e of source.files(prefix, ctx.signal)) if (e.key.endsWith('.json.gz')) yield e.key
      }
      await forEachBounded(digestKeys(), 16, ctx.signal, async (key) => {
        const d = await loadDigest(ctx, source, key, partition, region, options)
        if (window && d.entry.digestStartTime && d.entry.digestEndTime) {
          // Digests cover an hour each; keep those overlapping the window plus the delivery lag.
          if (Date.parse(d.entry.digestEndTime) < window.since.getTime() || Date.parse(d.entry.digestStartTime) > window.until.getTime() + DELIVERY_LAG_MS) return
        }
        group.digests.push(d)
        v.loaded.set(key, d)
      })
      group.digests.sort((a, b) => (a.entry.digestEndTime ?? '').localeCompare(b.entry.digestEndTime ?? '') || a.entry.key.localeCompare(b.entry.key))
      v.groups.push(group)
      if (offline.length === 0 && !v.keysByRegion.has(region) && group.digests.length > 0) {
        v.keysByRegion.set(region, await listPublicKeys(ctx, region, group.digests, v.report))
      }
    }
  }
}

function checkSignatures(v: Validation): void {
  const offline = v.options.publicKeys ?? []
  for (const {region, digests} of v.groups) {
    const keys = offline.length > 0 ? offline : v.keysByRegion.get(region) ?? []
    for (const d of digests) if (d.entry.status === 'valid') checkSignature(d, keys, offline.length > 0)
  }
}

/** Each digest names the previous one and carries its signature. */
async function checkChain(v: Validation, digests: LoadedDigest[], restartsMatter: boolean): Promise<void> {
  for (const [i, d] of digests.entries()) {
    const prevObject = d.doc.previousDigestS3Object
    if (d.entry.status === 'invalid-format') continue
    if (typeof prevObject !== 'string' || prevObject === '') {
      if (i > 0 && restartsMatter) v.report.findings.push({type: 'chain-restart', key: d.entry.key, message: 'digest starts a new chain (no previous digest): logging or validation was stopped and restarted, or a trail was recreated'})
      continue
    }
    const prevKey = awsLogsPath(prevObject)
    const prev = v.loaded.get(prevKey)
    if (prev) {
      if (prev.signature !== undefined && prev.signature !== d.doc.previousDigestSignature) {
        v.report.findings.push({type: 'chain-mismatch', key: d.entry.key, message: `previousDigestSignature does not match the signature of ${prevKey}`})
      }
    } else if ((await v.source.metadata(prevKey, v.ctx.signal)) === undefined) {
      v.report.findings.push({type: 'digest-missing', key: prevKey, message: `digest named as previous by ${d.entry.key} is missing: the chain is broken`})
    }
  }
}

/**
 * Uncompressed SHA-256 of the log files the archive step stored from this source in this run, by
 * archive key, as recorded in their artifacts: what a digest lists.
 */
async function archivedLogHashes(ctx: AwsContext, source: ArchiveSource): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for await (const a of ctx.run.artifactRecords()) {
    const key = a.attributes?.archiveKey
    const sha = a.attributes?.uncompressedSha256
    if (a.kind === 'cloudtrail.delivery-file' && typeof key === 'string' && typeof sha === 'string' && a.source === source.uri(key)) out.set(key, sha)
  }
  return out
}

/** Hashes every log file a digest lists (reading only those not archived in this run); returns the keys listed. */
async function checkListedLogFiles(v: Validation, archived: ReadonlyMap<string, string>): Promise<Set<string>> {
  const {ctx, source, report} = v
  const listed = new Set<string>()
  const checks: Array<{key: string; digest: string; expected: string}> = []
  for (const {digests} of v.groups) {
    for (const d of digests) {
      const files = Array.isArray(d.doc.logFiles) ? (d.doc.logFiles as Array<Record<string, unknown>>) : []
      for (const f of files) {
        if (typeof f.s3Object !== 'string') continue
        const key = awsLogsPath(f.s3Object)
        listed.add(key)
        checks.push({key, digest: d.entry.key, expected: String(f.hashValue ?? '').toLowerCase()})
      }
    }
  }
  const task = ctx.progress.task('validating CloudTrail log files', checks.length)
  await forEachBounded(checks, 16, ctx.signal, async (c) => {
    const read = archived.has(c.key) ? {actual: archived.get(c.key)} : await hashLogFile(ctx, source, c.key)
    if (read === undefined) report.logFiles.push({key: c.key, digest: c.digest, status: 'unreadable', expectedSha256: c.expected})
    else {
      const status: LogFileStatus = read.actual === undefined ? 'missing' : read.actual === c.expected ? 'ok' : 'altered'
      report.logFiles.push({key: c.key, digest: c.digest, status, expectedSha256: c.expected, ...(read.actual === undefined ? {} : {actualSha256: read.actual})})
    }
    task.advance()
  })
  task.done()
  return listed
}

/** The SHA-256 of a log file's inflated bytes (`actual` undefined: the file is missing); undefined when it could not be read (a gap). */
async function hashLogFile(ctx: AwsContext, source: ArchiveSource, key: string): Promise<{actual: string | undefined} | undefined> {
  const call = {collector: cloudtrailDigestCollector.id, resource: source.uri(key), operation: source.kind === 's3' ? 's3:GetObject' : 'read of the file'}
  let read = false
  const bytes = await ctx.gaps.attempt(call, async () => {
    const got = await source.read(key, ctx.signal)
    read = true
    return got
  })
  if (!read) return undefined
  return {actual: bytes === undefined ? undefined : await inflate(bytes).then(sha256Hex, () => sha256Hex(bytes))}
}

/** Log files read from the archive but named by no digest, inside the span the digests cover. */
function findUnlisted(v: Validation, archived: ReadonlyMap<string, string>, listed: ReadonlySet<string>): void {
  for (const [key, actual] of archived) {
    if (listed.has(key)) continue
    const group = v.groups.find((g) => key.startsWith(`${g.partition.prefix}CloudTrail/${g.region}/`))
    const delivered = deliveryTime(key)?.getTime()
    const first = group?.digests[0]?.entry.digestStartTime
    const last = group?.digests.at(-1)?.entry.digestEndTime
    if (!group || delivered === undefined || !first || !last) continue
    if (delivered >= Date.parse(first) && delivered <= Date.parse(last)) v.report.logFiles.push({key, digest: null, status: 'not-in-digest', actualSha256: actual})
  }
}

/** Findings from every digest and log file that is not right, and the counts. */
function summarise(report: ValidationReport, groups: readonly DigestGroup[]): void {
  report.logFiles.sort((a, b) => a.key.localeCompare(b.key))
  for (const g of groups) report.digests.push(...g.digests.map((d) => d.entry))
  for (const d of report.digests) {
    if (d.status !== 'valid') report.findings.push({type: d.status, key: d.key, message: `digest ${d.status}${d.reason ? `: ${d.reason}` : ''}`})
  }
  for (const f of report.logFiles) {
    if (f.status === 'altered') report.findings.push({type: 'altered', key: f.key, message: `SHA-256 ${f.actualSha256} differs from ${f.expectedSha256} in ${f.digest}`})
    if (f.status === 'missing') report.findings.push({type: 'missing', key: f.key, message: `log file listed in ${f.digest} is missing`})
    if (f.status === 'not-in-digest') report.findings.push({type: 'not-in-digest', key: f.key, message: 'log file delivered within the digests\' span but listed by none of them'})
  }
  report.summary = {
    digests: report.digests.length,
    validDigests: report.digests.filter((d) => d.status === 'valid').length,
    logFiles: report.logFiles.length,
    okLogFiles: report.logFiles.filter((f) => f.status === 'ok').length,
    findings: report.findings.length,
  }
  report.status = report.findings.length > 0 ? 'invalid' : report.digests.length === 0 ? 'unvalidated' : 'valid'
  if (report.status === 'unvalidated') {
    report.unvalidatedReason = `no CloudTrail digest file under ${report.source}${report.window ? ` for ${report.window.since} to ${report.window.until}` : ''}: nothing vouches for the log files (log file validation off, or the digests not copied)`
  }
}

async function loadDigest(ctx: AwsContext, source: ArchiveSource, key: string, partition: ArchivePartition, region: string, options: DigestValidationOptions): Promise<LoadedDigest> {
  const signal = ctx.signal
  const entry: DigestEntry = {key, account: partition.account, region, status: 'valid', logFiles: 0}
  const got = await source.readWithMetadata(key, signal)
  const bytes = got?.bytes
  const backfill = key.endsWith('_backfill.json.gz')
  if (backfill) entry.backfill = true
  const generatedAt = got?.metadata['backfill-generation-timestamp']
  const extra = {backfill, ...(generatedAt === undefined ? {} : {generatedAt})}
  let doc: Record<string, unknown> = {}
  let inflated: Buffer = Buffer.alloc(0)
  try {
    if (!bytes) throw new Error('digest file vanished while being read')
    inflated = await inflate(bytes)
    const parsed: unknown = JSON.parse(inflated.toString('utf8'))
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object')
    doc = parsed as Record<string, unknown>
  } catch (error) {
    return {...extra, entry: {...entry, status: 'invalid-format', reason: (error as Error).message}, doc}
  }
  if (typeof doc.digestStartTime === 'string') entry.digestStartTime = doc.digestStartTime
  if (typeof doc.digestEndTime === 'string') entry.digestEndTime = doc.digestEndTime
  entry.logFiles = Array.isArray(doc.logFiles) ? doc.logFiles.length : 0
  entry.previousDigest = typeof doc.previousDigestS3Object === 'string' ? awsLogsPath(doc.previousDigestS3Object) : null

  const meta = got?.metadata
  let signature = meta?.signature
  let algorithm = meta?.['signature-algorithm']
  if (signature !== undefined) entry.signatureSource = 's3-metadata'
  if (signature === undefined) {
    const sidecar = await source.read(`${key}.signature`, signal)
    if (sidecar) {
      signature = sidecar.toString('utf8').trim()
      entry.signatureSource = 'sidecar'
    }
  }
  if (signature === undefined && options.signatures) {
    const s = options.signatures[key] ?? options.signatures[awsLogsPath(key)] ?? options.signatures[path.posix.basename(key)] ?? options.signatures[source.uri(key)]
    if (s !== undefined) {
      signature = s.trim()
      entry.signatureSource = 'signatures-file'
    }
  }
  algorithm ??= typeof doc.digestSignatureAlgorithm === 'string' ? doc.digestSignatureAlgorithm : undefined

  if (options.storeDigests && bytes) {
    await ctx.run.putArtifact(['cloudtrail', region, partition.account, 'digest', path.posix.basename(key)], bytes, {
      kind: 'cloudtrail.digest',
      contentType: 'application/gzip',
      source: source.uri(key),
      collector: cloudtrailDigestCollector.id,
      region,
      attributes: {
        account: partition.account,
        archiveKey: key,
        signature: signature ?? null,
        signatureAlgorithm: algorithm ?? null,
        signatureSource: entry.signatureSource ?? null,
        digestStartTime: entry.digestStartTime ?? null,
        digestEndTime: entry.digestEndTime ?? null,
      },
    })
  }

  const required = ['digestPublicKeyFingerprint', 'digestS3Bucket', 'digestS3Object', 'previousDigestSignature', 'digestEndTime', 'digestStartTime']
  const absent = required.filter((k) => !(k in doc))
  if (absent.length > 0) return {...extra, entry: {...entry, status: 'invalid-format', reason: `missing ${absent.join(', ')}`}, doc}
  if (typeof doc.digestS3Object !== 'string' || awsLogsPath(doc.digestS3Object) !== awsLogsPath(key)) {
    return {...extra, entry: {...entry, status: 'moved', reason: `digest says it was delivered to ${String(doc.digestS3Object)}`}, doc}
  }
  if (signature === undefined || signature === '') return {...extra, entry: {...entry, status: 'unsigned', reason: 'no signature in S3 metadata, sidecar or --signatures'}, doc}
  if (algorithm !== undefined && algorithm !== 'SHA256withRSA') {
    return {...extra, entry: {...entry, status: 'unsupported-algorithm', reason: algorithm}, doc, signature}
  }
  // The signature check itself runs once the region's keys are known.
  return {...extra, entry, doc, signature, signingInput: Buffer.from(digestSigningString(doc, inflated))}
}

function checkSignature(d: LoadedDigest, keys: readonly DigestPublicKey[], tryAll: boolean): void {
  const fingerprint = String(d.doc.digestPublicKeyFingerprint)
  const input = d.signingInput
  if (!input || d.signature === undefined) return
  const matching = keys.filter((k) => k.fingerprint === fingerprint)
  const candidates = matching.length > 0 ? matching : tryAll ? keys : []
  if (candidates.length === 0) {
    d.entry.status = 'no-public-key'
    d.entry.reason = `no public key with fingerprint ${fingerprint}`
    return
  }
  const sig = /^[0-9a-fA-F]+$/.test(d.signature) ? Buffer.from(d.signature, 'hex') : Buffer.alloc(0)
  for (const k of candidates) {
    if (verifySignature('sha256', input, k.key, sig)) {
      d.entry.publicKey = k.fingerprint
      return
    }
  }
  d.entry.status = 'bad-signature'
  d.entry.reason = `signature does not verify with the key(s) ${candidates.map((k) => k.fingerprint).join(', ')}`
}

async function listPublicKeys(ctx: AwsContext, region: string, digests: LoadedDigest[], report: ValidationReport): Promise<DigestPublicKey[]> {
  // A backfill digest is signed when it is made, possibly long after the hour it covers.
  const hour = 3_600_000
  const generated = digests.flatMap((d) => (d.generatedAt && !Number.isNaN(Date.parse(d.generatedAt)) ? [Date.parse(d.generatedAt)] : []))
  const starts = [...digests.map((d) => d.entry.digestStartTime).filter((t): t is string => t !== undefined), ...generated.map((t) => new Date(t - hour).toISOString())].sort()
  const ends = [...digests.map((d) => d.entry.digestEndTime).filter((t): t is string => t !== undefined), ...generated.map((t) => new Date(t + hour).toISOString())].sort()
  const out: DigestPublicKey[] = []
  try {
    const client = ctx.aws.client(CloudTrailClient, region)
    const input = {...(starts[0] ? {StartTime: new Date(starts[0])} : {}), ...(ends.at(-1) ? {EndTime: new Date(ends.at(-1)!)} : {})}
    for await (const page of paginateListPublicKeys({client}, input, {abortSignal: ctx.signal})) {
      for (const k of page.PublicKeyList ?? []) {
        if (!k.Value || !k.Fingerprint) continue
        const key = tryKey(() => createPublicKey({key: Buffer.from(k.Value!), format: 'der', type: 'pkcs1'}))
        if (!key) continue
        out.push({fingerprint: k.Fingerprint, key, source: `cloudtrail:ListPublicKeys ${region}`})
        report.publicKeys.push({fingerprint: k.Fingerprint, source: `cloudtrail:ListPublicKeys ${region}`})
      }
    }
  } catch (error) {
    const e = error as Error
    const reason = `ListPublicKeys failed in ${region}: ${e.name}: ${e.message}; digest signatures cannot be checked (give --public-key for offline validation)`
    await ctx.gaps.add({...gapFor(error, {collector: cloudtrailDigestCollector.id, resource: `cloudtrail:ListPublicKeys ${region}`, region, operation: 'cloudtrail:ListPublicKeys'}), reason})
  }
  return out
}
