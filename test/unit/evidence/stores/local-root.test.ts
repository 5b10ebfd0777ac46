import {existsSync} from 'node:fs'
import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {LocalDirectoryStore} from '../../../../src/evidence/stores/local.js'
import {coroner, type Envelope} from '../../../support/cli.js'
import {tempDir} from '../../../support/temp.js'

const importInto = async (store: string) => {
  const dir = await tempDir()
  const input = path.join(dir, 'in.json')
  await writeFile(input, JSON.stringify({Records: [{eventVersion: '1.08', eventID: 'e-1', eventTime: '2026-11-19T10:00:00Z', eventName: 'GetFunction', eventSource: 'lambda.amazonaws.com'}]}))
  const out = await coroner(['import', 'cloudtrail', input, '--case', 'INC-STORE', '--store', store, '--json'])
  return {out, env: JSON.parse(out.stdout) as Envelope<never>}
}

describe('a local --store that cannot hold evidence is refused at once, exit 2, the path named', () => {
  it('a file, or a path under a file: store-not-a-directory, not an internal ENOTDIR', async () => {
    const file = path.join(await tempDir(), 'notes.txt')
    await writeFile(file, 'x')
    for (const store of [file, path.join(file, 'cases')]) {
      const {out, env} = await importInto(store)
      expect(out.error?.oclif?.exit, store).toBe(2)
      expect(env.error).toMatchObject({code: 'store-not-a-directory', message: expect.stringContaining(`${file} is a file`), hint: expect.stringContaining('--store')})
    }
  })

  it('/proc (and /sys, /dev): store-unusable at once, never walked', async () => {
    for (const store of ['/proc', '/sys/kernel', '/dev/shm/x']) {
      const {out, env} = await importInto(store)
      expect(out.error?.oclif?.exit, store).toBe(2)
      expect(env.error).toMatchObject({code: 'store-unusable', message: expect.stringContaining('kernel file system')})
    }
  })

  it.runIf(existsSync('/sys/kernel'))('a folder the file system refuses to write: store-read-only naming the store, not "path does not exist" (runs where sysfs exists)', async () => {
    // sysfs refuses mkdir to every user, root included: a real refusal by the file system.
    const store = new LocalDirectoryStore('/sys/kernel/coroner-evidence')
    await expect(store.put('cases/INC-RO/x.json', Buffer.from('{}'))).rejects.toMatchObject({code: 'store-read-only', exitCode: 2, message: expect.stringContaining('/sys/kernel/coroner-evidence')})
    await expect(store.openJournal('cases/INC-RO/runs/r/custody.jsonl')).rejects.toMatchObject({code: 'store-read-only'})
  })
})
