import {toCoronerError} from '../core/errors.js'
import {firstWritten, type IndexedRun} from './case-index.js'
import {hashStream} from './hashing.js'
import type {ArtifactRecord} from './manifest.js'
import type {EvidenceStore, ObjectInfo} from './store.js'
import type {ArtifactCheck, IssueCode, IssueLog} from './verify-issues.js'

/** Where a key's evidence version stands (the recorded one, else the original): present, and whether a newer version or a delete marker lies over it. */
export interface LiveState {
  present: boolean
  /** The version the evidence is (the recorded one, else the first written). */
  target?: ObjectInfo
  overlaid?: string
  /** Why the recorded version is not there when other versions of the key are. */
  gone?: string
}

export function live(versions: readonly ObjectInfo[] | undefined, versionId?: string): LiveState {
  if (!versions || versions.length === 0) return {present: false}
  const unversioned = versions.every((v) => v.versionId === undefined)
  const target = versionId === undefined || unversioned ? firstWritten(versions) : versions.find((v) => v.versionId === versionId)
  if (!target || target.deleteMarker) {
    const standing = versions.find((v) => !v.deleteMarker)
    return {present: false, ...(versionId !== undefined && standing ? {gone: `version ${versionId} is gone; the key now holds version ${standing.versionId ?? '(none)'}`} : {})}
  }
  const latest = versions.find((v) => v.isLatest !== false) ?? target
  if (latest.deleteMarker) return {present: true, target, overlaid: 'a delete marker lies over it'}
  if (latest !== target) return {present: true, target, overlaid: `a newer version ${latest.versionId ?? ''} lies over it`}
  return {present: true, target}
}

/** A file a local store should not hold at an evidence key: a link or a special file. Returns whether the object can be read. */
export function readableObject(log: IssueLog, run: IndexedRun, key: string, state: LiveState, what: string): boolean {
  const t = state.target?.fileType
  if (t === 'symlink') log.run(run.runId, 'symlink', `${what} ${key} is a symbolic link: evidence is never read through a link, even to an identical copy`, key)
  else if (t === 'special') log.run(run.runId, 'special-file', `${what} ${key} is not a regular file (a pipe, socket or device)`, key)
  return t === undefined
}

/** Evidence files are made read-only when written; a write permission on one means someone changed it. */
export function modeIssue(info: ObjectInfo | undefined): string | undefined {
  if (info?.mode === undefined || (info.mode & 0o222) === 0) return undefined
  return `its permissions were changed to ${(info.mode & 0o777).toString(8).padStart(4, '0')}: coroner makes every evidence file read-only (0444) when it writes it`
}

/** Where the check of an artifact is reported. */
export type ArtifactLog = Pick<IssueLog, 'artifact'>

/** Checks one recorded object (an artifact): present, not a link, the same bytes, not overlaid, locked, still read-only. */
export async function checkArtifact(
  store: EvidenceStore,
  run: IndexedRun,
  a: Pick<ArtifactRecord, 'key' | 'sha256' | 'size' | 'versionId'>,
  opts: {log: ArtifactLog; locked: boolean; content: boolean},
): Promise<ArtifactCheck> {
  const {log} = opts
  const art: ArtifactCheck = {key: a.key, runId: run.runId, status: 'ok', expectedSha256: a.sha256, ...(a.versionId === undefined ? {} : {versionId: a.versionId})}
  const state = live(run.objects.get(a.key), a.versionId)
  if (!state.present) {
    const detail = state.gone ?? 'not in the store'
    return log.artifact({...art, status: 'missing', detail}, problem('artifact-missing', `artifact ${a.key} is missing: ${detail}`))
  }
  if (state.target?.fileType === 'symlink') return log.artifact({...art, status: 'linked', detail: 'a symbolic link'}, problem('symlink', `artifact ${a.key} is a symbolic link: evidence is never read through a link, even to an identical copy`))
  if (state.target?.fileType === 'special') return log.artifact({...art, status: 'unreadable', detail: 'not a regular file'}, problem('special-file', `artifact ${a.key} is not a regular file (a pipe, socket or device)`))
  if (opts.content) {
    let actual: {sha256: string; size: number}
    try {
      actual = await hashStream(await store.get(a.key, a.versionId ?? state.target?.versionId))
    } catch (error) {
      const reason = toCoronerError(error).message
      return log.artifact({...art, status: 'unreadable', detail: reason}, problem('artifact-unreadable', `artifact ${a.key} could not be read: ${reason}`))
    }
    art.actualSha256 = actual.sha256
    if (actual.sha256 !== a.sha256 || actual.size !== a.size) {
      const detail = `size ${actual.size}, expected ${a.size}`
      return log.artifact({...art, status: 'altered', detail}, problem('artifact-altered', `artifact ${a.key} was altered: SHA-256 ${actual.sha256} (${actual.size} bytes), recorded ${a.sha256} (${a.size} bytes)`))
    }
  }
  if (state.overlaid) return log.artifact({...art, status: 'overlaid', detail: state.overlaid}, problem('overlaid', `artifact ${a.key}: ${state.overlaid}`))
  if (opts.locked) {
    const issues = await store.checkObject!(a.key, a.versionId)
    if (issues.length > 0) {
      const detail = issues.map((i) => i.message).join('; ')
      return log.artifact({...art, status: 'unlocked', detail}, problem('unlocked', `artifact ${a.key}: ${detail}`))
    }
  }
  const mode = modeIssue(state.target)
  if (mode) return log.artifact({...art, status: 'writable', detail: mode}, problem('mode-changed', `artifact ${a.key}: ${mode}`))
  return log.artifact(art)
}

const problem = (code: IssueCode, message: string): {code: IssueCode; message: string} => ({code, message})
