import {stat, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {LocalDirectoryStore} from '../../../src/evidence/stores/local.js'
import {verifyCase} from '../../../src/evidence/verify.js'
import type {z} from 'zod'
import type {playbookRunResult} from '../../../src/cli/results/playbook.js'

type RunResult = z.output<typeof playbookRunResult>
import {coroner, repoRoot, type Envelope} from '../../support/cli.js'
import {deliveryFile, digestChain, logFileKey, rsaKeyPair, writeArchive} from '../../support/cloudtrail-archive.js'
import {stratusRecords} from '../../support/evidence-case.js'
import {useAwsTestEnvironment} from '../../support/moto.js'
import {inDir, tempDir} from '../../support/temp.js'
import {startTripwire, type Tripwire} from '../../support/tripwire.js'

describe('the offline playbooks: no AWS account, no AWS call', () => {
  useAwsTestEnvironment()
  let wire: Tripwire
  beforeEach(async () => {
    wire = await startTripwire()
  })
  afterEach(() => wire.close())

  it('offline-triage over the sample incident (npm run demo): preserved, loaded, found, reported and verified in one run', async () => {
    const dir = await tempDir()
    const args = ['run', 'offline-triage', '--case', 'INC-DEMO', '--store', path.join(dir, 'store'), '--endpoint-url', wire.url, '--param', `cloudtrail=${path.join(repoRoot, 'samples', 'incident', 'cloudtrail')}`, '--param', `api=${path.join(repoRoot, 'samples', 'incident', 'api')}`]
    const out = await inDir(dir, () => coroner([...args, '--json']))
    expect(out.error?.oclif?.exit).toBe(3)
    const r = (JSON.parse(out.stdout) as Envelope<RunResult>).result
    expect(r.run.status).toBe('complete')
    expect(r.steps.map((s) => [s.id, s.outcome])).toEqual([['cloudtrail', 'done'], ['api', 'done'], ['load', 'done'], ['findings', 'done'], ['report', 'done'], ['verify', 'done']])
    const tables = (r.steps.find((s) => s.id === 'load')!.result as {tables: Record<string, number>}).tables
    expect(tables).toMatchObject({cloudtrail_events: 4, lambda_functions: 1, lambda_policies: 1, lambda_url_configs: 1})
    const titles = (r.steps.find((s) => s.id === 'findings')!.result as {top: Array<{title: string}>}).top.map((f) => f.title)
    expect(titles).toEqual(expect.arrayContaining(['Lambda resource policy opened to anyone or another account', 'Function URLs without authentication (collected configuration)', 'CloudTrail logging stopped, deleted or narrowed']))
    // Verified from inside the run (still open) and in the report, then again once sealed.
    expect(r.steps.find((s) => s.id === 'verify')!.result).toMatchObject({ok: true})
    const report = r.steps.find((s) => s.id === 'report')!.result as {path: string; verified: boolean}
    expect(report.verified).toBe(true)
    expect((await stat(report.path)).size).toBeGreaterThan(1000)
    expect(report.path.startsWith(dir)).toBe(true)
    expect((await verifyCase(new LocalDirectoryStore(path.join(dir, 'store')), 'INC-DEMO')).ok).toBe(true)
    expect(wire.requests).toEqual([])
    // The database the run built inside itself holds that run, sealed since: the README's next command answers from it.
    const timeline = ['timeline', '--case', 'INC-DEMO', '--store', path.join(dir, 'store'), '--source', 'cloudtrail', '--json']
    const next = await inDir(dir, () => coroner(timeline))
    expect(next.error).toBeUndefined()
    expect((JSON.parse(next.stdout) as Envelope<{rows: unknown[]}>).result.rows).toHaveLength(4)
    await writeFile(path.join(dir, 'note.json'), '{}')
    await inDir(dir, () => coroner(['evidence', 'add', 'note.json', '--case', 'INC-DEMO', '--store', path.join(dir, 'store')]))
    expect(JSON.parse((await inDir(dir, () => coroner(timeline))).stdout).error?.code).toBe('case-db-stale')

    // What npm run demo prints: the steps, the most severe findings, the report; exit 0 with --no-fail.
    const human = await inDir(dir, () => coroner([...args, '--no-fail']))
    expect(human.error).toBeUndefined()
    expect(human.stdout).toMatch(/critical\s+\S+\s+CloudTrail logging stopped, deleted or narrowed/)
    expect(human.stdout).toMatch(/Report: .*report\.html/)
    expect(wire.requests).toEqual([])
  })

  it('cloudtrail-archive-investigation over a local copy: the files kept, an altered log file a finding of the validation, hunted', async () => {
    const dir = await tempDir()
    const keys = rsaKeyPair()
    const start = new Date('2026-11-19T08:00:00Z')
    const records = [...stratusRecords('aws.persistence.lambda-backdoor-function'), ...stratusRecords('aws.defense-evasion.cloudtrail-stop')].map((r, i) => ({...r, eventTime: new Date(start.getTime() + (10 + i) * 60_000).toISOString()}))
    const logs = [0, 1].map((i) => ({key: logFileKey('111122223333', 'us-east-1', new Date(start.getTime() + (i * 30 + 5) * 60_000), `c${i}`), bytes: deliveryFile([records[i]]), delivered: new Date(start.getTime() + (i * 30 + 5) * 60_000)}))
    const digests = digestChain({bucket: 'b-trail', account: '111122223333', region: 'us-east-1', trail: 't', start, hours: 1, logs, privateKey: keys.privateKey, fingerprint: keys.fingerprint})
    const archive = path.join(dir, 'trail')
    await writeArchive(archive, [...logs, ...digests])
    const pem = path.join(dir, 'key.pem')
    await writeFile(pem, keys.publicKey.export({type: 'pkcs1', format: 'pem'}) as string)
    const run = (caseId: string) =>
      inDir(dir, () => coroner(['run', 'cloudtrail-archive-investigation', '--case', caseId, '--store', path.join(dir, 'store'), '--endpoint-url', wire.url, '--param', `archive=${archive}`, '--param', 'since=2026-11-19T08:00:00Z', '--param', 'until=2026-11-19T09:00:00Z', '--param', `public-keys=${pem}`, '--json']))

    const intact = (JSON.parse((await run('INC-ARCH')).stdout) as Envelope<RunResult>).result
    expect(intact.steps.map((s) => [s.id, s.outcome])).toEqual([['archive', 'done'], ['digests', 'done'], ['load', 'done'], ['hunt', 'done']])
    expect((intact.steps.find((s) => s.id === 'digests')!.result as {report: {summary: {okLogFiles: number; findings: number}}}).report.summary).toMatchObject({okLogFiles: 2, findings: 0})
    const hits = (intact.steps.find((s) => s.id === 'hunt')!.result as {hits: Array<{rule: {title: string}}>}).hits.map((h) => h.rule.title)
    expect(hits).toEqual(expect.arrayContaining(['AWS Lambda Function Made Invocable By Anyone', 'AWS CloudTrail Important Change']))
    expect(intact.findings).toBe(hits.length)

    await writeFile(path.join(archive, ...logs[1]!.key.split('/')), deliveryFile([records[1], records[1]]))
    const altered = await run('INC-ARCH2')
    expect(altered.error?.oclif?.exit).toBe(3)
    const v = (JSON.parse(altered.stdout) as Envelope<RunResult>).result.steps.find((s) => s.id === 'digests')!.result as {report: {findings: Array<{type: string; key?: string}>}}
    expect(v.report.findings.map((f) => f.type)).toContain('altered')
    expect(wire.requests).toEqual([])
  })
})
