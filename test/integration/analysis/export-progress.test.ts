import {mkdtemp, readdir, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {exportParquet} from '../../../src/analysis/export-parquet.js'
import {loadCase} from '../../../src/analysis/load.js'
import {interruption} from '../../../src/core/errors.js'
import {terminalProgress} from '../../../src/core/progress.js'
import {writeReportCase} from '../../support/report-case.js'

let dir: string
let dbPath: string

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'coroner-export-'))
  const {store, caseId} = await writeReportCase(path.join(dir, 'store'))
  dbPath = path.join(dir, 'case.duckdb')
  await loadCase(store, caseId, {dbPath})
})

afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
})

describe('export parquet on a terminal', () => {
  it('counts the rows exported against all the tables hold, table by table, to the end', async () => {
    const written: string[] = []
    const progress = terminalProgress({columns: 300, write: (t: string) => written.push(t)} as unknown as NodeJS.WriteStream, () => 0, 0)
    const to = path.join(dir, 'parquet')
    const result = await exportParquet(dbPath, to, {showSecrets: false, progress})
    const total = result.tables.reduce((n, t) => n + t.rows, 0)
    const counts = written
      .join('')
      .split(/\r\u001B\[2K/)
      .flatMap((l) => {
        const m = new RegExp(`^exporting to ${to.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ([0-9,]+)/([0-9,]+)`).exec(l)
        return m ? [[Number(m[1]!.replaceAll(',', '')), Number(m[2]!.replaceAll(',', ''))]] : []
      })
    expect(total).toBeGreaterThan(10)
    expect(counts.at(-1)).toEqual([total, total])
    // One step at least for each table that holds rows, never going back.
    expect(new Set(counts.map(([n]) => n)).size).toBeGreaterThanOrEqual(result.tables.filter((t) => t.rows > 0).length)
    for (let i = 1; i < counts.length; i++) expect(counts[i]![0]).toBeGreaterThanOrEqual(counts[i - 1]![0])
  })

  it('takes away what it wrote when interrupted part-way, so the directory can be exported into again', async () => {
    const stop = new AbortController()
    const reason = interruption('SIGINT')
    const progress = {task: () => ({advance: () => stop.abort(reason), setTotal() {}, done() {}})}
    const to = path.join(dir, 'parquet-stopped')
    await expect(exportParquet(dbPath, to, {showSecrets: false, progress, signal: stop.signal})).rejects.toBe(reason)
    expect(await readdir(to)).toEqual([])
    const again = await exportParquet(dbPath, to, {showSecrets: false})
    expect(again.tables.filter((t) => t.rows > 0).length).toBeGreaterThan(1)
  })
})
