import {CoronerError} from '../../core/errors.js'
import {cutText, escapeControls} from '../../core/text.js'
import {hashStream} from '../../evidence/hashing.js'
import type {EvidenceStore} from '../../evidence/store.js'
import type {PackageRef} from './packages.js'
import {evidenceRange} from './range-reader.js'
import {walkArchive, type ContentResult} from './zip-walk.js'

/**
 * Re-hashes a package in the store against the SHA-256 its manifest recorded (as the case database
 * holds it) before anything is read from it: bytes shown always come from verified evidence.
 */
export async function verifyPackage(store: EvidenceStore, pkg: PackageRef): Promise<{size: number}> {
  const {sha256, size} = await hashStream(await store.get(pkg.artifactKey, pkg.versionId ?? undefined))
  if (sha256 !== pkg.artifactSha256) {
    throw new CoronerError('evidence-altered', `Evidence object ${pkg.artifactKey} hashes to ${sha256}, its manifest records ${pkg.artifactSha256}: nothing is read from it.`, {
      hint: 'Run `coroner evidence verify --case X` to see what changed in the store.',
    })
  }
  return {size}
}

/** The first bytes of one entry of a verified package, and whether they were cut. */
export interface EntryBytes {
  bytes: Buffer
  /** Bytes the entry inflated to. */
  size: number
  cut: boolean
  read: ContentResult | null
}

/**
 * Reads some entries (by position in the central directory, each up to its own byte limit) of a
 * package verified just before, in one pass through byte ranges: the package is never extracted
 * and nothing is written anywhere.
 */
export async function readEntries(store: EvidenceStore, pkg: PackageRef, size: number, wanted: ReadonlyMap<number, number>): Promise<Map<number, EntryBytes>> {
  const found = new Map<number, EntryBytes>()
  await walkArchive(evidenceRange(store, pkg.artifactKey, pkg.versionId ?? undefined), size, {
    anomaly: () => {},
    async entry(e, content) {
      const max = wanted.get(e.index)
      if (max === undefined) return
      const chunks: Buffer[] = []
      let kept = 0
      const read = content === null ? null : await content((chunk) => {
        if (kept < max) chunks.push(chunk.subarray(0, max - kept))
        kept += chunk.length
      })
      found.set(e.index, {bytes: Buffer.concat(chunks), size: read?.bytes ?? 0, cut: (read?.bytes ?? 0) > max, read})
    },
  })
  return found
}

const MAGIC: Array<[Buffer, string]> = [
  [Buffer.from([0x7f, 0x45, 0x4c, 0x46]), 'ELF executable or shared object'],
  [Buffer.from([0xcf, 0xfa, 0xed, 0xfe]), 'Mach-O 64-bit'],
  [Buffer.from('MZ'), 'PE/DOS executable'],
  [Buffer.from([0x1f, 0x8b]), 'gzip'],
  [Buffer.from('PK\u0003\u0004', 'latin1'), 'zip (an archive inside the archive)'],
  [Buffer.from([0x00, 0x61, 0x73, 0x6d]), 'WebAssembly'],
  [Buffer.from([0xca, 0xfe, 0xba, 0xbe]), 'Java class or Mach-O universal'],
  [Buffer.from('#!'), 'script with an interpreter line'],
]

/** What a binary is, from its first bytes, and the printable strings it holds (escaped, a few). */
export function binarySummary(bytes: Buffer): {kind: string; head: string; strings: string[]} {
  const kind = MAGIC.find(([m]) => bytes.subarray(0, m.length).equals(m))?.[1] ?? (bytes.length > 4 && bytes[2] === 0x0d && bytes[3] === 0x0a ? 'Python bytecode' : 'data')
  const strings = (bytes.toString('latin1').match(/[\x20-\x7e]{8,}/g) ?? []).slice(0, 20).map((s) => cutText(escapeControls(s), 120))
  return {kind, head: bytes.subarray(0, 32).toString('hex').replace(/(..)(?=.)/g, '$1 '), strings}
}
