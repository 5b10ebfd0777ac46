import {describe, expect, it} from 'vitest'
import {formatBytes, progressFor, progressLine, terminalProgress} from '../../../src/core/progress.js'
import {verifyCase} from '../../../src/evidence/verify.js'
import {writeCase} from '../../support/evidence-case.js'
import {tempDir} from '../../support/temp.js'

describe('progress', () => {
  it('says objects, bytes, rate and time left, and is never wider than the terminal', () => {
    const s = {label: 'verifying INC-2026-0042', count: 120, total: 2000, bytes: 120 * 1024 * 1024, totalBytes: 2000 * 1024 * 1024, seconds: 10}
    expect(progressLine(s)).toBe('verifying INC-2026-0042: 120/2,000 (6%) 120.0 MiB/2.0 GiB 12.0 MiB/s ETA 2m37s')
    for (const width of [80, 40, 20, 10]) expect(progressLine({...s, label: 'x'.repeat(200)}, width).length).toBeLessThanOrEqual(width)
    expect(progressLine({...s, label: 'x'.repeat(200)}, 60)).toContain('120/2,000 (6%)')
    expect(formatBytes(512)).toBe('512 B')
  })

  it('draws each object as it is done on a terminal, a label from the attacker escaped, each line cut to the width', () => {
    const written: string[] = []
    const stream = {columns: 50, write: (s: string) => written.push(s)} as unknown as NodeJS.WriteStream
    let now = 0
    const task = terminalProgress(stream, () => now, 0).task('pulling \u001b[2Jcase')
    task.setTotal(3, 3000)
    for (let i = 0; i < 3; i++) {
      now += 1000
      task.advance(1, 1000)
    }
    task.done('3 objects')
    const lines = written.map((w) => w.replace(/^\r\u001B\[2K/, '').replace(/\n$/, ''))
    expect(lines.some((l) => l.includes('2/3 (66%)'))).toBe(true)
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(49)
    expect(written.join('')).not.toContain('\u001b[2J')
  })

  it('shows tasks running side by side on the one live line, and leaves a line for each that ends', () => {
    const written: string[] = []
    const stream = {columns: 80, write: (s: string) => written.push(s)} as unknown as NodeJS.WriteStream
    let now = 0
    const progress = terminalProgress(stream, () => now, 0)
    const a = progress.task('/aws/lambda/a')
    const b = progress.task('/aws/lambda/b')
    now += 1000
    a.advance(5)
    b.advance(7)
    // The live line is whatever follows the last line clear: both tasks are on it, within the width.
    const live = (): string => written.join('').split('\r\u001B[2K').pop()!
    expect(live()).toContain('5')
    expect(live()).toContain('7')
    expect(live()).toMatch(/\/aws\/lambda\/a.*│.*\/aws\/lambda\/b/)
    expect(live().length).toBeLessThanOrEqual(79)
    a.done('5 events')
    // a's summary stays on a line of its own; b is still drawn after it.
    expect(written.join('')).toContain('/aws/lambda/a: 5 events\n')
    expect(live()).toContain('/aws/lambda/b: 7')
    expect(live()).not.toContain('/aws/lambda/a')
    b.done()
    expect(written.join('').endsWith('\n')).toBe(true)
  })

  it('keeps the end of each label side by side on a narrow terminal, where log groups differ', () => {
    const written: string[] = []
    const stream = {columns: 50, write: (s: string) => written.push(s)} as unknown as NodeJS.WriteStream
    const progress = terminalProgress(stream, () => 0, 0)
    const a = progress.task('logs /aws/lambda/payments-api')
    progress.task('logs /aws/lambda/backdoor-func').advance(3)
    a.advance(2)
    const live = written.join('').split('\r\u001B[2K').pop()!
    expect(live.length).toBeLessThanOrEqual(49)
    expect(live).toMatch(/payments-api: 2 │ .*backdoor-func: 3$/)
  })
})

describe('progress of a command', () => {
  const stream = (isTTY: boolean) => {
    const written: string[] = []
    return {written, stream: {isTTY, columns: 80, write: (s: string) => written.push(s)} as unknown as NodeJS.WriteStream}
  }
  const use = (p: ReturnType<typeof progressFor>) => {
    const task = p.task('verifying INC-1')
    task.setTotal(2, 20)
    task.advance(1, 10)
    task.advance(1, 10)
    task.done()
  }

  it('is drawn on a terminal, and never with --json or off a terminal', () => {
    const tty = stream(true)
    use(progressFor(tty.stream, false))
    expect(tty.written.join('')).toContain('2/2 (100%)')
    for (const [isTTY, json] of [[true, true], [false, false], [false, true]] as const) {
      const s = stream(isTTY)
      use(progressFor(s.stream, json))
      expect(s.written).toEqual([])
    }
  })

  it('counts every object verify reads side by side, with its bytes, against the total it set', async () => {
    const specs = Array.from({length: 30}, (_, i) => ({segments: ['x', `a-${i}.json`], kind: 'test', body: JSON.stringify({i, pad: 'p'.repeat(i)}), contentType: 'application/json'}))
    const {store, records} = await writeCase(await tempDir(), 'INC-P', specs)
    const seen = {total: 0, totalBytes: 0, count: 0, bytes: 0}
    const task = {setTotal: (n: number, b = 0) => Object.assign(seen, {total: n, totalBytes: b}), advance: (n = 1, b = 0) => ((seen.count += n), (seen.bytes += b)), done() {}}
    expect((await verifyCase(store, 'INC-P', {progress: task})).ok).toBe(true)
    const bytes = records.reduce((n, r) => n + r.size, 0)
    expect(seen).toEqual({total: 30, totalBytes: bytes, count: 30, bytes})
  })
})
