import {createHash, generateKeyPairSync, type KeyObject} from 'node:crypto'
import {appendFile, chmod, cp, mkdir, readFile, rm, symlink, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {fixedClock} from '../../src/core/clock.js'
import {computeSelfDigest, serializeManifest, type ArtifactRecord, type Manifest} from '../../src/evidence/manifest.js'
import {EvidenceRun} from '../../src/evidence/run.js'
import {localEd25519Signer} from '../../src/evidence/signing.js'
import {LocalDirectoryStore} from '../../src/evidence/stores/local.js'
import {deliveryFile, gz, jsonArtifact, ndjson, stratusRecords, type ArtifactSpec} from './evidence-case.js'

export const TAMPER_CASE = 'INC-T'

/** One sealed run of the tamper case, as written. */
export interface WrittenRun {
  runId: string
  prefix: string
  manifestKey: string
  journalKey: string
  manifestSha256: string
  artifacts: ArtifactRecord[]
}

/** A case of three sealed runs in a local store, each with artifacts the loader reads, and the head printed at the end of the last. */
export interface TamperCase {
  dir: string
  root: string
  store: LocalDirectoryStore
  caseId: string
  runs: WrittenRun[]
  head: string
  /** The public key the runs were signed with (PEM), when signed. */
  publicKey?: string
  /** Where a copy of the store's files can be put, outside the store. */
  outside: string
}

/** A StopLogging record and its eventID, from Stratus Red Team's detonation of cloudtrail-stop. */
export const stopLogging = (): Record<string, unknown> => stratusRecords('aws.defense-evasion.cloudtrail-stop').find((r) => r.eventName === 'StopLogging')!

const RUN_SPECS = (): ArtifactSpec[][] => [
  [deliveryFile(stratusRecords('aws.defense-evasion.cloudtrail-stop'), 'stop.json.gz'), jsonArtifact('lambda.aliases', ['lambda', 'us-east-1', 'payments', 'aliases.json'], {Aliases: []})],
  [deliveryFile(stratusRecords('aws.persistence.lambda-backdoor-function'), 'backdoor.json.gz'), jsonArtifact('lambda.aliases', ['lambda', 'us-east-1', 'billing', 'aliases.json'], {Aliases: []})],
  [jsonArtifact('lambda.aliases', ['lambda', 'us-east-1', 'audit', 'aliases.json'], {Aliases: []}), {segments: ['added', 'local', 'note.txt'], kind: 'file.added', body: 'seen at 09:00', contentType: 'text/plain'}],
]

/** Writes the tamper case; with `sign`, every manifest is signed with a fresh Ed25519 key. */
export async function tamperCase(dir: string, options: {sign?: boolean} = {}): Promise<TamperCase> {
  const root = path.join(dir, 'store')
  const keys = options.sign ? generateKeyPairSync('ed25519') : undefined
  const store = new LocalDirectoryStore(root, keys ? {signer: localEd25519Signer(keys.privateKey)} : {})
  const runs: WrittenRun[] = []
  let head = ''
  for (const [i, specs] of RUN_SPECS().entries()) {
    const run = await EvidenceRun.begin({store, caseId: TAMPER_CASE, command: 'test', parameters: {i}, clock: fixedClock(`2026-11-2${i}T10:00:00Z`, 1000)})
    const artifacts: ArtifactRecord[] = []
    for (const s of specs) artifacts.push(await run.putArtifact(s.segments, s.body, {kind: s.kind, contentType: s.contentType ?? 'application/octet-stream', source: s.source ?? 'test', collector: 'test'}))
    const sealed = await run.finish()
    head = sealed.head
    runs.push({runId: run.runId, prefix: run.prefix, manifestKey: sealed.manifestKey, journalKey: sealed.manifest.journal.key, manifestSha256: sealed.manifestSha256, artifacts})
  }
  const outside = path.join(dir, 'outside')
  await mkdir(outside, {recursive: true})
  return {dir, root, store, caseId: TAMPER_CASE, runs, head, outside, ...(keys ? {publicKey: keys.publicKey.export({type: 'spki', format: 'pem'}).toString()} : {})}
}

export const fileOf = (c: TamperCase, key: string): string => path.join(c.root, ...key.split('/'))

/** Opens a read-only evidence file for an edit, as an intruder with write access would. */
async function editable(p: string): Promise<void> {
  await chmod(p, 0o644)
}

/** Rewrites a file and puts its read-only mode back, so that only the change itself is left to find. */
export async function rewrite(p: string, edit: (bytes: Buffer) => Buffer | string): Promise<void> {
  await editable(p)
  await writeFile(p, edit(await readFile(p)))
  await chmod(p, 0o444)
}

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex')

/**
 * The forger's best move on a run: replace an artifact, write its new hash and size into the
 * manifest and compute the manifest's selfDigest again, so the manifest checks against itself.
 */
export async function resealWithForgedArtifact(c: TamperCase, run: WrittenRun, artifact: ArtifactRecord, forged: Buffer | string): Promise<Manifest> {
  await rewrite(fileOf(c, artifact.key), () => forged)
  const manifestPath = fileOf(c, run.manifestKey)
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest
  const target = manifest.artifacts.find((a) => a.key === artifact.key)!
  target.sha256 = sha(forged)
  target.size = Buffer.byteLength(forged)
  manifest.selfDigest = computeSelfDigest(manifest)
  await rewrite(manifestPath, () => serializeManifest(manifest))
  return manifest
}

/**
 * A forger who rewrites a run throughout: the artifact, its record in the custody journal (every
 * line's prevHash computed again, so the chain holds) and the manifest (hash, size, the journal's
 * last hash, selfDigest). Only an anchor outside the store (the case head, a signature) tells.
 */
export async function forgeRunThroughout(c: TamperCase, run: WrittenRun, artifact: ArtifactRecord, forged: Buffer | string): Promise<void> {
  const manifest = await resealWithForgedArtifact(c, run, artifact, forged)
  const record = manifest.artifacts.find((a) => a.key === artifact.key)!
  const journalPath = fileOf(c, run.journalKey)
  const lines = (await readFile(journalPath, 'utf8')).split('\n').filter((l) => l !== '')
  let prevHash = ''
  const rewritten = lines.map((line) => {
    const entry = JSON.parse(line) as {prevHash: string; type: string; artifact?: ArtifactRecord}
    entry.prevHash = prevHash
    if (entry.type === 'artifact' && entry.artifact?.key === artifact.key) entry.artifact = record
    const text = JSON.stringify(entry)
    prevHash = sha(text)
    return text
  })
  await rewrite(journalPath, () => rewritten.map((l) => `${l}\n`).join(''))
  manifest.journal.lastHash = prevHash
  manifest.selfDigest = computeSelfDigest(manifest)
  await rewrite(fileOf(c, run.manifestKey), () => serializeManifest(manifest))
}

/** Replaces a path by a symbolic link to an identical copy of it outside the store. */
export async function replaceBySymlink(c: TamperCase, key: string): Promise<void> {
  const p = fileOf(c, key.replace(/\/$/, ''))
  const copy = path.join(c.outside, path.basename(p))
  await cp(p, copy, {recursive: true})
  await rm(p, {recursive: true, force: true})
  await symlink(copy, p)
}

export {appendFile, gz, ndjson, sha}
