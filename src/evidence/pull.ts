import {readdir} from 'node:fs/promises'
import path from 'node:path'
import type {Progress} from '../core/progress.js'
import {CoronerError, ExitCode, usageError} from '../core/errors.js'
import {JOURNAL_NAME, MANIFEST_NAME, casePrefix, parseKey, runPrefix} from './keys.js'
import {LocalDirectoryStore} from './stores/local.js'
import type {ArtifactRecord, Manifest} from './manifest.js'
import {EvidenceHashMismatchError, type EvidenceStore, type ObjectInfo} from './store.js'
import {verifyCase, type CaseVerification} from './verify.js'

export interface PullResult {
  caseId: string
  from: string
  to: string
  runs: number
  objects: number
  bytes: number
  /** Objects of the case in the source that no manifest or journal names, left behind. */
  notPulled: string[]
  verification: CaseVerification
}

type JournalArtifact = Pick<ArtifactRecord, 'key' | 'sha256' | 'size'> & {versionId?: string; contentType?: string}

/**
 * Copies a case from any store into a local directory that becomes a store of its own (same keys,
 * read-only files): each artifact is read by its recorded VersionId and written only if its
 * SHA-256 matches the manifest (or, for a run that never sealed, its journal). The first mismatch
 * stops the pull, naming the key. Then the copy is verified as a whole.
 */
export async function pullCase(source: EvidenceStore, caseId: string, dir: string, progress?: Progress): Promise<PullResult> {
  const target = path.resolve(dir)
  const caseDir = path.join(target, 'cases', caseId)
  if (await readdir(caseDir).then(() => true, () => false)) {
    throw usageError('pull-target-exists', `${caseDir} already exists; pull never overwrites evidence.`, 'Pull into an empty directory, or remove the earlier copy first.')
  }
  const runs = new Map<string, Map<string, ObjectInfo[]>>()
  for await (const info of source.list(casePrefix(caseId))) {
    const parsed = parseKey(info.key)
    if (!parsed) continue
    let objects = runs.get(parsed.runId)
    if (!objects) runs.set(parsed.runId, (objects = new Map()))
    objects.set(info.key, [...(objects.get(info.key) ?? []), info])
  }
  if (runs.size === 0) throw usageError('unknown-case', `No case ${caseId} in ${source.location}.`, 'Run `coroner case list`, or check --store.')

  const dest = new LocalDirectoryStore(target)
  const result: Omit<PullResult, 'verification'> = {caseId, from: source.location, to: dest.location, runs: runs.size, objects: 0, bytes: 0, notPulled: []}
  const task = progress?.task(`pulling ${caseId}`, runs.size)
  try {
    for (const runId of [...runs.keys()].sort()) {
      const objects = runs.get(runId)!
      const prefix = runPrefix(caseId, runId)
      const journalKey = `${prefix}${JOURNAL_NAME}`
      const manifestKey = `${prefix}${MANIFEST_NAME}`
      const journalArtifacts: JournalArtifact[] = []
      const journal = await dest.openJournal(journalKey)
      for await (const line of source.readJournal(journalKey)) {
        await journal.append(line)
        try {
          const entry = JSON.parse(line) as {type?: string; artifact?: JournalArtifact}
          if (entry.type === 'artifact' && entry.artifact) journalArtifacts.push(entry.artifact)
        } catch {
          // verify names a journal line that is not JSON; the line is copied as it is.
        }
      }
      await journal.close()

      let manifestText: string | undefined
      const manifestVersion = original(objects.get(manifestKey))
      if (manifestVersion) manifestText = await readText(source, manifestKey, manifestVersion.versionId)
      let artifacts: JournalArtifact[] = journalArtifacts
      if (manifestText !== undefined) {
        try {
          artifacts = (JSON.parse(manifestText) as Manifest).artifacts
        } catch {
          // An unreadable manifest is copied as it is; the journal says what to pull.
        }
      }
      const pulled = new Set([journalKey, manifestKey])
      for (const a of artifacts) {
        // A run only ever writes under its own prefix; a listed key elsewhere was put there by hand.
        if (typeof a.key !== 'string' || !a.key.startsWith(prefix)) {
          throw new CoronerError('pull-key-outside-run', `Run ${runId} of case ${caseId} in ${source.location} lists artifact ${JSON.stringify(a.key)}, outside the run's own prefix ${prefix}; the pull stopped and it was not copied.`, {
            exitCode: ExitCode.findings,
            hint: `Run \`coroner evidence verify --case ${caseId}\` on the source store: its manifest or journal was altered.`,
          })
        }
        pulled.add(a.key)
        try {
          const stored = await dest.put(a.key, await source.get(a.key, a.versionId), {
            expectSha256: a.sha256,
            ...(a.contentType === undefined ? {} : {contentType: a.contentType}),
          })
          result.objects++
          result.bytes += stored.size
        } catch (error) {
          if (error instanceof EvidenceHashMismatchError) {
            throw new CoronerError('pull-hash-mismatch', `Evidence object ${a.key}${a.versionId === undefined ? '' : ` (version ${a.versionId})`} in ${source.location} hashes to ${error.actual}, but the manifest records ${a.sha256}; the pull stopped and it was not copied.`, {
              exitCode: ExitCode.findings,
              hint: `Run \`coroner evidence verify --case ${caseId}\` on the source store to see every problem.`,
              cause: error,
            })
          }
          throw error
        }
      }
      if (manifestText !== undefined) {
        await dest.put(manifestKey, manifestText, {contentType: 'application/json'})
        result.objects++
      }
      for (const key of objects.keys()) {
        if (!pulled.has(key) && !key.startsWith(`${journalKey}.d/`)) result.notPulled.push(key)
      }
      task?.advance()
    }
  } finally {
    task?.done()
  }
  return {...result, verification: await verifyCase(dest, caseId)}
}

/** The version written first (versions are listed newest first), skipping delete markers. */
function original(versions: ObjectInfo[] | undefined): ObjectInfo | undefined {
  if (!versions) return undefined
  for (let i = versions.length - 1; i >= 0; i--) if (!versions[i]!.deleteMarker) return versions[i]
  return undefined
}

async function readText(store: EvidenceStore, key: string, versionId?: string): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of await store.get(key, versionId)) chunks.push(Buffer.from(c as Uint8Array))
  return Buffer.concat(chunks).toString('utf8')
}
