import {createHash} from 'node:crypto'
import {CoronerError, usageError} from '../core/errors.js'
import {readManifest} from './cases.js'
import {MANIFEST_NAME, isRunId, runPrefix} from './keys.js'
import {computeSelfDigest, type ArtifactRecord, type Manifest} from './manifest.js'
import type {EvidenceStore} from './store.js'

/** One artifact of a run, re-read from the store and checked against its manifest. */
export interface VerifiedArtifact {
  record: ArtifactRecord
  bytes: Buffer
}

/**
 * The artifacts of one kind in a sealed run of a case, each re-read (by its recorded VersionId)
 * and checked against the SHA-256 the manifest gives it; the manifest itself is checked against
 * its own digest. Anything altered or missing is an error naming it: what a later step acts on
 * (an undo) is only ever what was recorded.
 */
export async function readRunArtifacts(store: EvidenceStore, caseId: string, runId: string, kind: string): Promise<{manifest: Manifest; artifacts: VerifiedArtifact[]}> {
  if (!isRunId(runId)) throw usageError('invalid-run-id', `${JSON.stringify(runId)} is not a run id.`, `Run ids look like 20261124T120000123Z-1a2b3c; \`coroner case show ${caseId}\` lists them.`)
  const manifestKey = `${runPrefix(caseId, runId)}${MANIFEST_NAME}`
  let original: {versionId?: string} | undefined
  // Versions come newest first: the last one seen is the manifest as first written.
  for await (const info of store.list(runPrefix(caseId, runId))) if (info.key === manifestKey && !info.deleteMarker) original = info.versionId === undefined ? {} : {versionId: info.versionId}
  if (!original) {
    throw usageError('unknown-run', `Case ${caseId} has no sealed run ${runId} in ${store.location}.`, `\`coroner case show ${caseId}\` lists its runs; a run that never sealed cannot be acted on.`)
  }
  const manifest = await readManifest(store, manifestKey, original.versionId)
  if (computeSelfDigest(manifest) !== manifest.selfDigest) throw altered(caseId, `manifest ${manifestKey} was edited after it was sealed`)
  const artifacts: VerifiedArtifact[] = []
  for (const record of manifest.artifacts.filter((a) => a.kind === kind)) {
    if (!(await store.exists(record.key))) throw altered(caseId, `${record.key} is missing`)
    const chunks: Buffer[] = []
    for await (const chunk of await store.get(record.key, record.versionId)) chunks.push(Buffer.from(chunk as Uint8Array))
    const bytes = Buffer.concat(chunks)
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    if (sha256 !== record.sha256) throw altered(caseId, `${record.key} hashes to ${sha256}, its manifest says ${record.sha256}`)
    artifacts.push({record, bytes})
  }
  return {manifest, artifacts}
}

function altered(caseId: string, what: string): CoronerError {
  return new CoronerError('evidence-altered', `Evidence of case ${caseId} does not verify: ${what}.`, {
    hint: `Run \`coroner evidence verify --case ${caseId}\`; nothing is acted on from evidence that does not verify.`,
  })
}
