import {mkdirSync, readdirSync, readFileSync, statSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {AnalysisDb, bytesOfSetting} from '../../../src/analysis/db.js'
import {repoRoot} from '../../support/cli.js'
import {tempDir} from '../../support/temp.js'

const src = path.join(repoRoot, 'src')
const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(path.join(dir, n)).isDirectory() ? walk(path.join(dir, n)) : n.endsWith('.ts') ? [path.join(dir, n)] : []))

describe('every DuckDB connection is opened locked, whichever command opened it', () => {
  it('creates DuckDB instances and connections in analysis/db.ts alone', () => {
    const opening = walk(src).filter((f) => /DuckDBInstance|\.connect\(\)|DuckDBConnection\.create/.test(readFileSync(f, 'utf8')))
    expect(opening.map((f) => path.relative(src, f))).toEqual([path.join('analysis', 'db.ts')])
  })

  it('keeps external access off and the configuration locked on a writable database too (as load opens it)', async () => {
    const dir = await tempDir()
    const db = await AnalysisDb.open(path.join(dir, 'case.duckdb'))
    try {
      await db.run('CREATE TABLE t AS SELECT 1 AS a')
      await expect(db.all("SELECT * FROM read_text('/etc/hostname')")).rejects.toThrow(/disabled|external access|Permission/i)
      await expect(db.run(`COPY t TO '${path.join(dir, 'out.csv')}'`)).rejects.toThrow(/disabled|external access|Permission/i)
      await expect(db.run(`ATTACH '${path.join(dir, 'other.duckdb')}' AS other`)).rejects.toThrow(/disabled|external access|Permission|lock/i)
      for (const setting of ['enable_external_access = true', 'lock_configuration = false', "allowed_directories = ['/']"]) {
        await expect(db.run(`SET ${setting}`), setting).rejects.toThrow(/locked|lock/i)
      }
    } finally {
      db.close()
    }
  })

  it('reads and writes only inside the folders it was opened for', async () => {
    const dir = await tempDir()
    const target = path.join(dir, 'export')
    mkdirSync(target)
    const db = await AnalysisDb.open(path.join(dir, 'case.duckdb'), {allowedDirectories: [target]})
    try {
      await db.run(`COPY (SELECT 1 AS a) TO '${path.join(target, 'a.csv')}'`)
      expect(readFileSync(path.join(target, 'a.csv'), 'utf8')).toBe('a\n1\n')
      await expect(db.run(`COPY (SELECT 1 AS a) TO '${path.join(dir, 'b.csv')}'`)).rejects.toThrow(/disabled|external access|Permission/i)
    } finally {
      db.close()
    }
  })
})

describe('bytesOfSetting', () => {
  it('reads the memory limit as DuckDB reports it back', async () => {
    const dir = await tempDir()
    const db = await AnalysisDb.open(path.join(dir, 'case.duckdb'), {memoryLimit: '2GB'})
    try {
      const shown = String((await db.all("SELECT current_setting('memory_limit') AS m")).rows[0]!.m)
      // Shown rounded to a tenth of its unit (`1.8 GiB`).
      expect(Math.abs(bytesOfSetting(shown)! - 2e9)).toBeLessThan(0.05 * 2e9)
    } finally {
      db.close()
    }
    expect(bytesOfSetting('512 bytes')).toBe(512)
    expect(bytesOfSetting('16 GB')).toBe(16e9)
    expect(bytesOfSetting('unlimited')).toBeUndefined()
  })
})
