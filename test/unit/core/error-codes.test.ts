import {readFileSync, readdirSync, statSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {ERROR_CATALOGUE, type ErrorCode} from '../../../src/core/error-codes.js'
import {CoronerError, toCoronerError, usageError} from '../../../src/core/errors.js'

const root = path.resolve(fileURLToPath(import.meta.url), '../../../..')
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []
  })
const sources = files(path.join(root, 'src')).filter((f) => !f.endsWith('error-codes.ts')).map((f) => ({file: path.relative(root, f), text: readFileSync(f, 'utf8')}))
const docs = readFileSync(path.join(root, 'docs', 'errors.md'), 'utf8')

/** Every code a source file throws with: CoronerError, usageError, a CoronerError subclass's super(), SigmaCompileError, MalformedInputError. */
function thrownCodes(): Array<{file: string; code: string}> {
  const found: Array<{file: string; code: string}> = []
  const calls = /(?:new CoronerError|usageError|new SigmaCompileError|new MalformedInputError|super)\(\s*(?:[^,()]*\?\s*)?'([A-Za-z0-9-]+)'(?:\s*:\s*'([A-Za-z0-9-]+)')?/g
  for (const {file, text} of sources) {
    for (const m of text.matchAll(calls)) {
      if (m[0].startsWith('super') && !/extends CoronerError/.test(text)) continue
      for (const code of [m[1], m[2]]) if (code !== undefined) found.push({file, code})
    }
  }
  return found
}

describe('the error code catalogue', () => {
  it('holds every code thrown anywhere in src/', () => {
    const thrown = thrownCodes()
    expect(thrown.length).toBeGreaterThan(60)
    for (const {file, code} of thrown) expect(Object.keys(ERROR_CATALOGUE), `${file} throws ${code}`).toContain(code)
  })

  it('holds no code nothing uses', () => {
    const all = sources.map((s) => s.text).join('\n')
    for (const code of Object.keys(ERROR_CATALOGUE)) expect(all, code).toContain(`'${code}'`)
  })

  it('gives each error the exit code the catalogue says, and usageError only exit-2 codes', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) expect(new CoronerError(code as ErrorCode, 'x').exitCode, code).toBe(entry.exit)
    expect(usageError('no-case', 'x').exitCode).toBe(2)
    expect(toCoronerError(Object.assign(new Error('full'), {code: 'ENOSPC'})).exitCode).toBe(ERROR_CATALOGUE['fs-enospc'].exit)
  })

  it('is documented: docs/errors.md lists every code with its exit code', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) expect(docs, code).toContain(`| \`${code}\` | ${entry.exit} |`)
    const listed = [...docs.matchAll(/^\| `([A-Za-z0-9-]+)` \| \d+ \|/gm)].map((m) => m[1])
    expect(listed.sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort())
  })
})
