import {createHash} from 'node:crypto'
import {chmod, mkdir, readFile, rm, stat, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {tempDir} from '../../support/temp.js'
import {coroner, type Envelope} from '../../support/cli.js'

async function caseWithFiles(): Promise<{store: string; files: string[]}> {
  const dir = await tempDir()
  const files = [path.join(dir, 'finding.json'), path.join(dir, 'screenshot.png')]
  await writeFile(files[0]!, '{"severity": 8}')
  await writeFile(files[1]!, Buffer.from([0x89, 0x50, 0x4e, 0x47]))
  return {store: path.join(dir, 'store'), files}
}

describe('evidence add / list / verify and case list / show', () => {
  it('preserves files and verifies them, with a JSON envelope', async () => {
    const {store, files} = await caseWithFiles()
    const added = await coroner(['evidence', 'add', ...files, '--case', 'INC-7', '--note', 'SOC-ticket-4711', '--store', store, '--json'])
    expect(added.error).toBeUndefined()
    const env = JSON.parse(added.stdout) as Envelope<{runId: string; artifacts: Array<{sha256: string; attributes: {originalName: string; note: string}}>}>
    expect(env.status).toBe('ok')
    expect(env.result.artifacts.map((a) => a.attributes.originalName)).toEqual(['finding.json', 'screenshot.png'])
    expect(env.result.artifacts[0]!.attributes.note).toBe('SOC-ticket-4711')
    expect(env.result.artifacts[0]!.sha256).toBe(createHash('sha256').update('{"severity": 8}').digest('hex'))

    const listed = await coroner(['evidence', 'list', '--case', 'INC-7', '--store', store, '--json'])
    const items = (JSON.parse(listed.stdout) as Envelope<{artifacts: Array<{kind: string}>}>).result.artifacts
    expect(items).toHaveLength(2)
    expect(items.every((i) => i.kind === 'file.added')).toBe(true)

    const verified = await coroner(['evidence', 'verify', '--case', 'INC-7', '--store', store])
    expect(verified.error).toBeUndefined()
    expect(verified.stdout).toMatch(/OK: every object matches/)

    const cases = await coroner(['case', 'list', '--store', store, '--json'])
    expect((JSON.parse(cases.stdout) as Envelope<{cases: Array<{caseId: string; runs: number}>}>).result.cases).toEqual([
      expect.objectContaining({caseId: 'INC-7', runs: 1, artifacts: 2, unsealed: 0}),
    ])
    const shown = await coroner(['case', 'show', 'INC-7', '--store', store])
    expect(shown.stdout).toMatch(/complete\s+evidence add\s+files=/)
    expect(shown.stdout).toContain('note=SOC-ticket-4711')
  })

  it('exits 3 and names the file when a preserved file is altered or deleted', async () => {
    const {store, files} = await caseWithFiles()
    const added = JSON.parse((await coroner(['evidence', 'add', ...files, '--case', 'INC-8', '--store', store, '--json'])).stdout) as Envelope<{artifacts: Array<{key: string}>}>
    const [first, second] = added.result.artifacts
    const p1 = path.join(store, ...first!.key.split('/'))
    await chmod(p1, 0o644)
    await writeFile(p1, `${await readFile(p1, 'utf8')} `)
    await rm(path.join(store, ...second!.key.split('/')))
    const verified = await coroner(['evidence', 'verify', '--case', 'INC-8', '--store', store, '--json'])
    expect(verified.error?.oclif?.exit).toBe(3)
    const env = JSON.parse(verified.stdout) as Envelope<{ok: boolean; artifacts: Array<{key: string; status: string}>}>
    expect(env.result.ok).toBe(false)
    expect(env.result.artifacts.map((a) => [a.key, a.status])).toEqual([
      [first!.key, 'altered'],
      [second!.key, 'missing'],
    ])
    const human = await coroner(['evidence', 'verify', '--case', 'INC-8', '--store', store])
    expect(human.stdout).toContain(first!.key)
    expect(human.stdout).toMatch(/FAILED/)
  })

  it('shows control characters in planted key names and in error messages escaped, never raw', async () => {
    const {store, files} = await caseWithFiles()
    const added = JSON.parse((await coroner(['evidence', 'add', files[0]!, '--case', 'INC-10', '--store', store, '--json'])).stdout) as Envelope<{run: {runId: string}}>
    const planted = `\u001b]0;owned\u0007\u009b2Jplanted.json`
    await writeFile(path.join(store, 'cases', 'INC-10', 'runs', added.result.run.runId, planted), 'x')
    const raw = /[\u001b\u0007\u009b]/
    const pulled = await coroner(['evidence', 'pull', '--case', 'INC-10', '--store', store, '--to', path.join(path.dirname(store), 'copy')])
    expect(pulled.stderr).toMatch(/was not pulled/)
    expect(pulled.stderr).toContain('\\u001b]0;owned\\u0007\\u009b2Jplanted.json')
    await writeFile(path.join(store, 'cases', 'INC-10', planted), 'x')
    const verified = await coroner(['evidence', 'verify', '--case', 'INC-10', '--store', store])
    expect(verified.stdout).toContain('PROBLEM unexpected object cases/INC-10/\\u001b]0;owned')
    const missing = await coroner(['evidence', 'add', path.join(path.dirname(store), planted), '--case', 'INC-10', '--store', store])
    expect(missing.stderr).toMatch(/file-not-found/)
    for (const out of [pulled, verified, missing]) expect(out.stdout + out.stderr).not.toMatch(raw)
  })

  it('pull refuses an artifact a journal lists outside its run, writing nothing outside the case', async () => {
    const {store, files} = await caseWithFiles()
    await coroner(['evidence', 'add', files[0]!, '--case', 'INC-11', '--store', store])
    // A run that never sealed: pull trusts its journal, here one line naming an object at the store root.
    const body = 'planted'
    await writeFile(path.join(store, 'outside.txt'), body)
    const artifact = {key: 'outside.txt', sha256: createHash('sha256').update(body).digest('hex'), size: body.length}
    await mkdir(path.join(store, 'cases', 'INC-11', 'runs', '20991231T000000000Z-abcdef'), {recursive: true})
    await writeFile(path.join(store, 'cases', 'INC-11', 'runs', '20991231T000000000Z-abcdef', 'custody.jsonl'), `${JSON.stringify({seq: 1, type: 'artifact', artifact})}\n`)
    const copy = path.join(path.dirname(store), 'copy')
    const pulled = await coroner(['evidence', 'pull', '--case', 'INC-11', '--store', store, '--to', copy, '--json'])
    expect(pulled.error?.oclif?.exit).toBe(3)
    expect(JSON.parse(pulled.stdout).error.code).toBe('pull-key-outside-run')
    await expect(stat(path.join(copy, 'outside.txt'))).rejects.toThrow(/ENOENT/)
  })

  it('names a damaged manifest instead of failing with a bare JSON error', async () => {
    const {store, files} = await caseWithFiles()
    const added = JSON.parse((await coroner(['evidence', 'add', files[0]!, '--case', 'INC-12', '--store', store, '--json'])).stdout) as Envelope<{run: {manifestKey: string}}>
    const manifest = path.join(store, ...added.result.run.manifestKey.split('/'))
    await chmod(manifest, 0o644)
    await writeFile(manifest, '{"schema": "coroner.manifest/v1", "artif')
    for (const args of [['case', 'show', 'INC-12'], ['evidence', 'list', '--case', 'INC-12']]) {
      const out = await coroner([...args, '--store', store, '--json'])
      expect(out.error?.oclif?.exit).toBe(3)
      const env = JSON.parse(out.stdout) as Envelope<never>
      expect(env.error).toMatchObject({code: 'manifest-unreadable', message: expect.stringContaining(added.result.run.manifestKey)})
      expect(env.error?.hint).toMatch(/evidence verify --case INC-12/)
    }
  })

  it('gives usage errors with a code and a hint, exit 2', async () => {
    const {store} = await caseWithFiles()
    const missing = await coroner(['evidence', 'add', '/nonexistent/file.json', '--case', 'INC-9', '--store', store, '--json'])
    expect(missing.error?.oclif?.exit).toBe(2)
    const env = JSON.parse(missing.stdout) as Envelope<never>
    expect(env).toMatchObject({status: 'error', error: {code: 'file-not-found', message: expect.stringContaining('/nonexistent/file.json')}})
    expect(env.error?.hint).toBeTruthy()

    const badCase = await coroner(['case', 'show', '../../etc', '--store', store])
    expect(badCase.error?.oclif?.exit).toBe(2)
    expect(badCase.stderr).toMatch(/invalid-case-id/)

    const unknown = await coroner(['case', 'show', 'INC-NONE', '--store', store, '--json'])
    expect(unknown.error?.oclif?.exit).toBe(2)
    expect(JSON.parse(unknown.stdout).error.code).toBe('unknown-case')

    const noFlag = await coroner(['evidence', 'add', 'x', '--json'])
    expect(noFlag.error?.oclif?.exit).toBe(2)
  })

  it('lists topics with summaries and documents the exit codes in help', async () => {
    const help = await coroner(['--help'])
    expect(help.stdout).toMatch(/evidence\s+Preserve, list, verify, pull and hold evidence/)
    expect(help.stdout).toMatch(/collect\s+Collect evidence from AWS/)
    expect(help.stdout).toMatch(/EXIT CODES[\s\S]*6\s+partial collection/)
    const cmdHelp = await coroner(['evidence', 'verify', '--help'])
    expect(cmdHelp.stdout).toMatch(/EXIT CODES\n\s+0\s+success\n\s+2\s+usage error[^\n]*\n\s+3\s+something is missing, altered/)
    expect(cmdHelp.stdout).not.toMatch(/6\s+partial collection/)
  })
})
