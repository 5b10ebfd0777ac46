// Zip archives built byte by byte, as zip tools write them (local headers, central directory, end
// record; ZIP64 end records past 65,535 entries), with switches for what hostile archives do.
// Shared by the benchmarks and the tests (test/support/zip-builder.ts), so it is plain JavaScript.
import {crc32, deflateRawSync} from 'node:zlib'

/**
 * @typedef {object} ZipEntrySpec
 * @property {string | Buffer} name
 * @property {string | Buffer} [data]
 * @property {boolean} [deflate] compress the data with DEFLATE
 * @property {Buffer} [compressed] data already DEFLATE-compressed (a bomb built without holding what it inflates to)
 * @property {number} [mode] Unix st_mode (type and permissions), recorded with "made by Unix"
 * @property {boolean} [encrypted] set general purpose bit 0 (traditional encryption); the data is written as given
 * @property {number} [declaredSize] the size the headers declare instead of the real one
 * @property {number} [crc] the CRC-32 the headers declare instead of the real one
 * @property {number} [sameDataAs] point this central directory entry at an earlier entry's local entry (overlapping data)
 * @property {Date} [time] DOS modification time (UTC fields); default 2026-11-20 10:00:00
 */

function dosTime(d) {
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  }
}

/** Local header and central directory entry share these fields, at offsets 4 apart from `at`. */
function writeCommon(header, at, {flags, method, time, date, crc, csize, size, nameLength}) {
  header.writeUInt16LE(flags, at)
  header.writeUInt16LE(method, at + 2)
  header.writeUInt16LE(time, at + 4)
  header.writeUInt16LE(date, at + 6)
  header.writeUInt32LE(crc >>> 0, at + 8)
  header.writeUInt32LE(csize, at + 12)
  header.writeUInt32LE(size, at + 16)
  header.writeUInt16LE(nameLength, at + 20)
}

/** The end records: ZIP64 ones too when the counts do not fit in 16 bits. */
function endRecords(count, centralSize, offset, comment) {
  const out = []
  if (count > 0xffff) {
    const record = Buffer.alloc(56)
    record.writeUInt32LE(0x06064b50, 0)
    record.writeBigUInt64LE(44n, 4)
    record.writeUInt16LE(45, 12)
    record.writeUInt16LE(45, 14)
    record.writeBigUInt64LE(BigInt(count), 24)
    record.writeBigUInt64LE(BigInt(count), 32)
    record.writeBigUInt64LE(BigInt(centralSize), 40)
    record.writeBigUInt64LE(BigInt(offset), 48)
    const locator = Buffer.alloc(20)
    locator.writeUInt32LE(0x07064b50, 0)
    locator.writeBigUInt64LE(BigInt(offset + centralSize), 8)
    locator.writeUInt32LE(1, 16)
    out.push(record, locator)
  }
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(Math.min(count, 0xffff), 8)
  end.writeUInt16LE(Math.min(count, 0xffff), 10)
  end.writeUInt32LE(centralSize, 12)
  end.writeUInt32LE(offset, 16)
  end.writeUInt16LE(comment.length, 20)
  return [...out, end, comment]
}

/**
 * A zip archive of `entries` (names UTF-8, flag bit 11), as one Buffer.
 * @param {ZipEntrySpec[]} entries
 * @param {{comment?: string}} [options]
 * @returns {Buffer}
 */
export function buildZip(entries, options = {}) {
  const locals = []
  const centrals = []
  const placed = []
  let offset = 0
  for (const e of entries) {
    const name = Buffer.isBuffer(e.name) ? e.name : Buffer.from(e.name, 'utf8')
    const raw = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data ?? '', 'utf8')
    const {time, date} = dosTime(e.time ?? new Date('2026-11-20T10:00:00Z'))
    const flags = 0x800 | (e.encrypted ? 1 : 0)
    let where = e.sameDataAs === undefined ? undefined : placed[e.sameDataAs]
    if (!where) {
      const data = e.compressed ?? (e.deflate ? deflateRawSync(raw) : raw)
      const method = e.compressed || e.deflate ? 8 : 0
      where = {offset, crc: e.crc ?? crc32(raw), csize: data.length, size: e.declaredSize ?? raw.length, method}
      const local = Buffer.alloc(30)
      local.writeUInt32LE(0x04034b50, 0)
      local.writeUInt16LE(20, 4)
      writeCommon(local, 6, {flags, method, time, date, crc: where.crc, csize: where.csize, size: where.size, nameLength: name.length})
      locals.push(local, name, data)
      offset += local.length + name.length + data.length
    }
    placed.push(where)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(e.mode === undefined ? 20 : (3 << 8) | 20, 4)
    central.writeUInt16LE(20, 6)
    writeCommon(central, 8, {flags, method: where.method, time, date, crc: where.crc, csize: where.csize, size: where.size, nameLength: name.length})
    central.writeUInt32LE(e.mode === undefined ? 0 : (e.mode << 16) >>> 0, 38)
    central.writeUInt32LE(where.offset, 42)
    centrals.push(central, name)
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0)
  return Buffer.concat([...locals, ...centrals, ...endRecords(entries.length, centralSize, offset, Buffer.from(options.comment ?? '', 'utf8'))])
}
