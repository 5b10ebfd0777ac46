import {createTwoFilesPatch} from 'diff'
import type {EvidenceStore} from '../../evidence/store.js'
import type {CodeFileChange, CodeVersionDiff} from './diff.js'
import {readEntries, verifyPackage} from './evidence-entry.js'
import {looksLikeText} from './file-sink.js'
import {codeRedactor} from './packages.js'
import type {CaseSecret} from '../secrets.js'

/** The unified diff of one changed (or added) text file, or why there is none. */
export interface FilePatch {
  path: string
  change: 'added' | 'changed'
  patch: string | null
  note: string | null
}

export interface PatchOptions {
  /** Lines of context around each change. */
  context: number
  /** A side larger than this is not diffed. */
  maxFileBytes: number
  /** Files diffed at most; the rest are counted. */
  maxFiles: number
  /** Secrets to show as `[redacted:NAME]` (codeSecrets: the case's and the function's environment values). */
  secrets: readonly CaseSecret[]
}

export const DEFAULT_PATCH_OPTIONS: PatchOptions = {context: 3, maxFileBytes: 1024 * 1024, maxFiles: 100, secrets: []}

/**
 * Unified diffs of the text files a version changed or added, from the bytes of both packages:
 * each package is re-hashed against its manifest first, then read once through byte ranges.
 */
export async function filePatches(store: EvidenceStore, diff: CodeVersionDiff, options: PatchOptions = DEFAULT_PATCH_OPTIONS): Promise<{patches: FilePatch[]; notDiffed: number}> {
  const candidates = [...diff.files.changed, ...diff.files.added].filter((f) => f.content === 'text').sort((a, b) => (a.path < b.path ? -1 : 1))
  const chosen = candidates.slice(0, options.maxFiles)
  if (chosen.length === 0) return {patches: [], notDiffed: 0}
  const read = async (side: 'old' | 'new', pkg: CodeVersionDiff['from']) => {
    const wanted = new Map(chosen.flatMap((f): Array<[number, number]> => (f.entryIndex[side] === null ? [] : [[f.entryIndex[side]!, options.maxFileBytes + 1]])))
    if (wanted.size === 0) return new Map()
    const {size} = await verifyPackage(store, pkg)
    return readEntries(store, pkg, size, wanted)
  }
  const [older, newer] = [await read('old', diff.from), await read('new', diff.to)]
  const redact = codeRedactor(options.secrets)
  const patches = chosen.map((f): FilePatch => {
    const o = f.entryIndex.old === null ? undefined : older.get(f.entryIndex.old)
    const n = newer.get(f.entryIndex.new!)
    const base = {path: f.path, change: f.change as FilePatch['change']}
    if (n === undefined || (f.change === 'changed' && o === undefined)) return {...base, patch: null, note: 'could not be read from the package'}
    if (n.cut || o?.cut === true) return {...base, patch: null, note: `larger than ${options.maxFileBytes} bytes: not diffed`}
    if (o !== undefined && !looksLikeText(o.bytes, true)) return {...base, patch: null, note: 'the older version is binary'}
    const text = (b: Buffer): string => redact(b.toString('utf8'))
    const patch = createTwoFilesPatch(oldName(f), `b/${f.path}`, o === undefined ? '' : text(o.bytes), text(n.bytes), `version ${diff.from.version}`, `version ${diff.to.version}`, {context: options.context, timeout: 5000})
    return patch === undefined ? {...base, patch: null, note: 'too different to diff within 5 s'} : {...base, patch, note: null}
  })
  return {patches, notDiffed: candidates.length - chosen.length}
}

const oldName = (f: CodeFileChange): string => (f.change === 'added' ? '/dev/null' : `a/${f.path}`)
