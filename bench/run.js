#!/usr/bin/env node
// Runs every bench/*.bench.js in its own Node process (so one benchmark's heap never inflates
// another's peak memory), collects the one JSON line each prints, and shows them as a table.
// `npm run bench -- NAME…` runs only the benchmarks whose file name contains one of the NAMEs.
import {spawn} from 'node:child_process'
import {readdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const filters = process.argv.slice(2)
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => filters.length === 0 || filters.some((n) => f.includes(n)))
  .sort()

if (files.length === 0) {
  console.error(filters.length ? `No benchmark matches ${filters.join(', ')}.` : 'No benchmarks found in bench/.')
  process.exit(2)
}

function runOne(file) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, ['--expose-gc', path.join(here, file)], {stdio: ['ignore', 'pipe', 'inherit']})
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.on('close', (code) => {
      const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop()
      let result = null
      try {
        result = line ? JSON.parse(line) : null
      } catch {
        result = null
      }
      resolve({file, code, seconds: (Date.now() - started) / 1000, result})
    })
  })
}

const results = []
let failed = 0
for (const file of files) {
  console.error(`\n== ${file}`)
  const r = await runOne(file)
  if (r.code !== 0 || r.result === null) failed++
  results.push(r)
  console.error(r.result ? JSON.stringify(r.result, null, 2) : `(no result; exit ${r.code})`)
}

console.log('\nbenchmark results')
for (const r of results) {
  const figures = r.result ? Object.entries(r.result).filter(([k]) => k !== 'bench').map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toFixed(2)) : JSON.stringify(v)}`).join('  ') : `failed (exit ${r.code})`
  console.log(`${r.file.replace('.bench.js', '').padEnd(22)} ${r.seconds.toFixed(1).padStart(6)}s  ${figures}`)
}
writeFileSync(path.join(here, '..', '.bench-results.json'), `${JSON.stringify(results, null, 2)}\n`)
process.exit(failed === 0 ? 0 : 1)
