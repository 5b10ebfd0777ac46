import {createHash} from 'node:crypto'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {GapLog} from '../../../src/evidence/gap-log.js'
import {importLogsExport, locateExportFile} from '../../../src/collectors/logs-export.js'
import {readManifest} from '../../../src/evidence/cases.js'
import {LocalDirectoryStore} from '../../../src/evidence/stores/local.js'
import {EvidenceRun} from '../../../src/evidence/run.js'
import {testContext} from '../../support/context.js'
import {tempDir} from '../../support/temp.js'

const TASK = '5b7e6a0c-3f1d-4c7e-9a2b-8d4f1e6c0a93'

/** An export folder as CloudWatch Logs writes it: `<prefix>/<task>/<stream>/000000.gz`, plus the access probe. */
async function exportFolder(): Promise<{prefix: string; files: Record<string, Buffer>}> {
  const prefix = path.join(await tempDir(), 'exportedlogs')
  const lines = (n: number, tag: string) => Array.from({length: n}, (_, i) => `2026-11-20T10:0${i}:00.000Z ${tag} line ${i}`).join('\n') + '\n'
  const whole = gzipSync(lines(5, 'START RequestId: a'))
  const nested = gzipSync(lines(3, 'END RequestId: b'))
  const big = gzipSync(Buffer.from(Array.from({length: 2000}, (_, i) => `2026-11-20T11:00:00.000Z ${createHash('sha256').update(String(i)).digest('hex')}`).join('\n')))
  const truncated = big.subarray(0, Math.floor(big.length / 2))
  const files: Record<string, Buffer> = {
    [`${TASK}/2026/11/20/[$LATEST]aaa/000000.gz`]: whole,
    [`${TASK}/2026/11/20/[$LATEST]aaa/000001.gz`]: nested,
    [`${TASK}/2026/11/20/[3]bbb/000000.gz`]: truncated,
  }
  for (const [rel, bytes] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(prefix, rel)), {recursive: true})
    await writeFile(path.join(prefix, rel), bytes)
  }
  await writeFile(path.join(prefix, '..', 'aws-logs-write-test'), 'Permission Check Successful')
  await writeFile(path.join(prefix, 'aws-logs-write-test'), 'Permission Check Successful')
  return {prefix, files}
}

describe('CloudWatch Logs export import', () => {
  it('finds task and stream from the layout, whether given the prefix or the task folder', () => {
    expect(locateExportFile('/x/exportedlogs', `/x/exportedlogs/${TASK}/2026/11/20/[1]s/000000.gz`)).toEqual({
      file: `/x/exportedlogs/${TASK}/2026/11/20/[1]s/000000.gz`,
      taskId: TASK,
      logStreamName: '2026/11/20/[1]s',
    })
    expect(locateExportFile(`/x/${TASK}`, `/x/${TASK}/stream-a/000000.gz`)).toMatchObject({taskId: TASK, logStreamName: 'stream-a'})
    expect(locateExportFile('/x/copy', '/x/copy/stream-a/000000.gz')).toEqual({file: '/x/copy/stream-a/000000.gz', logStreamName: 'stream-a'})
  })

  it('stores every file byte for byte; a truncated gzip is kept, flagged and a gap, and the rest lands', async () => {
    const {prefix, files} = await exportFolder()
    const root = await tempDir()
    const store = new LocalDirectoryStore(root)
    const ctx = testContext(store)
    const run = await EvidenceRun.begin({store, caseId: 'INC-EXP', command: 'import logs', parameters: {}, clock: ctx.clock})
    const gaps = new GapLog(run)
    const result = await importLogsExport({...ctx, caseId: 'INC-EXP', run, gaps}, [prefix], '/aws/lambda/payments-api')
    const manifest = await readManifest(store, (await run.finish()).manifestKey)
    expect(manifest.status).toBe('partial')

    expect(result.files.map((f) => [f.logStreamName, f.status, f.lines])).toEqual([
      ['2026/11/20/[$LATEST]aaa', 'complete', 5],
      ['2026/11/20/[$LATEST]aaa', 'complete', 3],
      ['2026/11/20/[3]bbb', 'partial', expect.any(Number)],
    ])
    expect(result.files[2]!.lines).toBeLessThan(2000)
    expect(gaps.gaps).toEqual([expect.objectContaining({code: 'truncated-gzip', collector: 'logs-export'})])
    expect(manifest.artifacts).toHaveLength(3)
    expect(manifest.artifacts.every((a) => a.kind === 'logs.export')).toBe(true)
    const originals = Object.values(files)
    for (const [i, a] of manifest.artifacts.entries()) {
      const stored = await readFile(path.join(root, ...a.key.split('/')))
      expect(stored.equals(originals[i]!)).toBe(true)
      expect(a.sha256).toBe(createHash('sha256').update(originals[i]!).digest('hex'))
    }
    expect(manifest.artifacts[0]!.attributes).toMatchObject({
      taskId: TASK,
      logGroupName: '/aws/lambda/payments-api',
      firstTime: '2026-11-20T10:00:00.000Z',
      lastTime: '2026-11-20T10:04:00.000Z',
      complete: true,
    })
    expect(manifest.artifacts[2]!.attributes).toMatchObject({complete: false, readError: expect.any(String)})
    expect(manifest.artifacts[0]!.key).toContain(`/logs-export/local/${TASK}/2026%2F11%2F20%2F%5B%24LATEST%5Daaa/000000.gz`)
  })
})
