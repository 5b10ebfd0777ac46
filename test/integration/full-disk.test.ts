import {spawnSync} from 'node:child_process'
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it, onTestFinished} from 'vitest'
import {LocalDirectoryStore} from '../../src/evidence/local-store.js'
import {verifyCase} from '../../src/evidence/verify.js'
import {tempDir} from '../support/temp.js'

const bin = path.resolve(fileURLToPath(import.meta.url), '../../../bin/run.js')
const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0

// A real full disk needs a small file system: a tmpfs, which only root can mount.
describe.skipIf(!canMount)('a full disk (tmpfs of 256 KiB; skipped unless root can mount one)', () => {
  it('fails the write with a hint, removes the partial file and keeps every earlier artifact intact', async () => {
    const dir = await tempDir()
    const store = path.join(dir, 'store')
    await mkdir(store)
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', store])
    expect(mounted.status, mounted.stderr.toString()).toBe(0)
    onTestFinished(() => {
      spawnSync('umount', [store])
    })
    const small = path.join(dir, 'small.json')
    const big = path.join(dir, 'big.bin')
    await writeFile(small, '{"ok":true}')
    await writeFile(big, Buffer.alloc(1024 * 1024, 7))
    const first = spawnSync(process.execPath, [bin, 'evidence', 'add', small, '--case', 'INC-DISK', '--store', store])
    expect(first.status).toBe(0)
    const second = spawnSync(process.execPath, [bin, 'evidence', 'add', small, big, '--case', 'INC-DISK', '--store', store, '--json'])
    expect(second.status).toBe(6)
    const env = JSON.parse(second.stdout.toString()) as {error: {code: string; hint: string}}
    expect(env.error.code).toBe('fs-enospc')
    expect(env.error.hint).toMatch(/disk is full/)
    const v = await verifyCase(new LocalDirectoryStore(store), 'INC-DISK')
    expect(v.artifacts.map((a) => [path.basename(a.key), a.status])).toEqual([
      ['small.json', 'ok'],
      ['small.json', 'ok'],
    ])
    expect(v.runs.map((r) => r.status)).toEqual(['complete', 'failed'])
  })
})
