import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {readdir, readFile, readlink, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {loadCase} from '../../src/analysis/load.js'
import {LocalDirectoryStore} from '../../src/evidence/stores/local.js'
import {verifyCase} from '../../src/evidence/verify.js'
import {deliveryFile, stratusRecords, writeCase} from '../support/evidence-case.js'
import {writeReportCase} from '../support/report-case.js'
import {tempDir} from '../support/temp.js'

const bin = path.resolve(fileURLToPath(import.meta.url), '../../../bin/run.js')

/** Starts `evidence add` over many files and sends `signal` once the first artifact is journalled. */
async function interruptAdd(signal: NodeJS.Signals): Promise<{store: string; code: number | null; stderr: string}> {
  const dir = await tempDir()
  const files: string[] = []
  for (let i = 0; i < 3000; i++) {
    const f = path.join(dir, `file-${String(i).padStart(4, '0')}.txt`)
    files.push(f)
    await writeFile(f, `content ${i}\n`)
  }
  const store = path.join(dir, 'store')
  const child = spawn(process.execPath, [bin, 'evidence', 'add', ...files, '--case', 'INC-INT', '--store', store], {stdio: ['ignore', 'ignore', 'pipe']})
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const runs = path.join(store, 'cases', 'INC-INT', 'runs')
  for (;;) {
    const journal = await readdir(runs)
      .then((r) => readFile(path.join(runs, r[0]!, 'custody.jsonl'), 'utf8'))
      .catch(() => '')
    if ((journal.match(/"type":"artifact"/g) ?? []).length >= 3) break
    await new Promise((r) => setTimeout(r, 20))
  }
  child.kill(signal)
  return {store, code: await exited, stderr}
}

/** Waits until process `pid` holds open a file `wanted` accepts, read from /proc (Linux). */
async function untilOpen(pid: number, wanted: (file: string) => boolean): Promise<void> {
  const fds = `/proc/${pid}/fd`
  for (;;) {
    const open = await Promise.all((await readdir(fds).catch(() => [])).map((fd) => readlink(path.join(fds, fd)).catch(() => '')))
    if (open.some(wanted)) return
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('an interrupted run keeps what it collected', () => {
  it('Ctrl-C seals the run as incomplete, exit 6, every artifact written so far intact', async () => {
    const {store, code, stderr} = await interruptAdd('SIGINT')
    expect(stderr).toMatch(/Interrupted/)
    expect(code).toBe(6)
    const v = await verifyCase(new LocalDirectoryStore(store), 'INC-INT')
    expect(v.runs).toHaveLength(1)
    expect(v.runs[0]!.status).toBe('incomplete')
    expect(v.artifacts.length).toBeGreaterThanOrEqual(3)
    expect(v.artifacts.length).toBeLessThan(3000)
    expect(v.artifacts.every((a) => a.status === 'ok')).toBe(true)
    expect(v.ok).toBe(true)
  })

  it('a killed process leaves an unsealed run whose journalled artifacts still verify', async () => {
    const {store, code} = await interruptAdd('SIGKILL')
    expect(code).toBeNull()
    const v = await verifyCase(new LocalDirectoryStore(store), 'INC-INT')
    expect(v.runs[0]!.status).toBe('unsealed')
    expect(v.runs[0]!.problems.join()).toMatch(/never finished/)
    const journalled = v.artifacts.filter((a) => a.status === 'ok')
    expect(journalled.length).toBeGreaterThanOrEqual(3)
    // Only the one write in flight at the kill can be left behind: its temporary file, its final
    // name (linked before the journal line was written), or both.
    const others = v.artifacts.filter((a) => a.status !== 'ok')
    for (const o of others) expect(o.status).toBe('extra')
    expect(new Set(others.map((o) => o.key.replace(/\.partial-[0-9a-f]+$/, ''))).size).toBeLessThanOrEqual(1)
  })
})

describe('an interrupted offline command', () => {
  // Whether the child has the database open is read from /proc: Linux only.
  it.skipIf(!existsSync('/proc/self/fd'))('stops the DuckDB statement under way within seconds: Error [interrupted], exit 130', async () => {
    const dir = await tempDir()
    const {store, caseId} = await writeReportCase(path.join(dir, 'store'))
    const dbPath = path.join(dir, 'case.duckdb')
    await loadCase(store, caseId, {dbPath})
    // Minutes of work for DuckDB: only the interruption ends it within the test's time.
    const child = spawn(process.execPath, [bin, 'query', '--db', dbPath, '--sql', 'SELECT sum(hash(range)) AS s FROM range(100000000000)'], {stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    await untilOpen(child.pid!, (f) => f === dbPath)
    // The database is opened after the command's handlers are in place; the query starts right after.
    await new Promise((r) => setTimeout(r, 300))
    const sent = performance.now()
    child.kill('SIGINT')
    expect(await exited).toBe(130)
    expect(performance.now() - sent).toBeLessThan(15_000)
    expect(stderr).toMatch(/^Error \[interrupted\]: Interrupted \(Ctrl-C\)\.$/m)
    expect(stderr).not.toMatch(/internal|sql-error/)
    expect(stdout).toBe('')
  })

  it.skipIf(!existsSync('/proc/self/fd'))('a second Ctrl-C quits at once and leaves none of the temporary database behind', async () => {
    const dir = await tempDir()
    // Enough records that the load is still writing its temporary database when the signals come.
    const base = stratusRecords('aws.defense-evasion.cloudtrail-stop')
    const files = Array.from({length: 20}, (_, f) =>
      deliveryFile(Array.from({length: 2000}, (_, i) => ({...base[i % base.length], eventID: `evt-${f}-${i}`})), `trail-${f}.json.gz`),
    )
    await writeCase(path.join(dir, 'store'), 'INC-QUIT', files)
    const out = path.join(dir, 'db')
    const loadAndQuit = async (): Promise<{code: number | null; stderr: string}> => {
      const child = spawn(process.execPath, [bin, 'load', '--case', 'INC-QUIT', '--store', path.join(dir, 'store'), '--db', path.join(out, 'case.duckdb')], {stdio: ['ignore', 'pipe', 'pipe']})
      let stderr = ''
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
      await untilOpen(child.pid!, (f) => f.startsWith(path.join(out, 'case.duckdb.tmp-')))
      child.kill('SIGINT')
      await new Promise((r) => setTimeout(r, 5))
      child.kill('SIGINT')
      return {code: await exited, stderr}
    }
    // Two signals close together can arrive as one (a busy machine), or the first can finish the
    // stop before the second comes: either way nothing may be left, and one of three tries quits at once.
    let quit = false
    for (let attempt = 0; attempt < 3 && !quit; attempt++) {
      const {code, stderr} = await loadAndQuit()
      expect(code).toBe(130)
      expect(await readdir(out)).toEqual([])
      quit = /Quit at once; the temporary files of the work under way are removed/.test(stderr)
    }
    expect(quit).toBe(true)
  })
})
