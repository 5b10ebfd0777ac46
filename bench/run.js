#!/usr/bin/env node
// Runs every bench/*.bench.js in its own Node process (so one benchmark's heap never inflates
// another's peak memory), collects the one JSON line each prints, shows their rows as one table
// (workload, coroner, peer, ratio, target, peak RSS) and writes bench/results/latest.json.
//   npm run bench                         every benchmark (BENCH_SCALE=small: the quick set)
//   npm run bench -- NAME…                only the benchmarks whose file name contains a NAME
//   npm run bench -- --compare FILE       then the change of each workload against an earlier result
//   npm run bench -- --compare OLD --to NEW   compare two results without running anything
// Generated archives and cases are shared by the benchmarks of a run in a temporary folder
// (BENCH_WORK keeps them between runs).
import {spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {compareResults, renderRows} from './lib/table.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const args = process.argv.slice(2)
const option = (name) => {
  const i = args.indexOf(name)
  if (i < 0) return undefined
  const [value] = args.splice(i, 2).slice(1)
  if (value === undefined) throw new Error(`${name} needs a file`)
  return value
}
const compareWith = option('--compare')
const against = option('--to')

if (against !== undefined) {
  if (compareWith === undefined) throw new Error('--to needs --compare OLD')
  console.log(compareResults(JSON.parse(readFileSync(compareWith, 'utf8')), JSON.parse(readFileSync(against, 'utf8'))))
  process.exit(0)
}

const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => args.length === 0 || args.some((n) => f.includes(n)))
  .sort()
if (files.length === 0) {
  console.error(args.length ? `No benchmark matches ${args.join(', ')}.` : 'No benchmarks found in bench/.')
  process.exit(2)
}

const work = process.env.BENCH_WORK ?? mkdtempSync(path.join(os.tmpdir(), 'coroner-bench-'))
// The AWS SDK's Node 20 notice, silenced as bin/run.js silences it, so it does not cut into the figures printed.
const env = {AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env, BENCH_WORK: work}

function runOne(file) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, ['--expose-gc', path.join(here, file)], {stdio: ['ignore', 'pipe', 'inherit'], env})
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
      const bench = file.replace('.bench.js', '')
      // A benchmark that prints its figures without table rows keeps them as details.
      const shaped = result === null ? {bench, rows: []} : Array.isArray(result.rows) ? result : {bench, rows: [], details: result}
      resolve({file, code, seconds: (Date.now() - started) / 1000, ...shaped})
    })
  })
}

const startedAt = new Date().toISOString()
const results = []
try {
  for (const file of files) {
    console.error(`\n== ${file}`)
    const r = await runOne(file)
    results.push(r)
    console.error(`== ${file}: ${r.code === 0 ? 'done' : `FAILED (exit ${r.code})`} in ${r.seconds.toFixed(0)} s`)
  }
} finally {
  if (process.env.BENCH_WORK === undefined) rmSync(work, {recursive: true, force: true})
}

const latest = {
  startedAt,
  scale: process.env.BENCH_SCALE === 'small' ? 'small' : 'full',
  machine: {cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version},
  seconds: results.reduce((n, r) => n + r.seconds, 0),
  benches: results,
}
console.log(`\nbenchmark results (${latest.scale} scale, ${latest.seconds.toFixed(0)} s)\n`)
console.log(renderRows(results))
mkdirSync(path.join(here, 'results'), {recursive: true})
writeFileSync(path.join(here, 'results', 'latest.json'), `${JSON.stringify(latest, null, 2)}\n`)
if (compareWith !== undefined) console.log(`\n${compareResults(JSON.parse(readFileSync(compareWith, 'utf8')), latest)}`)
process.exit(results.every((r) => r.code === 0) ? 0 : 1)
