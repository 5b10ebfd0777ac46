import path from 'node:path'
import {GetFunctionConcurrencyCommand, GetPolicyCommand, LambdaClient} from '@aws-sdk/client-lambda'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import type {z} from 'zod'
import type {playbookRunResult} from '../../src/cli/results/playbook.js'

type PlaybookRunResult = z.output<typeof playbookRunResult>
import {isReadOnly, operationsSeen} from '../support/aws-operations.js'
import {coroner, repoRoot, type Envelope} from '../support/cli.js'
import type {LambdaProxy} from '../support/lambda-proxy.js'
import {seededLambdaBehindProxy} from '../support/lambda-seed.js'
import {motoAws, resetMoto, useAwsTestEnvironment, useLambdaLayerBackend} from '../support/moto.js'
import {tempDir} from '../support/temp.js'

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'playbooks', 'contain-exposed.yaml')
let proxy: LambdaProxy

const writes = (): string[] => operationsSeen(proxy).filter((o) => !isReadOnly(o))

describe('coroner run with containment steps, against moto', () => {
  useAwsTestEnvironment()
  useLambdaLayerBackend()
  // The tests that change nothing come first; the one with --apply is last.
  beforeAll(async () => {
    await resetMoto()
    ;({proxy} = await seededLambdaBehindProxy())
  })
  afterAll(() => proxy.close())
  beforeEach(() => {
    proxy.calls.length = 0
  })

  const run = async (args: string[]) => {
    const dir = await tempDir()
    return coroner(['run', FIXTURE, '--case', 'INC-CON', '--store', path.join(dir, 'store'), '--endpoint-url', proxy.url, '--region', 'us-east-1', ...args])
  }

  it('without --apply, containment is a recorded dry run: no write call, each step says what it would change', async () => {
    const json = await run(['--param', 'functions=payments-api', '--json'])
    expect(json.error).toBeUndefined()
    const r = (JSON.parse(json.stdout) as Envelope<PlaybookRunResult>).result
    expect(r.steps.map((s) => [s.id, s.outcome])).toEqual([['targets', 'done'], ['snapshot', 'done'], ['throttle', 'done'], ['close-policy', 'done']])
    const throttle = r.steps.find((s) => s.id === 'throttle')!.result as {apply: boolean; outcomes: Array<{record: {status: string}}>}
    expect(throttle.apply).toBe(false)
    expect(throttle.outcomes.map((o) => o.record.status)).toEqual(['planned'])
    expect(writes()).toEqual([])
    const human = await run(['--param', 'functions=payments-api'])
    expect(human.stdout).toMatch(/planned \(dry run: not changed\)/)
    expect(human.stdout).toMatch(/would call lambda:PutFunctionConcurrency/)
    expect(human.stdout).toContain('Containment ran without --apply: nothing was changed')
    expect(writes()).toEqual([])
  })

  it('the playbook guard refuses a containment call on more resources than max-resources, and changes nothing', async () => {
    const out = await run(['--param', 'functions=payments-api,resize,thumbnails', '--apply', '--yes', '--json'])
    expect(out.error?.oclif?.exit).toBe(6)
    const r = (JSON.parse(out.stdout) as Envelope<PlaybookRunResult>).result
    const throttle = r.steps.find((s) => s.id === 'throttle')!
    expect(throttle).toMatchObject({outcome: 'failed', error: {code: 'too-many-resources'}})
    expect(throttle.reason).toMatch(/3 resources, more than max-resources 2/)
    expect(writes()).toEqual([])
  })

  it('--apply off a terminal needs --yes, before anything runs', async () => {
    const out = await run(['--param', 'functions=payments-api', '--apply'])
    expect(out.error?.oclif?.exit).toBe(2)
    expect(out.stderr).toMatch(/confirmation-needed/)
    expect(proxy.calls).toEqual([])
  })

  it('with --apply --yes, containment changes the account after the snapshot, and reads it back', async () => {
    const out = await run(['--param', 'functions=payments-api', '--apply', '--yes', '--json'])
    expect(out.error).toBeUndefined()
    const r = (JSON.parse(out.stdout) as Envelope<PlaybookRunResult>).result
    expect(r.apply).toBe(true)
    for (const id of ['throttle', 'close-policy']) {
      const s = r.steps.find((x) => x.id === id)!.result as {apply: boolean; outcomes: Array<{record: {status: string}}>}
      expect(s.outcomes.map((o) => o.record.status), id).toEqual(['applied'])
    }
    const changed = writes()
    expect(changed).toEqual(expect.arrayContaining([expect.stringMatching(/^unknown:PUT \/2017-10-31\/functions\/payments-api\/concurrency$/), expect.stringMatching(/^unknown:DELETE \/2015-03-31\/functions\/payments-api\/policy\/public-url/)]))
    // Every change came after the snapshot of the function it changed.
    const ops = operationsSeen(proxy)
    expect(ops.findIndex((o) => !isReadOnly(o))).toBeGreaterThan(ops.lastIndexOf('lambda:GetFunctionCodeSigningConfig'))
    const lambda = motoAws().client(LambdaClient)
    expect((await lambda.send(new GetFunctionConcurrencyCommand({FunctionName: 'payments-api'}))).ReservedConcurrentExecutions).toBe(0)
    await expect(lambda.send(new GetPolicyCommand({FunctionName: 'payments-api'}))).rejects.toThrow()
  })
})
