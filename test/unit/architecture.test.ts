import {readFileSync, readdirSync, statSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

/**
 * The layers of src/ (docs/architecture.md), from the top down. A file may import its own folder
 * and any layer below its own, never one above. The four rooms of one layer do not import each
 * other, except where one works on what the other gives: containment and collection read the same
 * AWS resources (collectors <-> actions), and reports render the analysis (reports -> analysis).
 */
const LAYERS: ReadonlyArray<readonly string[]> = [['commands'], ['cli'], ['playbooks'], ['steps'], ['collectors', 'actions', 'analysis', 'reports'], ['evidence'], ['aws'], ['core']]
const PEERS: ReadonlyArray<readonly [string, string]> = [
  ['collectors', 'actions'],
  ['actions', 'collectors'],
  ['reports', 'analysis'],
]
/** Rooms that must never reach AWS: the analysis works from evidence alone, and so do reports. */
const NO_AWS = new Set(['analysis', 'reports'])
/** Where the AWS SDK may be imported; where DuckDB may be. */
const SDK_ROOMS = ['aws/', 'evidence/stores/s3/', 'collectors/', 'actions/']
const DUCKDB_ROOMS = ['analysis/']

const src = path.resolve(fileURLToPath(import.meta.url), '../../../src')

interface Source {
  file: string
  /** Files of src/ it imports (type-only imports count), by path relative to src/. */
  imports: string[]
  /** Packages it imports. */
  packages: string[]
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm

/** Every .ts file under `root` with what it imports. */
export function readSources(root: string): Source[] {
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(path.join(dir, n)).isDirectory() ? walk(path.join(dir, n)) : n.endsWith('.ts') ? [path.join(dir, n)] : []))
  return walk(root).map((abs) => {
    const text = readFileSync(abs, 'utf8')
    const imports: string[] = []
    const packages: string[] = []
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]!
      if (!spec.startsWith('.')) packages.push(spec)
      else imports.push(path.relative(root, path.resolve(path.dirname(abs), spec)).replace(/\.js$/, '.ts'))
    }
    return {file: path.relative(root, abs), imports, packages}
  })
}

const folder = (file: string): string => file.split(path.sep)[0]!
const rank = (room: string): number => LAYERS.findIndex((l) => l.includes(room))

/** Each import that runs up the layers or across rooms, and each file outside any layer. */
export function layerProblems(sources: readonly Source[]): string[] {
  const problems: string[] = []
  for (const s of sources) {
    const from = folder(s.file)
    if (!s.file.includes(path.sep) || rank(from) < 0) {
      problems.push(`${s.file} is in no layer`)
      continue
    }
    for (const target of s.imports) {
      const to = folder(target)
      if (to === from) continue
      if (NO_AWS.has(from) && to === 'aws') problems.push(`${s.file} -> ${target}: ${from} never reaches AWS`)
      else if (rank(to) < rank(from)) problems.push(`${s.file} -> ${target}: runs up from ${from} to ${to}`)
      else if (rank(to) === rank(from) && !PEERS.some(([a, b]) => a === from && b === to)) problems.push(`${s.file} -> ${target}: across rooms ${from} and ${to}`)
    }
  }
  return problems
}

/** Every import cycle between files (Tarjan's strongly connected components), type-only imports included. */
export function importCycles(sources: readonly Source[]): string[][] {
  const graph = new Map(sources.map((s) => [s.file, s.imports.filter((i) => i !== s.file)]))
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const on = new Set<string>()
  const cycles: string[][] = []
  let n = 0
  const visit = (v: string): void => {
    index.set(v, n)
    low.set(v, n++)
    stack.push(v)
    on.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) !== index.get(v)) return
    const component: string[] = []
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      on.delete(w)
      component.push(w)
      if (w === v) break
    }
    if (component.length > 1) cycles.push(component.sort())
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return cycles
}

/** Each import of the AWS SDK or DuckDB outside the rooms allowed them. */
export function packageProblems(sources: readonly Source[]): string[] {
  const problems: string[] = []
  const inside = (file: string, rooms: readonly string[]): boolean => rooms.some((r) => file.split(path.sep).join('/').startsWith(r))
  for (const s of sources) {
    for (const p of s.packages) {
      if (p.startsWith('@aws-sdk/') && !inside(s.file, SDK_ROOMS)) problems.push(`${s.file} imports ${p}: the AWS SDK belongs in ${SDK_ROOMS.join(', ')}`)
      if (p.startsWith('@duckdb/') && !inside(s.file, DUCKDB_ROOMS)) problems.push(`${s.file} imports ${p}: DuckDB belongs in src/analysis`)
    }
  }
  return problems
}

describe('the architecture of src/', () => {
  const sources = readSources(src)

  it('reads every source file and its imports', () => {
    expect(sources.length).toBeGreaterThan(100)
    expect(sources.find((s) => s.file === path.join('cli', 'base-command.ts'))?.imports).toContain(path.join('steps', 'runner.ts'))
  })

  it('has no import running up the layers or across rooms', () => {
    expect(layerProblems(sources)).toEqual([])
  })

  it('has no import cycle, type-only imports included', () => {
    expect(importCycles(sources)).toEqual([])
  })

  it('imports the AWS SDK only in aws/, the S3 store, collectors/ and actions/, and DuckDB only in analysis/', () => {
    expect(packageProblems(sources)).toEqual([])
  })

  it('catches each kind of violation (the checks themselves)', () => {
    const planted: Source[] = [
      {file: path.join('core', 'a.ts'), imports: [path.join('cli', 'b.ts')], packages: []},
      {file: path.join('analysis', 'c.ts'), imports: [path.join('aws', 'd.ts'), path.join('collectors', 'e.ts')], packages: ['@aws-sdk/client-s3']},
      {file: path.join('evidence', 'f.ts'), imports: [path.join('evidence', 'g.ts')], packages: ['@duckdb/node-api']},
      {file: path.join('evidence', 'g.ts'), imports: [path.join('evidence', 'f.ts')], packages: []},
      {file: 'loose.ts', imports: [], packages: []},
    ]
    expect(layerProblems(planted)).toHaveLength(4)
    expect(importCycles(planted)).toEqual([[path.join('evidence', 'f.ts'), path.join('evidence', 'g.ts')]])
    expect(packageProblems(planted)).toHaveLength(2)
  })
})
