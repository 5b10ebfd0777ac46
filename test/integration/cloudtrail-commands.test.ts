import {readFile, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {useAwsTestEnvironment} from '../support/moto.js'
import {deliveryFile, digestChain, logFileKey, rsaKeyPair, writeArchive} from '../support/cloudtrail-archive.js'
import {fixtureRecords, fixturesDir, spreadRecords} from '../support/cloudtrail-fixtures.js'
import {lookupEventFromRecord, startFakeCloudTrail, type FakeCloudTrail} from '../support/fake-cloudtrail.js'
import {tempDir} from '../support/temp.js'
import {coroner, type Envelope} from '../support/cli.js'

const parse = <T>(stdout: string): Envelope<T> => JSON.parse(stdout) as Envelope<T>

describe('cloudtrail commands (through the CLI)', () => {
  let server: FakeCloudTrail
  useAwsTestEnvironment({AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret'})
  beforeAll(async () => {
    const records = spreadRecords(fixtureRecords(), 120, new Date('2026-11-19T00:00:00Z'), new Date('2026-11-20T00:00:00Z'), 'us-east-1')
    server = await startFakeCloudTrail({events: {'us-east-1': records.map(lookupEventFromRecord)}})
  })
  afterAll(async () => {
    await server.close()
  })

  it('collect cloudtrail --function looks up by ResourceName through --endpoint-url', async () => {
    const store = path.join(await tempDir(), 'store')
    const fn = fixtureRecords().map(lookupEventFromRecord).find((e) => e.Resources.some((r) => r.ResourceType === 'AWS::Lambda::Function'))!.Resources[0]!.ResourceName!
    const out = await coroner(['collect', 'cloudtrail', '--since', '2026-11-19T00:00:00Z', '--until', '2026-11-20T00:00:00Z', '--function', fn, '--region', 'us-east-1', '--endpoint-url', server.endpoint, '--case', 'INC-CMD', '--store', store, '--json'])
    expect(out.error).toBeUndefined()
    const env = parse<{streams: Array<{stream: string; events: number; status: string}>}>(out.stdout)
    expect(env.status).toBe('ok')
    expect(env.result.streams).toEqual([expect.objectContaining({stream: `us-east-1/ResourceName=${fn}`, status: 'complete'})])
    expect(env.result.streams[0]!.events).toBeGreaterThan(0)
    expect(server.requests.every((r) => r.attributes === 1)).toBe(true)
    expect((env.result as unknown as {validation: {status: string}}).validation.status).toBe('unvalidated')
    expect(env.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^cloudtrail unvalidated: LookupEvents answers carry no digest/)]))
  })

  it('validate cloudtrail exits 3 naming an altered log file, 0 when intact; collect --archive --validate too', async () => {
    const dir = await tempDir()
    const keys = rsaKeyPair()
    const start = new Date('2026-11-19T08:00:00Z')
    const base = JSON.parse(await readFile(path.join(fixturesDir, 'datadog_stratus-red-team_detonation-logs', 'aws.persistence.lambda-overwrite-code.json'), 'utf8')) as unknown[]
    const logs = [0, 1].map((i) => ({key: logFileKey('111122223333', 'us-east-1', new Date(start.getTime() + (i * 30 + 5) * 60_000), `c${i}`), bytes: deliveryFile(base), delivered: new Date(start.getTime() + (i * 30 + 5) * 60_000)}))
    const digests = digestChain({bucket: 'b-trail', account: '111122223333', region: 'us-east-1', trail: 't', start, hours: 1, logs, privateKey: keys.privateKey, fingerprint: keys.fingerprint})
    const archive = path.join(dir, 'trail')
    await writeArchive(archive, [...logs, ...digests])
    const pem = path.join(dir, 'key.pem')
    await writeFile(pem, keys.publicKey.export({type: 'pkcs1', format: 'pem'}) as string)

    const intact = await coroner(['validate', 'cloudtrail', archive, '--public-key', pem, '--json'])
    expect(intact.error).toBeUndefined()
    expect(parse<{summary: {findings: number; okLogFiles: number}}>(intact.stdout).result.summary).toMatchObject({findings: 0, okLogFiles: 2})

    await writeFile(path.join(archive, ...logs[1]!.key.split('/')), deliveryFile([...base, ...base]))
    const altered = await coroner(['validate', 'cloudtrail', archive, '--public-key', pem])
    expect(altered.error?.oclif?.exit).toBe(3)
    expect(altered.stdout).toMatch(new RegExp(`altered\\s+${logs[1]!.key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))

    const store = path.join(dir, 'store')
    const collected = await coroner(['collect', 'cloudtrail', '--archive', archive, '--since', '2026-11-19T08:00:00Z', '--until', '2026-11-19T09:00:00Z', '--public-key', pem, '--case', 'INC-CMD2', '--store', store, '--json'])
    expect(collected.error?.oclif?.exit).toBe(3)
    const env = parse<{validation: {findings: Array<{type: string}>}; archive: {stored: number}}>(collected.stdout)
    expect(env.result.archive.stored).toBe(2)
    expect(env.result.validation.findings.map((f) => f.type)).toEqual(['altered'])
  })

  it('validate cloudtrail on an archive with no digest says unvalidated and exits 3; collect --archive warns the trail went unvalidated', async () => {
    const dir = await tempDir()
    const start = new Date('2026-11-19T08:00:00Z')
    const base = JSON.parse(await readFile(path.join(fixturesDir, 'datadog_stratus-red-team_detonation-logs', 'aws.persistence.lambda-overwrite-code.json'), 'utf8')) as unknown[]
    const archive = path.join(dir, 'trail')
    await writeArchive(archive, [{key: logFileKey('111122223333', 'us-east-1', new Date(start.getTime() + 5 * 60_000), 'c0'), bytes: deliveryFile(base), delivered: start}])

    const human = await coroner(['validate', 'cloudtrail', archive])
    expect(human.error?.oclif?.exit).toBe(3)
    expect(human.stdout).not.toContain('OK')
    expect(human.stdout).toMatch(/UNVALIDATED: no CloudTrail digest file under/)
    const json = await coroner(['validate', 'cloudtrail', archive, '--json'])
    expect(json.error?.oclif?.exit).toBe(3)
    const validated = parse<{status: string; summary: {digests: number}}>(json.stdout)
    expect(validated.result).toMatchObject({status: 'unvalidated', summary: {digests: 0}})
    expect(validated.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^cloudtrail unvalidated: no CloudTrail digest/)]))

    const window = ['--since', '2026-11-19T08:00:00Z', '--until', '2026-11-19T09:00:00Z', '--store', path.join(dir, 'store')]
    for (const [how, reason] of [[[], /no CloudTrail-Digest folder under/], [['--no-validate'], /turned off \(--no-validate\)/]] as const) {
      const collected = await coroner(['collect', 'cloudtrail', '--archive', archive, ...window, ...how, '--case', 'INC-UNVAL', '--json'])
      expect(collected.error, how.join(' ')).toBeUndefined()
      const env = parse<{archive: {stored: number}; validation: {status: string; reason: string}}>(collected.stdout)
      expect(env.result.archive.stored).toBe(1)
      expect(env.result.validation.status).toBe('unvalidated')
      expect(env.result.validation.reason).toMatch(reason)
      expect(env.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^cloudtrail unvalidated: /)]))
    }
    const terminal = await coroner(['collect', 'cloudtrail', '--archive', archive, ...window, '--no-validate', '--case', 'INC-UNVAL'])
    expect(terminal.stdout).toMatch(/UNVALIDATED: digest validation was turned off/)
  })

  it('import cloudtrail exits 6 when a file is malformed and still imports the rest', async () => {
    const dir = await tempDir()
    const good = path.join(dir, 'lookup.json')
    const bad = path.join(dir, 'truncated.json.gz')
    await writeFile(good, await readFile(path.join(fixturesDir, 'aws_aws-cli_examples', 'cloudtrail_lookup-events_output.json')))
    await writeFile(bad, deliveryFile([{eventTime: '2026-11-19T00:00:00Z'}]).subarray(0, 12))
    const out = await coroner(['import', 'cloudtrail', good, bad, '--case', 'INC-IMP', '--store', path.join(dir, 'store'), '--json'])
    expect(out.error?.oclif?.exit).toBe(6)
    expect(parse<{converted: number; malformed: number; records: number}>(out.stdout).result).toMatchObject({converted: 1, malformed: 1, records: 1})
    await rm(bad)
  })

  it('gives usage errors with a code: --archive without --since, --resume with nothing to resume', async () => {
    const dir = await tempDir()
    const out = await coroner(['collect', 'cloudtrail', '--archive', dir, '--case', 'INC-U', '--store', path.join(dir, 'store'), '--json'])
    expect(out.error?.oclif?.exit).toBe(2)
    expect(parse<never>(out.stdout).error).toMatchObject({code: 'missing-window'})
    const resume = await coroner(['collect', 'cloudtrail', '--resume', '--case', 'INC-NONE', '--store', path.join(dir, 'store'), '--json'])
    expect(resume.error?.oclif?.exit).toBe(2)
    expect(parse<never>(resume.stdout).error).toMatchObject({code: 'nothing-to-resume'})
  })
})
