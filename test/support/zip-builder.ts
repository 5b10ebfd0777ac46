// The zip builder lives with the benchmarks' generators (plain JavaScript, so both can use it).
import {buildZip as build} from '../../bench/lib/generate-zip.js'

/** One entry of a zip built by a test: real bytes, plus the lies a hostile archive tells (bench/lib/generate-zip.js). */
export interface ZipEntrySpec {
  name: string | Buffer
  data?: string | Buffer
  deflate?: boolean
  compressed?: Buffer
  mode?: number
  encrypted?: boolean
  declaredSize?: number
  crc?: number
  sameDataAs?: number
  time?: Date
}

/** A zip archive built byte by byte, as zip tools write them, with switches for what hostile archives do. */
export const buildZip = (entries: ZipEntrySpec[], options: {comment?: string} = {}): Buffer => build(entries, options) as Buffer

export const FILE = 0o100644
export const EXECUTABLE = 0o100755
export const SYMLINK = 0o120777
