import {spawn} from 'node:child_process'
import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {describe, expect, it} from 'vitest'
import {repoRoot, type Envelope} from '../../support/cli.js'
import {tempDir} from '../../support/temp.js'

const STEPS = 6000

/** Runs the built CLI as its own process with stdout a pipe that is read only after a pause (a slow reader). */
async function runPiped(args: string[]): Promise<{code: number | null; stdout: string}> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'run.js'), ...args], {stdio: ['ignore', 'pipe', 'ignore']})
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  child.stdout.pause()
  // The pipe fills (64 KiB) long before the command is done: it has to wait for the reader to exit whole.
  await sleep(1500)
  const chunks: Buffer[] = []
  child.stdout.on('data', (c: Buffer) => chunks.push(c))
  child.stdout.resume()
  const code = await exited
  return {code, stdout: Buffer.concat(chunks).toString('utf8')}
}

describe('--json through a pipe', () => {
  it('is whole when it is megabytes long and the command exits non-zero, however slowly the pipe is read', async () => {
    const dir = await tempDir()
    const file = path.join(dir, 'many-steps.yaml')
    const steps = Array.from({length: STEPS}, (_, i) => `  - id: s${i}\n    uses: not-a-step-${'x'.repeat(300)}`)
    await writeFile(file, `id: many-steps\ntitle: T\ndescription: D\nversion: 1\nstatus: test\nsteps:\n${steps.join('\n')}\n`)
    const {code, stdout} = await runPiped(['playbook', 'validate', file, '--json'])
    expect(code).toBe(4)
    expect(stdout.length).toBeGreaterThan(2_000_000)
    const env = JSON.parse(stdout) as Envelope<{files: Array<{issues: Array<{code: string}>}>; errors: number}>
    expect(env.status).toBe('invalid')
    expect(env.result.files[0]!.issues.filter((i) => i.code === 'unknown-step')).toHaveLength(STEPS)
  }, 60_000)
})
