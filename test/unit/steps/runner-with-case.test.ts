import {readdir} from 'node:fs/promises'
import {describe, expect, it} from 'vitest'
import {z} from 'zod'
import {AwsClientFactory} from '../../../src/aws/client-factory.js'
import {fixedClock} from '../../../src/core/clock.js'
import {memoryLogger} from '../../../src/core/logger.js'
import {quietProgress} from '../../../src/core/progress.js'
import {LocalDirectoryStore} from '../../../src/evidence/stores/local.js'
import {offlineCall, opensRun, runStep, type RunnerEnv} from '../../../src/steps/runner.js'
import {defineStep} from '../../../src/steps/step.js'
import {tempDir} from '../../support/temp.js'

/** A collect step that records only when given a case: it writes one artifact then, and says what it was handed. */
const sometimes = defineStep({
  id: 'sometimes',
  kind: 'collect',
  title: 'records with a case only',
  params: z.object({}).strict(),
  records: 'with-case',
  operations: [],
  permissions: () => [],
  usesAws: () => false,
  produces: [],
  async run(ctx) {
    if (ctx.run !== undefined) await ctx.run.putArtifact(['probe.json'], '{}', {kind: 'probe', contentType: 'application/json', source: 'test', collector: 'sometimes'})
    return {hadRun: ctx.run !== undefined, hadGaps: ctx.gaps !== undefined, hadAws: ctx.aws instanceof AwsClientFactory}
  },
})

const always = defineStep({...sometimes, id: 'always', records: true, run: async () => ({})})

async function env(caseId: string | undefined): Promise<RunnerEnv & {root: string}> {
  const root = await tempDir()
  return {root, clock: fixedClock('2026-11-20T10:00:00Z', 1000), logger: memoryLogger(), progress: quietProgress, signal: new AbortController().signal, aws: new AwsClientFactory({region: 'us-east-1'}), store: new LocalDirectoryStore(root), showSecrets: false, caseId}
}

describe("a step that records only with a case ('with-case')", () => {
  it('without a case runs with AWS access and no run, and writes nothing', async () => {
    const e = await env(undefined)
    const outcome = await runStep(e, sometimes, {})
    expect(outcome.result).toEqual({hadRun: false, hadGaps: false, hadAws: true})
    expect(outcome.run).toBeUndefined()
    expect(await readdir(e.root)).toEqual([])
  })

  it('with a case runs inside a sealed evidence run, like any recording step', async () => {
    const e = await env('INC-WITH-CASE')
    const outcome = await runStep(e, sometimes, {})
    expect(outcome.result).toEqual({hadRun: true, hadGaps: true, hadAws: true})
    expect(outcome.run).toMatchObject({caseId: 'INC-WITH-CASE', status: 'complete', artifacts: 1})
  })

  it('leaves the other kinds as they were: a step that always records still needs a case', async () => {
    expect(opensRun(sometimes, undefined)).toBe(false)
    expect(opensRun(sometimes, 'INC-1')).toBe(true)
    expect(opensRun(always, undefined)).toBe(true)
    await expect(runStep(await env(undefined), always, {})).rejects.toMatchObject({code: 'no-case'})
  })
})

describe('offlineCall', () => {
  it('hands an offline step its checked parameters and the store context runStep gives it, and refuses any step that records or calls AWS', async () => {
    const {queryStep} = await import('../../../src/steps/analyse/query.js')
    const e = await env(undefined)
    const {ctx, params} = await offlineCall(e, queryStep, {sql: 'SELECT 1'})
    expect(params).toEqual({sql: 'SELECT 1', params: {}, reload: false})
    expect(ctx.store).toBe(e.store)
    expect('aws' in ctx).toBe(false)
    await expect(offlineCall(e, queryStep, {sql: 'SELECT 1', bogus: true})).rejects.toMatchObject({code: 'invalid-parameters'})
    // A collect step without a case opens no run, yet calls AWS: runStep's to run.
    for (const step of [sometimes, always]) await expect(offlineCall(e, step, {})).rejects.toMatchObject({code: 'internal'})
  })
})
