import {Readable} from 'node:stream'
import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {ExportScanner} from '../../../src/collectors/export-scan.js'

async function scan(bytes: Buffer, chunk = 7): Promise<{passed: Buffer; scanner: ExportScanner}> {
  const scanner = new ExportScanner()
  const parts: Buffer[] = []
  for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk))
  const out: Buffer[] = []
  for await (const c of Readable.from(parts).pipe(scanner)) out.push(c as Buffer)
  return {passed: Buffer.concat(out), scanner}
}

describe('ExportScanner', () => {
  it('passes bytes through unchanged and counts lines split across chunks', async () => {
    const text = '2026-11-20T10:00:00.000Z first\n\n2026-11-20T10:00:01.000Z second\nno timestamp here\n2026-11-20T10:00:02.000Z last, no newline'
    const gz = gzipSync(text)
    const {passed, scanner} = await scan(gz, 3)
    expect(passed.equals(gz)).toBe(true)
    expect(scanner.result()).toEqual({lines: 4, firstTime: '2026-11-20T10:00:00.000Z', lastTime: '2026-11-20T10:00:02.000Z'})
  })

  it('keeps every byte of a corrupt gzip and reports why it could not be read', async () => {
    const gz = gzipSync('2026-11-20T10:00:00.000Z a\n'.repeat(1000))
    const corrupt = Buffer.from(gz)
    corrupt.fill(0x41, 40, 80)
    const {passed, scanner} = await scan(corrupt, 64)
    expect(passed.equals(corrupt)).toBe(true)
    expect(scanner.result().error).toEqual(expect.any(String))
  })
})
