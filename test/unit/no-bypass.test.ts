import {readdir, readFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

const src = path.resolve(fileURLToPath(import.meta.url), '../../../src')

async function* files(dir: string): AsyncIterable<string> {
  for (const e of await readdir(dir, {withFileTypes: true})) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) yield* files(p)
    else if (e.name.endsWith('.ts')) yield p
  }
}

describe('governance retention is never bypassed', () => {
  it('no source file names BypassGovernanceRetention or its header', async () => {
    const offenders: string[] = []
    let scanned = 0
    for await (const f of files(src)) {
      scanned++
      const text = await readFile(f, 'utf8')
      if (/BypassGovernanceRetention|bypass-governance-retention/i.test(text.replace(/s3:BypassGovernanceRetention/g, ''))) offenders.push(path.relative(src, f))
    }
    expect(scanned).toBeGreaterThan(10)
    expect(offenders).toEqual([])
  })
})
