import {mkdtemp, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {onTestFinished} from 'vitest'

/** A fresh temporary directory, removed after the current test. */
export async function tempDir(prefix = 'coroner-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix))
  onTestFinished(() => rm(dir, {recursive: true, force: true}))
  return dir
}

/** Runs `work` with `dir` as the working directory (where a case database and report go by default), then goes back. */
export async function inDir<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const before = process.cwd()
  process.chdir(dir)
  try {
    return await work()
  } finally {
    process.chdir(before)
  }
}
