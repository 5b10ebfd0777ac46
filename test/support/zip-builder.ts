import {crc32, deflateRawSync} from 'node:zlib'

/** One entry of a zip built by a test: real bytes, plus the lies a hostile archive tells. */
export interface ZipEntrySpec {
  name: string | Buffer
  data?: string | Buffer
  deflate?: boolean
  /** Unix st_mode (type and permissions), recorded with "made by Unix". */
  mode?: number
  /** Sets general purpose bit 0 (traditional encryption); the data is written as given. */
  encrypted?: boolean
  /** Size the headers declare instead of the real one. */
  declaredSize?: number
  /** CRC-32 the headers declare instead of the real one. */
  crc?: number
  /** Point this central directory entry at the local entry of an earlier one (overlapping data). */
  sameDataAs?: number
  /** DOS modification time (UTC fields); default 2026-11-20 10:00:00. */
  time?: Date
}

function dosTime(d: Date): {time: number; date: number} {
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  }
}

/**
 * A zip archive built byte by byte, as zip tools write them (local headers, central directory,
 * end record), with switches for what hostile archives do. Names are UTF-8 (flag bit 11).
 */
export function buildZip(entries: ZipEntrySpec[], options: {comment?: string} = {}): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  const placed: Array<{offset: number; crc: number; csize: number; size: number; method: number}> = []
  let offset = 0
  for (const e of entries) {
    const name = Buffer.isBuffer(e.name) ? e.name : Buffer.from(e.name, 'utf8')
    const raw = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data ?? '', 'utf8')
    const {time, date} = dosTime(e.time ?? new Date('2026-11-20T10:00:00Z'))
    const flags = 0x800 | (e.encrypted ? 1 : 0)
    let where = e.sameDataAs === undefined ? undefined : placed[e.sameDataAs]
    if (!where) {
      const data = e.deflate ? deflateRawSync(raw) : raw
      where = {offset, crc: e.crc ?? crc32(raw), csize: data.length, size: e.declaredSize ?? raw.length, method: e.deflate ? 8 : 0}
      const local = Buffer.alloc(30)
      local.writeUInt32LE(0x04034b50, 0)
      local.writeUInt16LE(20, 4)
      local.writeUInt16LE(flags, 6)
      local.writeUInt16LE(where.method, 8)
      local.writeUInt16LE(time, 10)
      local.writeUInt16LE(date, 12)
      local.writeUInt32LE(where.crc >>> 0, 14)
      local.writeUInt32LE(where.csize, 18)
      local.writeUInt32LE(where.size, 22)
      local.writeUInt16LE(name.length, 26)
      locals.push(local, name, data)
      offset += local.length + name.length + data.length
    }
    placed.push(where)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(e.mode === undefined ? 20 : (3 << 8) | 20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(flags, 8)
    central.writeUInt16LE(where.method, 10)
    central.writeUInt16LE(time, 12)
    central.writeUInt16LE(date, 14)
    central.writeUInt32LE(where.crc >>> 0, 16)
    central.writeUInt32LE(where.csize, 20)
    central.writeUInt32LE(where.size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(e.mode === undefined ? 0 : (e.mode << 16) >>> 0, 38)
    central.writeUInt32LE(where.offset, 42)
    centrals.push(central, name)
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0)
  const comment = Buffer.from(options.comment ?? '', 'utf8')
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(Math.min(entries.length, 0xffff), 8)
  end.writeUInt16LE(Math.min(entries.length, 0xffff), 10)
  end.writeUInt32LE(centralSize, 12)
  end.writeUInt32LE(offset, 16)
  end.writeUInt16LE(comment.length, 20)
  // More than 65,535 entries need the ZIP64 end records, which carry 64-bit counts.
  const zip64: Buffer[] = []
  if (entries.length > 0xffff) {
    const record = Buffer.alloc(56)
    record.writeUInt32LE(0x06064b50, 0)
    record.writeBigUInt64LE(44n, 4)
    record.writeUInt16LE(45, 12)
    record.writeUInt16LE(45, 14)
    record.writeBigUInt64LE(BigInt(entries.length), 24)
    record.writeBigUInt64LE(BigInt(entries.length), 32)
    record.writeBigUInt64LE(BigInt(centralSize), 40)
    record.writeBigUInt64LE(BigInt(offset), 48)
    const locator = Buffer.alloc(20)
    locator.writeUInt32LE(0x07064b50, 0)
    locator.writeBigUInt64LE(BigInt(offset + centralSize), 8)
    locator.writeUInt32LE(1, 16)
    zip64.push(record, locator)
  }
  return Buffer.concat([...locals, ...centrals, ...zip64, end, comment])
}

/** A Node.js or Python source file of a few lines. */
export const FILE = 0o100644
export const EXECUTABLE = 0o100755
export const SYMLINK = 0o120777
