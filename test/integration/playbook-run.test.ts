import {spawn} from 'node:child_process'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {CreateBucketCommand, S3Client} from '@aws-sdk/client-s3'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {AwsClientFactory} from '../../src/aws/client-factory.js'
import {fixedClock} from '../../src/core/clock.js'
import {memoryLogger} from '../../src/core/logger.js'
import {quietProgress} from '../../src/core/progress.js'
import {readManifest} from '../../src/evidence/cases.js'
import {LocalDirectoryStore} from '../../src/evidence/stores/local.js'
import {verifyCase} from '../../src/evidence/verify.js'
import type {z} from 'zod'
import type {playbookRunResult} from '../../src/cli/results/playbook.js'

type PlaybookRunResult = z.output<typeof playbookRunResult>
import {lambdaTargetsStep} from '../../src/steps/collect/lambda-targets.js'
import {runStep} from '../../src/steps/runner.js'
import {isReadOnly, operationsSeen} from '../support/aws-operations.js'
import {caseManifests} from '../support/evidence-case.js'
import {coroner, repoRoot, type Envelope} from '../support/cli.js'
import {startGate, type Gate} from '../support/gate.js'
import type {LambdaProxy} from '../support/lambda-proxy.js'
import {seededLambdaBehindProxy} from '../support/lambda-seed.js'
import {motoAws, resetMoto, useAwsTestEnvironment, useLambdaLayerBackend} from '../support/moto.js'
import {tempDir} from '../support/temp.js'

const FIXTURE = path.join(repoRoot, 'test', 'fixtures', 'playbooks', 'snapshot-roles-load.yaml')
const bin = path.join(repoRoot, 'bin', 'run.js')

let proxy: LambdaProxy

interface JournalEntry {
  seq: number
  type: string
  step?: string
  scope?: string
  outcome?: string
  cause?: string
  carriedFrom?: string
  durationMs?: number
  parameters?: {uses?: string; params?: Record<string, unknown>; resumeOf?: {runId: string; manifestSha256: string | null; journalLastHash: string}}
}

async function journal(store: string, caseId: string, runId: string): Promise<JournalEntry[]> {
  const text = await readFile(path.join(store, 'cases', caseId, 'runs', runId, 'custody.jsonl'), 'utf8')
  return text.trim().split('\n').map((l) => JSON.parse(l) as JournalEntry)
}

const playbookSteps = (entries: JournalEntry[], type: string): JournalEntry[] => entries.filter((e) => e.type === type && e.scope === 'playbook')

describe('coroner run: a playbook as one evidence run, against moto', () => {
  useAwsTestEnvironment()
  useLambdaLayerBackend()
  // Every test here only reads the seeded account, so it is seeded once.
  beforeAll(async () => {
    await resetMoto()
    ;({proxy} = await seededLambdaBehindProxy())
  })
  afterAll(() => proxy.close())
  beforeEach(() => {
    proxy.calls.length = 0
  })

  it('snapshots a function with versions, an alias, a public URL, an open permission and a trigger, with read calls only, and loads it', async () => {
    const dir = await tempDir()
    const store = path.join(dir, 'store')
    const db = path.join(dir, 'case.duckdb')
    const out = await coroner(['run', FIXTURE, '--case', 'INC-PB', '--store', store, '--endpoint-url', proxy.url, '--region', 'us-east-1', '--param', 'functions=payments-api', '--param', `db=${db}`, '--json'])
    expect(out.error).toBeUndefined()
    const r = (JSON.parse(out.stdout) as Envelope<PlaybookRunResult>).result
    expect(r.run.status).toBe('complete')
    expect(r.steps.map((s) => [s.id, s.outcome])).toEqual([['targets', 'done'], ['snapshot', 'done'], ['roles', 'done'], ['load', 'done']])

    const [manifest] = await caseManifests(store, 'INC-PB')
    expect(manifest!.command).toBe('run snapshot-roles-load')
    const kinds = manifest!.artifacts.map((a) => a.kind)
    expect(kinds.filter((k) => k === 'lambda.function')).toHaveLength(4)
    for (const k of ['lambda.aliases', 'lambda.url-config', 'lambda.policy', 'lambda.event-source-mappings', 'lambda.concurrency', 'lambda.layer', 'iam.role', 'iam.role-policies']) expect(kinds, k).toContain(k)
    const load = r.steps.find((s) => s.id === 'load')!.result as {tables: Record<string, number>}
    expect(load.tables).toMatchObject({lambda_functions: 4, lambda_aliases: 1, lambda_url_configs: 2, lambda_event_source_mappings: 1})
    expect(load.tables.lambda_policies).toBeGreaterThanOrEqual(1)

    const ops = operationsSeen(proxy)
    for (const op of ['sts:GetCallerIdentity', 'lambda:ListVersionsByFunction', 'lambda:ListAliases', 'lambda:GetFunction', 'lambda:GetPolicy', 'lambda:GetFunctionUrlConfig', 'lambda:ListEventSourceMappings', 'lambda:GetFunctionConcurrency', 'lambda:GetLayerVersion', 'iam:GetRole', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies']) {
      expect(ops, op).toContain(op)
    }
    expect(ops.filter((o) => !isReadOnly(o))).toEqual([])
    // Names need no listing: the targets step made no call.
    expect(ops).not.toContain('lambda:ListFunctions')

    const entries = await journal(store, 'INC-PB', r.run.runId)
    expect(playbookSteps(entries, 'step-started').map((e) => [e.step, e.parameters?.uses])).toEqual([['targets', 'lambda-targets'], ['snapshot', 'lambda'], ['roles', 'iam-role'], ['load', 'load']])
    const ended = playbookSteps(entries, 'step-ended')
    expect(ended.map((e) => e.outcome)).toEqual(['done', 'done', 'done', 'done'])
    for (const e of ended) expect(e.durationMs).toBeGreaterThanOrEqual(0)
    expect(playbookSteps(entries, 'step-started')[2]!.parameters?.params).toEqual({roles: ['arn:aws:iam::123456789012:role/payments-exec']})
  })

  it('a function that is not there is a gap; the step whose condition reads its empty result is skipped, and the run is partial (exit 6)', async () => {
    const dir = await tempDir()
    const store = path.join(dir, 'store')
    const out = await coroner(['run', FIXTURE, '--case', 'INC-GAP', '--store', store, '--endpoint-url', proxy.url, '--region', 'us-east-1', '--param', 'functions=nope-fn', '--param', `db=${path.join(dir, 'case.duckdb')}`, '--json'])
    expect(out.error?.oclif?.exit).toBe(6)
    const env = JSON.parse(out.stdout) as Envelope<PlaybookRunResult>
    expect(env.status).toBe('partial')
    expect(env.result.steps.map((s) => [s.id, s.outcome, s.cause])).toEqual([['targets', 'done', null], ['snapshot', 'gap', null], ['roles', 'skipped', 'when'], ['load', 'done', null]])
    expect(env.result.run.gaps.map((g) => g.code)).toEqual(['function-not-found'])
    const human = await coroner(['run', FIXTURE, '--case', 'INC-GAP', '--store', store, '--endpoint-url', proxy.url, '--region', 'us-east-1', '--param', 'functions=nope-fn', '--param', `db=${path.join(dir, 'case.duckdb')}`])
    expect(human.stdout).toMatch(/roles\s+iam-role\s+skipped.*its condition is false/)
    expect(human.stdout).toMatch(/\[function-not-found\] nope-fn/)
  })

  it('with an S3 store, the collection lands in the bucket and the analysis is skipped, saying how to go on', async () => {
    await motoAws().client(S3Client).send(new CreateBucketCommand({Bucket: 'playbook-evidence', ObjectLockEnabledForBucket: true}))
    const out = await coroner(['run', FIXTURE, '--case', 'INC-S3', '--store', 's3://playbook-evidence/cases', '--lock-mode', 'GOVERNANCE', '--retain-days', '1', '--endpoint-url', proxy.url, '--region', 'us-east-1', '--param', 'functions=payments-api', '--json'])
    const env = JSON.parse(out.stdout) as Envelope<PlaybookRunResult>
    expect(env.result.steps.map((s) => [s.id, s.outcome, s.cause])).toEqual([['targets', 'done', null], ['snapshot', 'done', null], ['roles', 'done', null], ['load', 'skipped', 'store-not-local']])
    expect(env.warnings.join('\n')).toMatch(/the analysis \(load\) was not run: .*coroner evidence pull --case INC-S3 --to DIR/)
    expect(env.result.run.manifestKey).toMatch(/^cases\/INC-S3\/runs\//)
    expect(env.result.run.artifacts).toBeGreaterThan(10)
  })

  it('a tag selector is resolved by listing the region and its tags, and the listing is kept as evidence', async () => {
    const dir = await tempDir()
    const store = new LocalDirectoryStore(path.join(dir, 'store'))
    const aws = new AwsClientFactory({endpointUrl: proxy.url, region: 'us-east-1', maxAttempts: 1, credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}})
    const env = {clock: fixedClock('2026-11-20T10:00:00Z', 1000), logger: memoryLogger(), progress: quietProgress, signal: new AbortController().signal, aws, store, showSecrets: false, caseId: 'INC-TAG'}
    const {result, run} = await runStep(env, lambdaTargetsStep, {selectors: ['tag:team=payments', 'tag:team=nobody', 'resize']})
    aws.destroy()
    expect(result.functions).toEqual(['payments-api', 'resize'])
    expect(result.selectors.map((s) => [s.selector, s.matched])).toEqual([['tag:team=payments', ['payments-api']], ['tag:team=nobody', []], ['resize', ['resize']]])
    expect(operationsSeen(proxy)).toEqual(expect.arrayContaining(['lambda:ListFunctions', 'lambda:ListTags']))
    const manifest = await readManifest(store, run.manifestKey)
    expect(manifest.artifacts.map((a) => a.kind)).toEqual(['lambda.inventory'])
    const inventory = JSON.parse(await readFile(path.join(dir, 'store', ...manifest.artifacts[0]!.key.split('/')), 'utf8')) as {Functions: Array<{FunctionName: string}>; Tags: Record<string, Record<string, string>>}
    expect(inventory.Functions.map((f) => f.FunctionName)).toEqual(['payments-api'])
    expect(Object.values(inventory.Tags)).toEqual([{team: 'payments'}])
  })

  describe('killed mid-way, then --resume', () => {
    let gate: Gate
    beforeEach(async () => {
      gate = await startGate(proxy.url)
    })
    afterEach(() => gate.close())

    /** Starts `coroner run` in a child process; kills it with `signal` when the roles step's GetRole reaches the gate. */
    async function runAndKill(store: string, signal: NodeJS.Signals): Promise<{code: number | null; runId: string}> {
      const held = gate.holdFirst((r) => r.action === 'GetRole')
      const child = spawn(process.execPath, [bin, 'run', FIXTURE, '--case', 'INC-RES', '--store', store, '--endpoint-url', gate.url, '--region', 'us-east-1', '--param', 'functions=payments-api', '--param', `db=${path.join(store, '..', 'case.duckdb')}`], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: {...process.env, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'},
      })
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
      await held
      child.kill(signal)
      const code = await exited
      const [runId] = (await caseManifests(store, 'INC-RES')).map((m) => m.runId)
      const {readdir} = await import('node:fs/promises')
      return {code, runId: runId ?? (await readdir(path.join(store, 'cases', 'INC-RES', 'runs')))[0]!}
    }

    it('no finished step runs again, nothing is collected twice, the new run is chained to the old, and verify passes', async () => {
      const store = path.join(await tempDir(), 'store')
      const first = await runAndKill(store, 'SIGTERM')
      expect(first.code).toBe(6)
      const before = await journal(store, 'INC-RES', first.runId)
      expect(playbookSteps(before, 'step-ended').map((e) => [e.step, e.outcome, e.cause])).toEqual([
        ['targets', 'done', undefined],
        ['snapshot', 'done', undefined],
        ['roles', 'failed', undefined],
        ['load', 'skipped', 'interrupted'],
      ])
      const seenBefore = gate.seen.length

      const out = await coroner(['run', FIXTURE, '--case', 'INC-RES', '--store', store, '--endpoint-url', gate.url, '--region', 'us-east-1', '--resume', first.runId, '--json'])
      expect(out.error).toBeUndefined()
      const r = (JSON.parse(out.stdout) as Envelope<PlaybookRunResult>).result
      expect(r.resumedFrom).toBe(first.runId)
      expect(r.steps.map((s) => [s.id, s.outcome, s.carriedFrom])).toEqual([
        ['targets', 'done', first.runId],
        ['snapshot', 'done', first.runId],
        ['roles', 'done', null],
        ['load', 'done', null],
      ])
      // The second run called IAM for the role and nothing of Lambda: the snapshot was not taken again.
      const resumedCalls = gate.seen.slice(seenBefore)
      expect(resumedCalls.some((c) => c.action === 'GetRole')).toBe(true)
      expect(resumedCalls.filter((c) => c.line.includes('/functions/'))).toEqual([])

      const all = await caseManifests(store, 'INC-RES')
      expect(all.map((m) => m.status)).toEqual(['incomplete', 'complete'])
      const kinds = all.flatMap((m) => m.artifacts.map((a) => a.kind))
      expect(kinds.filter((k) => k === 'lambda.function')).toHaveLength(4)
      expect(kinds.filter((k) => k === 'iam.role')).toHaveLength(1)
      expect(all[0]!.artifacts.some((a) => a.kind === 'iam.role')).toBe(false)

      const firstManifestSha = (await verifyCase(new LocalDirectoryStore(store), 'INC-RES')).runs[0]
      expect(firstManifestSha?.status).toBe('incomplete')
      const second = all[1]!
      expect(second.previousManifest?.runId).toBe(first.runId)
      const resumeOf = second.parameters.resumeOf as {runId: string; manifestSha256: string; status: string}
      expect(resumeOf).toMatchObject({runId: first.runId, status: 'incomplete', manifestSha256: second.previousManifest!.sha256})
      const after = await journal(store, 'INC-RES', r.run.runId)
      expect(playbookSteps(after, 'step-ended').filter((e) => e.carriedFrom === first.runId).map((e) => e.step)).toEqual(['targets', 'snapshot'])
      expect(playbookSteps(after, 'step-started').map((e) => e.step)).toEqual(['roles', 'load'])

      const v = await verifyCase(new LocalDirectoryStore(store), 'INC-RES')
      expect(v.problems).toEqual([])
      expect(v.ok).toBe(true)
    })

    it('a run killed outright (SIGKILL, never sealed) resumes from its journal, and the chain names its last journal line', async () => {
      const store = path.join(await tempDir(), 'store')
      const first = await runAndKill(store, 'SIGKILL')
      expect(first.code).toBeNull()
      const lines = (await readFile(path.join(store, 'cases', 'INC-RES', 'runs', first.runId, 'custody.jsonl'), 'utf8')).trim().split('\n')
      const {createHash} = await import('node:crypto')
      const lastHash = createHash('sha256').update(lines.at(-1)!).digest('hex')

      const out = await coroner(['run', FIXTURE, '--case', 'INC-RES', '--store', store, '--endpoint-url', gate.url, '--region', 'us-east-1', '--resume', first.runId, '--json'])
      expect(out.error).toBeUndefined()
      const r = (JSON.parse(out.stdout) as Envelope<PlaybookRunResult>).result
      expect(r.steps.map((s) => [s.id, s.carriedFrom !== null])).toEqual([['targets', true], ['snapshot', true], ['roles', false], ['load', false]])
      const [second] = await caseManifests(store, 'INC-RES')
      expect(second!.parameters.resumeOf).toEqual({runId: first.runId, status: 'unsealed', manifestSha256: null, journalLastHash: lastHash})
      const v = await verifyCase(new LocalDirectoryStore(store), 'INC-RES')
      expect(v.runs.find((x) => x.runId === first.runId)?.status).toBe('unsealed')
      expect(v.artifacts.filter((a) => a.status !== 'ok' && a.status !== 'extra')).toEqual([])
    })

    it('refuses to resume with other parameters, a changed playbook, or a run that completed', async () => {
      const dir = await tempDir()
      const store = path.join(dir, 'store')
      const first = await runAndKill(store, 'SIGTERM')
      const common = ['--case', 'INC-RES', '--store', store, '--endpoint-url', gate.url, '--resume', first.runId]
      const params = await coroner(['run', FIXTURE, ...common, '--param', 'functions=other'])
      expect(params.error?.oclif?.exit).toBe(2)
      expect(params.stderr).toMatch(/resume-mismatch/)
      const {writeFile} = await import('node:fs/promises')
      const changed = path.join(dir, 'snapshot-roles-load.yaml')
      await writeFile(changed, `${await readFile(FIXTURE, 'utf8')}\n# edited\n`)
      const edited = await coroner(['run', changed, ...common])
      expect(edited.stderr).toMatch(/changed since run/)
      const done = await coroner(['run', FIXTURE, ...common, '--json'])
      const resumed = (JSON.parse(done.stdout) as Envelope<PlaybookRunResult>).result.run.runId
      const again = await coroner(['run', FIXTURE, '--case', 'INC-RES', '--store', store, '--resume', resumed])
      expect(again.stderr).toMatch(/nothing-to-resume/)
    })
  })
})
