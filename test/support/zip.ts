import {buildZip} from './zip-builder.js'

/** A minimal, valid zip archive (stored, no compression) holding the given files. */
export function makeZip(files: Record<string, string>): Buffer {
  return buildZip(Object.entries(files).map(([name, data]) => ({name, data})))
}
