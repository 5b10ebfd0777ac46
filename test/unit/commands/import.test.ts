import {execFileSync} from 'node:child_process'
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {tempDir} from '../../support/temp.js'
import {coroner, type Envelope} from '../../support/cli.js'
import type {z} from 'zod'
import type {importCloudTrailResult, importLambdaResult} from '../../../src/cli/results/collect.js'
import {cp} from 'node:fs/promises'
import {repoRoot} from '../../support/cli.js'

const record = (id: string, extra: Record<string, unknown> = {}) => JSON.stringify({eventVersion: '1.08', eventID: id, eventTime: '2026-11-19T10:00:00Z', eventName: 'GetFunction20150331v2', eventSource: 'lambda.amazonaws.com', ...extra})

describe('import cloudtrail through the CLI: the account in the summary, in --json and the exit code', () => {
  it('says every skip class with its first lines, ends partial (exit 6), and carries the same in --json', async () => {
    const dir = await tempDir()
    const input = path.join(dir, 'in')
    await mkdir(input)
    await writeFile(path.join(input, 'export.ndjson'), [record('a'), '{"eventName": "cut', record('b', {eventTime: null}), record('c'), record('d', {eventTime: 'Nov 19 2026'})].join('\n'))
    await writeFile(path.join(input, 'notes.txt'), 'Customer handover notes\n')
    const store = path.join(dir, 'store')

    const human = await coroner(['import', 'cloudtrail', input, '--case', 'INC-CLI', '--store', store])
    expect(human.error?.oclif?.exit).toBe(6)
    expect(human.stdout).toContain('Read 2 of 2 file(s): 0 whole, 1 in part, 1 not CloudTrail.')
    expect(human.stdout).toContain('Records: 2 loaded, 3 skipped (1 invalid-event-time, 1 invalid-json, 1 no-event-time).')
    expect(human.stdout).toMatch(/export\.ndjson: 2 loaded; skipped 1 invalid-event-time \(line 5\)[^\n]*; 1 invalid-json \(line 2\); 1 no-event-time \(line 3\)/)
    expect(human.stdout).toMatch(/not-cloudtrail\s+\S+notes\.txt: not JSON: it begins with "Customer handover notes"/)
    expect(human.stderr).toContain('cloudtrail unvalidated')

    const json = await coroner(['import', 'cloudtrail', path.join(input, 'export.ndjson'), '--case', 'INC-CLI2', '--store', store, '--json'])
    expect(json.error?.oclif?.exit).toBe(6)
    const env = JSON.parse(json.stdout) as Envelope<z.output<typeof importCloudTrailResult>>
    expect(env.status).toBe('partial')
    expect(env.result).toMatchObject({files: 1, read: 1, records: 2, skipped: 3, skips: {'invalid-json': 1, 'no-event-time': 1, 'invalid-event-time': 1}, validation: 'unvalidated'})
    expect(env.result.perFile[0]!.skips.map((s) => [s.reason, s.first])).toEqual([
      ['invalid-event-time', [{line: 5, item: null}]],
      ['invalid-json', [{line: 2, item: null}]],
      ['no-event-time', [{line: 3, item: null}]],
    ])
    expect(env.warnings).toEqual(expect.arrayContaining([expect.stringContaining('unvalidated')]))
  })

  it('refuses a FIFO named on the command line at once, without opening it', async () => {
    const dir = await tempDir()
    const fifo = path.join(dir, 'pipe.json')
    execFileSync('mkfifo', [fifo])
    const out = await coroner(['import', 'cloudtrail', fifo, '--case', 'INC-FIFO', '--store', path.join(dir, 'store'), '--json'])
    expect(out.error?.oclif?.exit).toBe(2)
    expect((JSON.parse(out.stdout) as Envelope<unknown>).error).toMatchObject({code: 'special-file', message: expect.stringContaining('is a FIFO')})
    const logs = await coroner(['import', 'logs', fifo, '--case', 'INC-FIFO', '--store', path.join(dir, 'store'), '--json'])
    expect(logs.error?.oclif?.exit).toBe(2)
    expect((JSON.parse(logs.stdout) as Envelope<unknown>).error).toMatchObject({code: 'special-file', message: expect.stringContaining('is a FIFO')})
  })
})

describe('import lambda through the CLI: every file counted and named, as import cloudtrail does', () => {
  it('names a licence beside the outputs with why, ends partial (exit 6), and carries the same in --json', async () => {
    const dir = await tempDir()
    const input = path.join(dir, 'api')
    await cp(path.join(repoRoot, 'samples', 'incident', 'api'), input, {recursive: true})
    await cp(path.join(repoRoot, 'samples', 'incident', 'LICENSE-aws-cli.txt'), path.join(input, 'LICENSE-aws-cli.txt'))
    const store = path.join(dir, 'store')
    const human = await coroner(['import', 'lambda', input, '--case', 'INC-API', '--store', store])
    expect(human.error?.oclif?.exit).toBe(6)
    expect(human.stdout).toContain('Read 5 of 5 file(s): 4 imported, 1 not an output it reads.')
    expect(human.stdout).toContain('Outputs: GetRole 1, GetFunctionUrlConfig 1, GetFunction 1, GetPolicy 1.')
    expect(human.stdout).toMatch(/invalid-json\s+\S+LICENSE-aws-cli\.txt: not JSON/)

    const json = await coroner(['import', 'lambda', input, '--case', 'INC-API2', '--store', store, '--json'])
    expect(json.error?.oclif?.exit).toBe(6)
    const env = JSON.parse(json.stdout) as Envelope<z.output<typeof importLambdaResult>>
    expect(env.status).toBe('partial')
    expect(env.result).toMatchObject({files: 5, read: 5, imported: 4, unrecognised: 1, refused: 0, notRead: 0, interrupted: false})
    expect(env.result.perFile.find((f) => f.file.endsWith('LICENSE-aws-cli.txt'))).toMatchObject({status: 'unrecognised', code: 'invalid-json', reason: 'not JSON', kind: null})
    expect(env.result.perFile.find((f) => f.file.endsWith('lambda_get-function.json'))).toMatchObject({status: 'imported', shape: 'GetFunction', kind: 'lambda.function', original: expect.stringContaining('/imported/lambda_get-function.json')})
    expect(env.result.run.gaps).toEqual([expect.objectContaining({code: 'invalid-json', resource: path.join(input, 'LICENSE-aws-cli.txt')})])

    const clean = await coroner(['import', 'lambda', path.join(repoRoot, 'samples', 'incident', 'api'), '--case', 'INC-API3', '--store', store, '--json'])
    expect(clean.error).toBeUndefined()
    expect((JSON.parse(clean.stdout) as Envelope<z.output<typeof importLambdaResult>>).result).toMatchObject({files: 4, imported: 4, unrecognised: 0})
  })
})
