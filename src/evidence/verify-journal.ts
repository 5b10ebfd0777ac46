import type {JournalChain, JournalEntry} from './journal.js'
import {canonicalJson, type ArtifactRecord, type Manifest} from './manifest.js'

/** One disagreement between a sealed run's journal and its manifest. */
export interface Disagreement {
  message: string
  key?: string
}

/** Fields of an artifact record a forger rewrites first, named one by one when they differ. */
const KEY_FIELDS = ['sha256', 'size', 'versionId'] as const

/**
 * A sealed run's custody journal against its manifest. The journal is hash-chained line by line
 * and was written as the run went, so a manifest rewritten afterwards (its selfDigest computed
 * again) still disagrees with it: every artifact record must be the same in both (hash, size,
 * VersionId and the rest), and so must what the run began and ended with.
 */
export function compareJournalWithManifest(manifest: Manifest, journal: JournalChain, journalKey: string): Disagreement[] {
  const out: Disagreement[] = []
  if (manifest.journal?.key !== journalKey) out.push({message: `manifest names journal ${String(manifest.journal?.key)}, but the run's journal is ${journalKey}`})
  if (manifest.journal?.lastHash !== journal.lastHash || manifest.journal?.entries !== journal.entries) {
    out.push({message: `journal ${journalKey} does not end where the manifest says: ${journal.entries} entries ending in ${journal.lastHash.slice(0, 16)}…, manifest says ${String(manifest.journal?.entries)} ending in ${String(manifest.journal?.lastHash).slice(0, 16)}…`, key: journalKey})
  }
  out.push(...compareArtifacts(manifest.artifacts, journal.artifacts))
  out.push(...compareOpening(manifest, journal.started))
  out.push(...compareEnding(manifest, journal))
  return out
}

function compareArtifacts(listed: readonly ArtifactRecord[], journalled: readonly ArtifactRecord[]): Disagreement[] {
  const out: Disagreement[] = []
  const byKey = new Map<string, ArtifactRecord>()
  for (const a of journalled) byKey.set(String(a.key), a)
  const seen = new Set<string>()
  for (const a of listed) {
    const key = String(a.key)
    if (seen.has(key)) out.push({message: `manifest lists artifact ${key} more than once`, key})
    seen.add(key)
    const j = byKey.get(key)
    if (!j) {
      out.push({message: `manifest lists artifact ${key}, which the custody journal never recorded`, key})
      continue
    }
    if (canonicalJson(a) === canonicalJson(j)) continue
    const fields = KEY_FIELDS.filter((f) => a[f] !== j[f]).map((f) => `${f} ${String(a[f])} in the manifest, ${String(j[f])} in the journal`)
    out.push({message: `artifact ${key} is recorded differently by the manifest and the custody journal: ${fields.length > 0 ? fields.join('; ') : 'its other fields differ'}`, key})
  }
  for (const key of byKey.keys()) if (!seen.has(key)) out.push({message: `the custody journal records artifact ${key}, which the manifest does not list`, key})
  return out
}

/** What the run began with, as the journal's first entry says and the manifest repeats. */
function compareOpening(manifest: Manifest, started: JournalEntry | undefined): Disagreement[] {
  if (!started) return [{message: 'the custody journal has no run-started entry'}]
  const fields: Array<[string, unknown, unknown]> = [
    ['caseId', manifest.caseId, started.caseId],
    ['runId', manifest.runId, started.runId],
    ['command', manifest.command, started.command],
    ['parameters', manifest.parameters, started.parameters],
    ['caller', manifest.caller, started.caller ?? null],
    ['previousManifest', manifest.previousManifest, started.previousManifest ?? null],
    ['runsBefore', manifest.runsBefore, started.runsBefore],
    ['signing', manifest.signing, started.signing],
  ]
  return fields
    .filter(([, m, j]) => canonicalJson(m ?? null) !== canonicalJson(j ?? null))
    .map(([name]) => ({message: `the manifest's ${name} differs from what the custody journal recorded when the run began`}))
}

/** How the run ended: its status and counts, as the journal's last entries say. */
function compareEnding(manifest: Manifest, journal: JournalChain): Disagreement[] {
  const ended = journal.ended
  if (!ended) return [{message: 'the custody journal has no run-ended entry, but the run has a manifest'}]
  const out: Disagreement[] = []
  if (ended.status !== manifest.status) out.push({message: `the manifest says the run ended ${manifest.status}, the custody journal ${String(ended.status)}`})
  if (ended.artifacts !== manifest.artifacts.length) out.push({message: `the manifest lists ${manifest.artifacts.length} artifact(s), the custody journal's run-ended entry ${String(ended.artifacts)}`})
  if (ended.gaps !== manifest.gaps || journal.gaps !== manifest.gaps) out.push({message: `the manifest counts ${manifest.gaps} gap(s), the custody journal ${journal.gaps}`})
  if (canonicalJson(journal.warnings) !== canonicalJson(manifest.warnings ?? [])) out.push({message: "the manifest's warnings differ from those the custody journal recorded"})
  return out
}
