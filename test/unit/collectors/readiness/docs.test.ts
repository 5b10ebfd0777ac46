import {readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {CHECKS} from '../../../../src/collectors/readiness/checks.js'

const root = path.resolve(fileURLToPath(import.meta.url), '../../../../..')
const doc = readFileSync(path.join(root, 'docs', 'readiness.md'), 'utf8')

describe('docs/readiness.md', () => {
  it('describes every check with its Prowler mapping and severity, and nothing the code does not have', () => {
    const rows = new Map([...doc.matchAll(/^\| `([a-z0-9_-]+)` \| ([^|]+) \| ([a-z]+) \|/gm)].map((m) => [m[1]!, {prowler: m[2]!.trim(), severity: m[3]!}]))
    for (const c of CHECKS) {
      const row = rows.get(c.id)
      expect(row, `${c.id} is not in docs/readiness.md`).toBeDefined()
      expect(row!.severity, c.id).toBe(c.severity)
      expect(row!.prowler.split(':')[0], c.id).toBe(c.prowler.relation)
      for (const r of c.prowler.related ?? []) expect(row!.prowler, c.id).toContain(r)
    }
    const flags = ['--region', '--function', '--case', '--retention-days', '--runtime-warning-days', '--evidence-bucket', '--json', '--csv']
    for (const f of flags) expect(doc).toContain(`\`${f}`)
    expect([...rows.keys()].filter((id) => !CHECKS.some((c) => c.id === id))).toEqual([])
  })
})
