// How the benchmarks measure: a command in its own process under /usr/bin/time (wall and CPU
// seconds, peak RSS), medians over rounds, and the one JSON line each benchmark prints.
import {spawn} from 'node:child_process'
import {mkdirSync, readFileSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
/** The CLI measured: this checkout's, or BENCH_CLI (another build, to measure before and after in one run). */
export const CLI = process.env.BENCH_CLI ?? path.join(ROOT, 'bin', 'run.js')
export const MiB = 1024 * 1024

/** `small` (the whole suite within 2 minutes) or `full` (within 15, on 2 cores). */
export const SCALE = process.env.BENCH_SCALE === 'small' ? 'small' : 'full'
/** BENCH_EVENTS=N[,M…]: the event counts the load and hunt benchmarks use instead of the scale's. */
export const EVENTS = process.env.BENCH_EVENTS?.split(',').map((n) => Number(n.replaceAll('_', '')))
/** BENCH_ROUNDS=N: rounds of each measurement instead of the benchmark's own. */
export const ROUNDS = process.env.BENCH_ROUNDS === undefined ? undefined : Number(process.env.BENCH_ROUNDS)

/** A folder shared by the benchmarks of one run (generated archives and cases are reused). */
export function workDir(...parts) {
  const dir = path.join(process.env.BENCH_WORK ?? path.join(os.tmpdir(), 'coroner-bench'), ...parts)
  mkdirSync(dir, {recursive: true})
  return dir
}

export const median = (values) => {
  const s = [...values].sort((a, b) => a - b)
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/**
 * Runs a command to its end under /usr/bin/time: `{seconds, cpuSeconds, peakRssMiB, code, stdout,
 * stderr}`. The peak RSS is the kernel's high-water mark of the largest process of the command.
 */
export function timed(command, args, {cwd = ROOT, env = {}, input} = {}) {
  const report = path.join(os.tmpdir(), `coroner-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`)
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', report, command, ...args], {cwd, env: {...process.env, ...env}, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.stdin.end(input ?? '')
    child.on('close', (code) => {
      try {
        const line = readFileSync(report, 'utf8').trim().split('\n').pop()
        const [wall, user, sys, kb] = line.split(' ').map(Number)
        resolve({seconds: wall, cpuSeconds: user + sys, peakRssMiB: kb / 1024, code, stdout, stderr})
      } catch (error) {
        reject(new Error(`${command} ${args.join(' ')}: no timing (${error.message}); exit ${code}\n${stderr.slice(-2000)}`))
      } finally {
        rmSync(report, {force: true})
      }
    })
  })
}

/** Like `timed`, failing unless the command exits with one of `ok` (default 0). */
export async function mustRun(command, args, options = {}) {
  const r = await timed(command, args, options)
  if (!(options.ok ?? [0]).includes(r.code)) throw new Error(`${command} ${args.join(' ')} exited ${r.code}:\n${r.stderr.slice(-3000)}${r.stdout.slice(-2000)}`)
  return r
}

/** `coroner ARGS` as a user runs it (bin/run.js, quiet and without colour: stderr is not a TTY). */
export const coroner = (args, options = {}) => mustRun(process.execPath, [CLI, ...args], options)

/** The 1-minute load average and the cores, noted with every result: the machine is shared. */
export const machine = () => ({cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), loadAverage: os.loadavg().map((l) => Number(l.toFixed(2)))})

/** Alternates `a` and `b` for `rounds` rounds (so both meet the same noise) and returns each one's results. */
export async function alternate(rounds, a, b) {
  const as = []
  const bs = []
  for (let i = 0; i < rounds; i++) {
    as.push(await a(i))
    bs.push(await b(i))
  }
  return [as, bs]
}

/** The median of each figure over rounds of `{seconds, cpuSeconds, peakRssMiB}`. */
export const summary = (runs) => ({
  seconds: median(runs.map((r) => r.seconds)),
  cpuSeconds: median(runs.map((r) => r.cpuSeconds)),
  peakRssMiB: median(runs.map((r) => r.peakRssMiB)),
  rounds: runs.length,
  all: runs.map((r) => Number(r.seconds.toFixed(2))),
})

/** Prints a benchmark's result: the table rows and its details, on one line of stdout. */
export function report(bench, rows, details = {}) {
  process.stdout.write(`${JSON.stringify({bench, rows, details, machine: machine()})}\n`)
}

export const log = (...parts) => process.stderr.write(`${parts.join(' ')}\n`)
