import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {importCloudTrail} from '../../../support/cloudtrail-steps.js'
import {LocalDirectoryStore} from '../../../../src/evidence/stores/local.js'
import {verifyCase} from '../../../../src/evidence/verify.js'
import {testContext} from '../../../support/context.js'
import {tempDir} from '../../../support/temp.js'

describe('import cloudtrail of a gzip that inflates beyond reason', () => {
  it('records it as too-large, keeps its bytes and imports the other files', async () => {
    const dir = await tempDir()
    const input = path.join(dir, 'handed-over')
    await mkdir(input)
    const record = {eventTime: '2026-11-20T10:00:00Z', eventName: 'GetFunction', eventSource: 'lambda.amazonaws.com', eventID: 'e-1'}
    await writeFile(path.join(input, 'a-good.json'), JSON.stringify({Records: [record]}))
    // 640 gzip members of 1 MiB of zeros each: about 650 KiB on disk, 640 MiB inflated.
    const member = gzipSync(Buffer.alloc(1024 * 1024))
    await writeFile(path.join(input, 'b-bomb.json.gz'), Buffer.concat(Array.from({length: 640}, () => member)))
    const store = new LocalDirectoryStore(path.join(dir, 'store'))

    const result = await importCloudTrail(testContext(store), 'INC-BOMB', [input])

    expect(result).toMatchObject({status: 'partial', files: 2, converted: 1, malformed: 1, records: 1})
    expect(result.problems).toEqual([expect.objectContaining({code: 'too-large', file: expect.stringContaining('b-bomb.json.gz')})])
    const v = await verifyCase(store, 'INC-BOMB')
    expect(v.ok).toBe(true)
    expect(v.artifacts.map((a) => path.posix.basename(a.key)).sort()).toEqual(['a-good.json', 'a-good.ndjson.gz', 'b-bomb.json.gz'])
  })
})
