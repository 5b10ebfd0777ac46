import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import type {TestProject} from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string
  }
}

let child: ChildProcess | undefined

/**
 * Starts one moto_server for the whole run on 127.0.0.1 with a port the OS picks, waits until it
 * answers, hands its endpoint to the tests, and stops it by PID at the end.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const probe = spawnSync('moto_server', ['--help'], {stdio: 'ignore'})
  if (probe.error) {
    throw new Error(
      'moto_server is not on the PATH; the integration tests need it. Install it with: pip install "moto[server]==5.2.1"',
    )
  }
  child = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true'},
  })
  const endpoint = await new Promise<string>((resolve, reject) => {
    let buffered = ''
    const timer = setTimeout(() => reject(new Error(`moto_server did not report a port within 30 s:\n${buffered}`)), 30_000)
    child!.stderr!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(buffered)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    })
    child!.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`moto_server exited with code ${code} before it was ready:\n${buffered}`))
    })
  })
  child.stderr!.resume()
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${endpoint}/moto-api/data.json`).then((r) => r.ok, () => false)
    if (ok) break
    await new Promise((r) => setTimeout(r, 100))
  }
  await fetch(`${endpoint}/moto-api/config`, {method: 'POST', body: JSON.stringify({lambda: {use_docker: false}})})
  project.provide('motoEndpoint', endpoint)
  return async () => {
    if (child?.pid !== undefined && child.exitCode === null) {
      process.kill(child.pid, 'SIGTERM')
      await new Promise((r) => child!.once('exit', r))
    }
  }
}
