import {describe, expect, it} from 'vitest'
import {readManifest} from '../../../src/evidence/cases.js'
import {fixedClock} from '../../../src/core/clock.js'
import {readJournalChain} from '../../../src/evidence/journal.js'
import {EvidenceRun} from '../../../src/evidence/run.js'
import {LocalDirectoryStore} from '../../../src/evidence/stores/local.js'
import type {JournalWriter} from '../../../src/evidence/store.js'
import {verifyCase} from '../../../src/evidence/verify.js'
import {tempDir} from '../../support/temp.js'

/** A local store that counts the journal writes it is asked for. */
class CountingStore extends LocalDirectoryStore {
  writes: number[] = []
  override async openJournal(key: string): Promise<JournalWriter> {
    const inner = await super.openJournal(key)
    return {
      append: async (...lines) => {
        this.writes.push(lines.length)
        await inner.append(...lines)
      },
      close: () => inner.close(),
    }
  }
}

describe('journal group commit', () => {
  it('writes lines chained while a write is in flight together, in chain order, and the run verifies', async () => {
    const store = new CountingStore(await tempDir())
    const run = await EvidenceRun.begin({store, caseId: 'INC-1', command: 'test', parameters: {}, clock: fixedClock('2026-11-25T10:00:00Z', 1)})
    const put = (i: number) => run.putArtifact(['x', `a-${i}.json`], JSON.stringify({i}), {kind: 'test', contentType: 'application/json', source: `src-${i}`, collector: 'test'})
    await Promise.all(Array.from({length: 40}, (_, i) => put(i)))
    const sealed = await run.finish()
    // run-started, 40 artifacts, run-ended: every line written once, fewer writes than lines.
    expect(store.writes.reduce((a, b) => a + b, 0)).toBe(42)
    expect(store.writes.length).toBeLessThan(42)
    expect(Math.max(...store.writes)).toBeGreaterThan(1)
    const chain = await readJournalChain(store, sealed.manifest.journal.key)
    expect(chain.problems).toEqual([])
    expect(chain.entries).toBe(42)
    expect(chain.artifacts.map((a) => a.key)).toEqual((await readManifest(store, sealed.manifestKey)).artifacts.map((a) => a.key))
    expect(sealed.artifacts).toBe(40)
    expect((await verifyCase(store, 'INC-1')).ok).toBe(true)
  })

  it('resolves each line only once it is written, and a failed write fails its own lines alone', async () => {
    const store = new CountingStore(await tempDir())
    const run = await EvidenceRun.begin({store, caseId: 'INC-1', command: 'test', parameters: {}, clock: fixedClock('2026-11-25T10:00:00Z', 1)})
    let failNext = true
    const journal = (run as unknown as {journal: JournalWriter}).journal
    const append = journal.append.bind(journal)
    journal.append = async (...lines) => {
      if (failNext) {
        failNext = false
        throw new Error('disk full')
      }
      return append(...lines)
    }
    await expect(run.note('lost')).rejects.toThrow('disk full')
    await run.note('kept')
    expect(store.writes.length).toBeGreaterThan(0)
    const sealed = await run.finish()
    const lines: string[] = []
    for await (const l of store.readJournal(sealed.manifest.journal.key)) lines.push(l)
    expect(lines.some((l) => l.includes('"kept"'))).toBe(true)
    expect(lines.some((l) => l.includes('"lost"'))).toBe(false)
  })

  it('gives a second artifact of the same name in a run its own key, and a third', async () => {
    const store = new LocalDirectoryStore(await tempDir())
    const run = await EvidenceRun.begin({store, caseId: 'INC-1', command: 'test', parameters: {}, clock: fixedClock('2026-11-25T10:00:00Z', 1)})
    const meta = {kind: 'test', contentType: 'application/json', source: 'src', collector: 'test'}
    const keys = []
    for (const body of ['1', '2', '3']) keys.push((await run.putArtifact(['x', 'page.json'], body, meta)).key)
    keys.push((await run.putArtifact(['x', 'other'], '4', meta)).key, (await run.putArtifact(['x', 'other'], '5', meta)).key)
    await run.finish()
    expect(keys.map((k) => k.slice(k.indexOf('/x/') + 1))).toEqual(['x/page.json', 'x/page~2.json', 'x/page~3.json', 'x/other', 'x/other~2'])
  })
})
