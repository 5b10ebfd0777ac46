import {readFile, mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {gzipSync} from 'node:zlib'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {LambdaProxy} from '../support/lambda-proxy.js'
import {ENV_SECRET, seededLambdaBehindProxy} from '../support/lambda-seed.js'
import {resetMoto, useAwsTestEnvironment, useLambdaLayerBackend} from '../support/moto.js'
import {tempDir} from '../support/temp.js'
import {coroner, type Envelope} from '../support/cli.js'

let proxy: LambdaProxy

describe('collect lambda / collect logs / import logs commands', () => {
  // The commands build their AWS clients from the environment, like the AWS CLI.
  useAwsTestEnvironment()
  useLambdaLayerBackend()
  beforeEach(async () => {
    await resetMoto()
    ;({proxy} = await seededLambdaBehindProxy())
  })
  afterEach(() => proxy.close())

  it('collect lambda keeps environment values in evidence but never prints them unless --show-secrets', async () => {
    const store = path.join(await tempDir(), 'store')
    const common = ['--case', 'INC-CMD', '--store', store, '--endpoint-url', proxy.url, '--region', 'us-east-1']
    const json = await coroner(['collect', 'lambda', '--function', 'payments-api', ...common, '--json'])
    expect(json.error).toBeUndefined()
    expect(json.stdout).not.toContain(ENV_SECRET)
    const env = JSON.parse(json.stdout) as Envelope<{functions: Array<{environment: Record<string, string>; versions: string[]}>; run: {manifestKey: string; store: string}}>
    expect(env.status).toBe('ok')
    expect(env.result.functions[0]!.environment).toEqual({DB_PASSWORD: '[redacted:DB_PASSWORD]', STAGE: '[redacted:STAGE]'})
    expect(env.result.functions[0]!.versions).toEqual(['$LATEST', '2', '3'])

    const manifest = JSON.parse(await readFile(path.join(store, ...env.result.run.manifestKey.split('/')), 'utf8')) as {artifacts: Array<{key: string}>; caller: {arn: string}}
    expect(manifest.caller.arn).toBe('arn:aws:sts::123456789012:user/moto')
    const latest = manifest.artifacts.find((a) => a.key.endsWith('%24LATEST/function.json'))!
    expect(await readFile(path.join(store, ...latest.key.split('/')), 'utf8')).toContain(ENV_SECRET)

    const human = await coroner(['collect', 'lambda', '--function', 'payments-api', ...common])
    expect(human.stdout).toMatch(/payments-api\s+us-east-1\s+complete\s+\$LATEST,2,3\s+live/)
    expect(human.stdout).toContain('DB_PASSWORD=[redacted:DB_PASSWORD]')
    expect(human.stdout + human.stderr).not.toContain(ENV_SECRET)

    const shown = await coroner(['collect', 'lambda', '--function', 'payments-api', ...common, '--show-secrets'])
    expect(shown.stdout).toContain(`DB_PASSWORD=${ENV_SECRET}`)
  })

  it('collect lambda exits 6 and names the missing function', async () => {
    const store = path.join(await tempDir(), 'store')
    const res = await coroner(['collect', 'lambda', '-f', 'nope-fn', '-f', 'payments-api', '--case', 'INC-CMD', '--store', store, '--endpoint-url', proxy.url, '--region', 'us-east-1'])
    expect(res.error?.oclif?.exit).toBe(6)
    expect(res.stdout).toMatch(/nope-fn\s+us-east-1\s+failed/)
    expect(res.stdout).toContain('aws lambda list-functions --region us-east-1')
    expect(res.stdout).toMatch(/function-not-found/)
    expect(res.stdout).toContain(`Evidence store file://${store}`)

    // case show: each run with its command, parameters, caller, status and every gap with its reason; --run in full.
    type Shown = Envelope<{runs: Array<{runId: string; command: string; parameters: Record<string, unknown>; caller: string; status: string; artifacts: number; gaps: Array<{code: string; reason: string}>; detail: {steps: unknown[]; artifacts: unknown[]} | null}>}>
    const shown = JSON.parse((await coroner(['case', 'show', 'INC-CMD', '--store', store, '--json'])).stdout) as Shown
    const [run] = shown.result.runs
    expect(run).toMatchObject({command: 'collect lambda', status: 'partial', caller: 'arn:aws:sts::123456789012:user/moto', detail: null})
    expect(run!.gaps).toEqual([expect.objectContaining({code: 'function-not-found', reason: expect.stringContaining('aws lambda list-functions')})])
    expect(JSON.stringify(run!.parameters)).toContain('nope-fn')
    const one = JSON.parse((await coroner(['case', 'show', 'INC-CMD', '--store', store, '--run', run!.runId, '--json'])).stdout) as Shown
    expect(one.result.runs).toHaveLength(1)
    expect(one.result.runs[0]!.detail!.artifacts).toHaveLength(run!.artifacts)
    const human = await coroner(['case', 'show', 'INC-CMD', '--store', store])
    expect(human.stdout).toContain('[function-not-found] nope-fn')
  })

  it('collect logs rejects a bad window and needs a group; import logs preserves an export folder', async () => {
    const store = path.join(await tempDir(), 'store')
    const bad = await coroner(['collect', 'logs', '-f', 'payments-api', '--since', 'yesterday', '--case', 'INC-CMD', '--store', store])
    expect(bad.error?.oclif?.exit).toBe(2)
    expect(bad.stderr).toMatch(/--since "yesterday" is not a time: give an ISO 8601 time/)
    const none = await coroner(['collect', 'logs', '--case', 'INC-CMD', '--store', store])
    expect(none.error?.oclif?.exit).toBe(2)

    const logs = await coroner(['collect', 'logs', '-f', 'payments-api', '--since', '2h', '--case', 'INC-CMD', '--store', store, '--endpoint-url', proxy.url, '--region', 'us-east-1', '--json'])
    expect(logs.error?.oclif?.exit).toBe(6)
    const env = JSON.parse(logs.stdout) as Envelope<{run: {gaps: Array<{code: string}>}}>
    expect(env.status).toBe('partial')
    expect(env.result.run.gaps.map((g) => g.code)).toEqual(['log-group-not-found'])

    const dir = path.join(await tempDir(), 'exportedlogs', '0f6bd2f2-1f9c-4b1e-9c43-5d1f7a3c2b10', 'stream-a')
    await mkdir(dir, {recursive: true})
    await writeFile(path.join(dir, '000000.gz'), gzipSync('2026-11-20T10:00:00.000Z hello\n'))
    const imported = await coroner(['import', 'logs', path.dirname(path.dirname(dir)), '--case', 'INC-CMD', '--store', store, '--json'])
    expect(imported.error).toBeUndefined()
    const got = JSON.parse(imported.stdout) as Envelope<{files: Array<{taskId: string; logStreamName: string; lines: number; status: string}>}>
    expect(got.result.files).toEqual([expect.objectContaining({taskId: '0f6bd2f2-1f9c-4b1e-9c43-5d1f7a3c2b10', logStreamName: 'stream-a', lines: 1, status: 'complete'})])
  })

  it('collect role snapshots a role on its own and names an unknown one', async () => {
    const store = path.join(await tempDir(), 'store')
    const res = await coroner(['collect', 'role', '-r', 'payments-exec', '-r', 'arn:aws:iam::123456789012:role/gone', '--case', 'INC-CMD', '--store', store, '--endpoint-url', proxy.url, '--region', 'us-east-1', '--json'])
    expect(res.error?.oclif?.exit).toBe(6)
    const env = JSON.parse(res.stdout) as Envelope<{roles: Array<{roleName: string; artifacts: number}>; run: {gaps: Array<{code: string; resource: string}>}}>
    expect(env.result.roles).toEqual([expect.objectContaining({roleName: 'payments-exec', artifacts: 2}), expect.objectContaining({roleName: 'gone', artifacts: 0})])
    expect(env.result.run.gaps).toEqual([expect.objectContaining({code: 'not-found', resource: 'arn:aws:iam::123456789012:role/gone'})])
  })
})
