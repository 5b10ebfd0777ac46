import {spawn} from 'node:child_process'
import {readFile, readdir} from 'node:fs/promises'
import path from 'node:path'
import {gunzipSync} from 'node:zlib'
import {CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand} from '@aws-sdk/client-cloudwatch-logs'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {journalLines} from '../../src/evidence/journal.js'
import type {Manifest} from '../../src/evidence/manifest.js'
import {LocalDirectoryStore} from '../../src/evidence/stores/local.js'
import {verifyCase} from '../../src/evidence/verify.js'
import type {z} from 'zod'
import type {playbookRunResult} from '../../src/cli/results/playbook.js'

type PlaybookRunResult = z.output<typeof playbookRunResult>
import {isReadOnly, operationsSeen} from '../support/aws-operations.js'
import {coroner, repoRoot, type Envelope} from '../support/cli.js'
import {fixtureRecords, spreadRecords} from '../support/cloudtrail-fixtures.js'
import {caseManifests, stratusRecords} from '../support/evidence-case.js'
import {lookupEventFromRecord, startFakeCloudTrail, type FakeCloudTrail, type WireEvent} from '../support/fake-cloudtrail.js'
import {startGate, type Gate} from '../support/gate.js'
import type {LambdaProxy} from '../support/lambda-proxy.js'
import {seededLambdaBehindProxy} from '../support/lambda-seed.js'
import {motoAws, resetMoto, useAwsTestEnvironment, useLambdaLayerBackend} from '../support/moto.js'
import {inDir, tempDir} from '../support/temp.js'

/**
 * The shipped playbooks against moto (Lambda, IAM, CloudWatch Logs) with CloudTrail LookupEvents
 * answered by a server speaking its JSON 1.1 protocol: a gate in front of both sends each call where
 * it belongs and can hold one, so a child run can be killed at a known point.
 */
let proxy: LambdaProxy
let gate: Gate
let trail: FakeCloudTrail

const UNTIL = new Date(Date.now() - 60_000)
const SINCE = new Date(UNTIL.getTime() - 6 * 3600_000)
const bin = path.join(repoRoot, 'bin', 'run.js')

/** The execution role's credentials used from an address outside AWS: a Stratus record of stolen instance credentials, re-issued for the seeded function's role. */
function stolenRoleRecord(): Record<string, unknown> {
  const base = stratusRecords('aws.credential-access.ec2-steal-instance-credentials').find((r) => r.eventID === 'b379479b-05c9-4c3c-af4b-cbd43acf29e1')!
  const r = structuredClone(base) as Record<string, any>
  r.eventID = 'stolen-credentials-1'
  r.eventTime = new Date(SINCE.getTime() + 3600_000).toISOString().replace('.000Z', 'Z')
  r.awsRegion = 'us-east-1'
  r.recipientAccountId = '123456789012'
  r.userIdentity.accountId = '123456789012'
  r.userIdentity.arn = 'arn:aws:sts::123456789012:assumed-role/payments-exec/payments-api'
  r.userIdentity.sessionContext.sessionIssuer = {accountId: '123456789012', arn: 'arn:aws:iam::123456789012:role/payments-exec', principalId: 'AROAEXAMPLE', type: 'Role', userName: 'payments-exec'}
  r.sourceIPAddress = '198.51.100.23'
  r.userAgent = 'aws-cli/2.15.0 Python/3.11'
  return r
}

function lookupEvents(count: number): WireEvent[] {
  const lambda = fixtureRecords().filter((r) => r.eventSource === 'lambda.amazonaws.com')
  return [...spreadRecords(lambda, count, SINCE, UNTIL, 'us-east-1', 'triage').map(lookupEventFromRecord), lookupEventFromRecord(stolenRoleRecord())]
}

async function seedLogs(): Promise<void> {
  const logs = motoAws().client(CloudWatchLogsClient)
  const group = '/aws/lambda/payments-api'
  await logs.send(new CreateLogGroupCommand({logGroupName: group}))
  await logs.send(new CreateLogStreamCommand({logGroupName: group, logStreamName: '2026/11/20/[$LATEST]abc'}))
  const t = SINCE.getTime() + 1800_000
  await logs.send(new PutLogEventsCommand({logGroupName: group, logStreamName: '2026/11/20/[$LATEST]abc', logEvents: [0, 1, 2].map((i) => ({timestamp: t + i * 1000, message: `START RequestId: 0f5c7a52-000${i} Version: $LATEST`}))}))
}

async function lookupEventIds(store: string, all: Manifest[]): Promise<string[]> {
  const ids: string[] = []
  for (const m of all) {
    for (const a of m.artifacts.filter((x) => x.kind === 'cloudtrail.lookup-events')) {
      const lines = gunzipSync(await readFile(path.join(store, ...a.key.split('/')))).toString('utf8').trim().split('\n')
      ids.push(...lines.map((l) => String((JSON.parse(l) as {EventId: string}).EventId)))
    }
  }
  return ids
}

const window = ['--param', `since=${SINCE.toISOString()}`, '--param', `until=${UNTIL.toISOString()}`]

describe('the shipped playbooks, run against moto and a LookupEvents server', () => {
  useAwsTestEnvironment()
  useLambdaLayerBackend()
  beforeAll(async () => {
    await resetMoto()
    ;({proxy} = await seededLambdaBehindProxy())
    await seedLogs()
  })
  afterAll(() => proxy.close())

  async function endpoints(events: number): Promise<void> {
    trail = await startFakeCloudTrail({events: {'us-east-1': lookupEvents(events)}})
    gate = await startGate(proxy.url)
    gate.route((r) => r.target?.startsWith('CloudTrail_20131101.') === true, trail.endpoint)
    proxy.calls.length = 0
  }
  afterEach(async () => {
    await gate?.close()
    await trail?.close()
  })

  const run = (playbook: string, store: string, args: string[]) =>
    coroner(['run', playbook, '--case', 'INC-SHIP', '--store', store, '--endpoint-url', gate.url, '--region', 'us-east-1', ...args, '--json'])

  it('lambda-triage collects the function (versions, alias, public URL, open permission, trigger), its logs and the trail, read-only, and finds what is open', async () => {
    await endpoints(60)
    const dir = await tempDir()
    const store = path.join(dir, 'store')
    const out = await inDir(dir, () => run('lambda-triage', store, ['--param', 'functions=payments-api', ...window]))
    expect(out.error?.oclif?.exit).toBe(3)
    const r = (JSON.parse(out.stdout) as Envelope<PlaybookRunResult>).result
    expect(r.run.status).toBe('complete')
    expect(r.steps.map((s) => [s.id, s.outcome, s.cause])).toEqual([
      ['targets', 'done', null],
      ['snapshot', 'done', null],
      ['lookup', 'done', null],
      ['archive', 'skipped', 'when'],
      ['logs', 'done', null],
      ['digests', 'skipped', 'when'],
      ['load', 'done', null],
      ['findings', 'done', null],
    ].sort((a, b) => r.steps.findIndex((s) => s.id === a[0]) - r.steps.findIndex((s) => s.id === b[0])))

    const kinds = (await caseManifests(store, 'INC-SHIP'))[0]!.artifacts.map((a) => a.kind)
    expect(kinds.filter((k) => k === 'lambda.function')).toHaveLength(4)
    for (const k of ['lambda.aliases', 'lambda.url-config', 'lambda.policy', 'lambda.event-source-mappings', 'iam.role', 'iam.role-policies', 'logs.events', 'cloudtrail.lookup-events']) expect(kinds, k).toContain(k)
    const tables = (r.steps.find((s) => s.id === 'load')!.result as {tables: Record<string, number>}).tables
    expect(tables).toMatchObject({lambda_functions: 4, lambda_aliases: 1, lambda_url_configs: 2, lambda_event_source_mappings: 1, log_events: 3, cloudtrail_events: 61})

    const ops = operationsSeen(proxy)
    for (const op of ['sts:GetCallerIdentity', 'lambda:ListVersionsByFunction', 'lambda:ListAliases', 'lambda:GetFunction', 'lambda:GetPolicy', 'lambda:GetFunctionUrlConfig', 'lambda:ListEventSourceMappings', 'iam:GetRole', 'logs:FilterLogEvents']) expect(ops, op).toContain(op)
    expect(ops.filter((o) => !isReadOnly(o))).toEqual([])
    expect(trail.requests.filter((q) => q.target.endsWith('LookupEvents')).length).toBe(2)

    const findings = r.steps.find((s) => s.id === 'findings')!.result as {findings: number; top: Array<{title: string; severity: string}>}
    // The stolen role credentials (critical) come first; the function's own configuration is open too (URL without auth, policy to *).
    expect(findings.top[0]).toMatchObject({severity: 'critical', title: 'Compute role credentials (Lambda, EC2, ECS) used from outside their compute'})
    // The lookup's repeated events (20 or more hits of one rule by one principal) fold into one finding, so every finding fits the top.
    expect(findings.findings).toBeGreaterThanOrEqual(3)
    expect(findings.top).toHaveLength(Math.min(20, findings.findings))
    expect(r.findings).toBe(findings.findings)
    expect((await verifyCase(new LocalDirectoryStore(store), 'INC-SHIP')).ok).toBe(true)
  })

  it('lambda-triage killed in the middle of LookupEvents, then --resume: the lookup continues from its checkpoint, nothing else runs again, nothing is collected twice', async () => {
    await endpoints(240)
    const dir = await tempDir()
    const store = path.join(dir, 'store')
    let lookups = 0
    const held = gate.holdFirst((q) => q.target?.endsWith('LookupEvents') === true && ++lookups === 3)
    const child = spawn(process.execPath, [bin, 'run', 'lambda-triage', '--case', 'INC-KILL', '--store', store, '--endpoint-url', gate.url, '--region', 'us-east-1', '--param', 'functions=payments-api', ...window], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {...process.env, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true'},
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    await held
    // The third page is held: wait until every other step has ended (they run beside the lookup), then interrupt.
    const runsDir = path.join(store, 'cases', 'INC-KILL', 'runs')
    const others = ['archive', 'digests', 'logs', 'snapshot', 'targets']
    for (;;) {
      const runId = (await readdir(runsDir).catch(() => []))[0]
      const ended = new Set<unknown>()
      // The one journal reader: a last line still being written reads as no entry.
      if (runId !== undefined) {
        for await (const {entry: e} of journalLines(new LocalDirectoryStore(store), `cases/INC-KILL/runs/${runId}/custody.jsonl`)) {
          if (e?.type === 'step-ended' && e.scope === 'playbook' && (e.outcome === 'done' || e.outcome === 'skipped')) ended.add(e.step)
        }
      }
      if (others.every((step) => ended.has(step))) break
      await new Promise((r) => setTimeout(r, 50))
    }
    child.kill('SIGTERM')
    expect(await exited).toBe(6)
    const [first] = await caseManifests(store, 'INC-KILL')
    expect(first!.status).toBe('incomplete')
    const before = await lookupEventIds(store, [first!])
    expect(before.length).toBe(100)
    const proxyCallsBefore = proxy.calls.length
    const trailBefore = trail.requests.length

    const out = await inDir(dir, () => coroner(['run', 'lambda-triage', '--case', 'INC-KILL', '--store', store, '--endpoint-url', gate.url, '--region', 'us-east-1', '--resume', first!.runId, '--json']))
    const r = (JSON.parse(out.stdout) as Envelope<PlaybookRunResult>).result
    expect(r.steps.filter((s) => s.carriedFrom === first!.runId).map((s) => s.id).sort()).toEqual(others)
    expect(r.steps.find((s) => s.id === 'lookup')).toMatchObject({outcome: 'done'})
    // The resumed lookup started with the token of the page it stopped on, and nothing of Lambda or Logs was called again.
    const resumedLookups = trail.requests.slice(trailBefore).filter((q) => q.target.endsWith('LookupEvents'))
    expect(resumedLookups[0]!.hadToken).toBe(true)
    expect(operationsSeen({calls: proxy.calls.slice(proxyCallsBefore)}).filter((o) => o.startsWith('lambda:') || o.startsWith('logs:'))).toEqual([])

    const all = await caseManifests(store, 'INC-KILL')
    const ids = await lookupEventIds(store, all)
    expect(ids.length).toBe(241)
    expect(new Set(ids).size).toBe(241)
    expect(all.flatMap((m) => m.artifacts).filter((a) => a.kind === 'lambda.function')).toHaveLength(4)
    expect(all.flatMap((m) => m.artifacts).filter((a) => a.kind === 'logs.events').length).toBe(first!.artifacts.filter((a) => a.kind === 'logs.events').length)
    expect(all[1]!.previousManifest?.runId).toBe(first!.runId)
    expect((all[1]!.parameters.resumeOf as {runId: string}).runId).toBe(first!.runId)
    const v = await verifyCase(new LocalDirectoryStore(store), 'INC-KILL')
    expect(v.ok).toBe(true)
  })

  it('lambda-public-exposure finds the open URL and the open statement, and plans to close exactly those (nothing changed without --apply)', async () => {
    await endpoints(1)
    const dir = await tempDir()
    const out = await inDir(dir, () => run('lambda-public-exposure', path.join(dir, 'store'), ['--param', 'region=us-east-1']))
    expect(out.error?.oclif?.exit).toBe(3)
    const r = (JSON.parse(out.stdout) as Envelope<PlaybookRunResult>).result
    const outputs = Object.fromEntries(r.steps.map((s) => [s.id, s.outputs]))
    expect(outputs['open-urls']).toEqual({functions: ['payments-api']})
    expect(outputs['open-policies']).toEqual({functions: ['payments-api']})
    for (const id of ['close-urls', 'close-policies']) {
      const step = r.steps.find((s) => s.id === id)!
      expect(step.outcome, id).toBe('done')
      expect((step.result as {outcomes: Array<{record: {status: string}}>}).outcomes.map((o) => o.record.status)).toEqual(['planned'])
    }
    expect(operationsSeen(proxy).filter((o) => !isReadOnly(o))).toEqual([])
    // Every function of the region was listed (the targets were *), and kept as evidence.
    expect(operationsSeen(proxy)).toContain('lambda:ListFunctions')
  })

  it('role-credential-misuse finds the execution role used from outside Lambda and plans to revoke its sessions', async () => {
    await endpoints(20)
    const dir = await tempDir()
    const out = await inDir(dir, () => run('role-credential-misuse', path.join(dir, 'store'), ['--param', 'functions=payments-api', ...window]))
    expect(out.error?.oclif?.exit).toBe(3)
    const r = (JSON.parse(out.stdout) as Envelope<PlaybookRunResult>).result
    const misuse = r.steps.find((s) => s.id === 'misuse')!
    expect((misuse.result as {query: {rows: Array<{source_ip: string; role: string}>}}).query.rows.map((x) => [x.source_ip, x.role])).toEqual([['198.51.100.23', 'arn:aws:iam::123456789012:role/payments-exec']])
    const revoke = r.steps.find((s) => s.id === 'revoke')!
    expect(revoke.outcome).toBe('done')
    expect((revoke.result as {apply: boolean; outcomes: Array<{record: {status: string}}>}).outcomes.map((o) => o.record.status)).toEqual(['planned'])
    expect(operationsSeen(proxy).filter((o) => !isReadOnly(o))).toEqual([])
  })

  it('lambda-compromise preserves first, then plans every containment step on the function, changing nothing without --apply', async () => {
    await endpoints(5)
    const dir = await tempDir()
    const out = await inDir(dir, () => run('lambda-compromise', path.join(dir, 'store'), ['--param', 'functions=payments-api', ...window]))
    const r = (JSON.parse(out.stdout) as Envelope<PlaybookRunResult>).result
    const contain = r.steps.filter((s) => s.kind === 'contain')
    expect(contain.map((s) => [s.id, s.outcome, s.cause])).toEqual([
      ['throttle', 'done', null],
      ['disable-triggers', 'done', null],
      ['close-url', 'done', null],
      ['remove-public-access', 'done', null],
      ['revoke-sessions', 'done', null],
      ['deny-role', 'skipped', 'when'],
      ['tag', 'done', null],
    ].sort((a, b) => r.steps.findIndex((s) => s.id === a[0]) - r.steps.findIndex((s) => s.id === b[0])))
    for (const s of contain.filter((x) => x.outcome === 'done')) expect((s.result as {apply: boolean}).apply, s.id).toBe(false)
    expect(operationsSeen(proxy).filter((o) => !isReadOnly(o))).toEqual([])
  })
})
