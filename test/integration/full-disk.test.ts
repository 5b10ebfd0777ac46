import {spawn, spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {gzipSync} from 'node:zlib'
import {CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand} from '@aws-sdk/client-cloudwatch-logs'
import {CreateRoleCommand, IAMClient} from '@aws-sdk/client-iam'
import {CreateFunctionCommand, LambdaClient} from '@aws-sdk/client-lambda'
import {describe, expect, it, onTestFinished} from 'vitest'
import {LocalDirectoryStore} from '../../src/evidence/stores/local.js'
import {verifyCase} from '../../src/evidence/verify.js'
import {startFakeCloudTrail} from '../support/fake-cloudtrail.js'
import {servePackage, startLambdaProxy} from '../support/lambda-proxy.js'
import {motoAws, motoEndpoint, resetMoto} from '../support/moto.js'
import {tempDir} from '../support/temp.js'
import {makeZip} from '../support/zip.js'

const bin = path.resolve(fileURLToPath(import.meta.url), '../../../bin/run.js')
const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0

/** A store folder on a 256 KiB tmpfs, unmounted after the test. */
async function smallStore(): Promise<{dir: string; store: string}> {
  const dir = await tempDir()
  const store = path.join(dir, 'store')
  await mkdir(store)
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', store])
  expect(mounted.status, mounted.stderr.toString()).toBe(0)
  onTestFinished(() => {
    spawnSync('umount', [store])
  })
  return {dir, store}
}

/** The environment for a child CLI talking to an emulated AWS endpoint. */
function awsEnv(): NodeJS.ProcessEnv {
  const env = {...process.env, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true'}
  delete env.AWS_PROFILE
  return env
}

/** Runs the CLI in a child process (moto_server answers it over HTTP, so this must not block). */
function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{status: number | null; stdout: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {env, stdio: ['ignore', 'pipe', 'ignore']})
    let stdout = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.on('error', reject)
    child.on('close', (status) => resolve({status, stdout}))
  })
}

// A real full disk needs a small file system: a tmpfs, which only root can mount.
describe.skipIf(!canMount)('a full disk (tmpfs of 256 KiB; skipped unless root can mount one)', () => {
  it('fails the write with a hint, removes the partial file and keeps every earlier artifact intact', async () => {
    const {dir, store} = await smallStore()
    const small = path.join(dir, 'small.json')
    const big = path.join(dir, 'big.bin')
    await writeFile(small, '{"ok":true}')
    await writeFile(big, Buffer.alloc(1024 * 1024, 7))
    const first = spawnSync(process.execPath, [bin, 'evidence', 'add', small, '--case', 'INC-DISK', '--store', store])
    expect(first.status).toBe(0)
    const second = spawnSync(process.execPath, [bin, 'evidence', 'add', small, big, '--case', 'INC-DISK', '--store', store, '--json'])
    expect(second.status).toBe(6)
    const env = JSON.parse(second.stdout.toString()) as {error: {code: string; hint: string}}
    expect(env.error.code).toBe('fs-enospc')
    expect(env.error.hint).toMatch(/disk is full/)
    const v = await verifyCase(new LocalDirectoryStore(store), 'INC-DISK')
    expect(v.artifacts.map((a) => [path.basename(a.key), a.status])).toEqual([
      ['small.json', 'ok'],
      ['small.json', 'ok'],
    ])
    expect(v.runs.map((r) => r.status)).toEqual(['complete', 'failed'])
  })

  it('stops an export import at the full disk with exit 6 and its hint, instead of recording the file as unreadable', async () => {
    const {dir, store} = await smallStore()
    const task = path.join(dir, 'exportedlogs', '0f6bd2f2-1f9c-4b1e-9c43-5d1f7a3c2b10')
    await mkdir(path.join(task, 'a-stream'), {recursive: true})
    await mkdir(path.join(task, 'b-stream'), {recursive: true})
    await writeFile(path.join(task, 'a-stream', '000000.gz'), gzipSync('2026-11-20T10:00:00.000Z hello\n'))
    // Random bytes do not compress: this file cannot fit on the tmpfs.
    await writeFile(path.join(task, 'b-stream', '000000.gz'), gzipSync(`2026-11-20T10:00:01.000Z ${randomBytes(768 * 1024).toString('base64')}\n`))
    const out = await cli(['import', 'logs', path.dirname(task), '--case', 'INC-DISK', '--store', store, '--json'])
    expect(out.status).toBe(6)
    const env = JSON.parse(out.stdout) as {error?: {code: string; hint: string}}
    expect(env.error?.code).toBe('fs-enospc')
    expect(env.error?.hint).toMatch(/disk is full/)
    const v = await verifyCase(new LocalDirectoryStore(store), 'INC-DISK')
    expect(v.artifacts.map((a) => [a.key.split('/').slice(-2).join('/'), a.status])).toEqual([['a-stream/000000.gz', 'ok']])
    expect(v.runs.map((r) => r.status)).toEqual(['failed'])
  })

  it('stops collect logs at the full disk with exit 6 instead of sealing the run without the slice', async () => {
    await resetMoto()
    const {store} = await smallStore()
    const group = '/aws/lambda/disk-filler'
    const aws = motoAws()
    const logs = aws.client(CloudWatchLogsClient)
    await logs.send(new CreateLogGroupCommand({logGroupName: group}))
    await logs.send(new CreateLogStreamCommand({logGroupName: group, logStreamName: 's'}))
    const now = Date.now()
    const logEvents = Array.from({length: 4}, (_, i) => ({timestamp: now - 30 * 60_000 + i * 1000, message: randomBytes(120 * 1024).toString('base64')}))
    await logs.send(new PutLogEventsCommand({logGroupName: group, logStreamName: 's', logEvents}))
    aws.destroy()
    const out = await cli(['collect', 'logs', '-g', group, '--since', '1h', '--case', 'INC-DISK', '--store', store, '--endpoint-url', motoEndpoint(), '--region', 'us-east-1', '--json'], awsEnv())
    expect(out.status).toBe(6)
    expect((JSON.parse(out.stdout) as {error?: {code: string}}).error?.code).toBe('fs-enospc')
    const v = await verifyCase(new LocalDirectoryStore(store), 'INC-DISK')
    expect(v.runs.map((r) => r.status)).toEqual(['failed'])
  })

  it('stops collect cloudtrail at the full disk with exit 6, not as a LookupEvents gap', async () => {
    const {store} = await smallStore()
    const now = Math.floor(Date.now() / 1000)
    const events = Array.from({length: 150}, (_, i) => ({
      EventId: `e-${i}`,
      EventName: 'UpdateFunctionCode20150331v2',
      ReadOnly: 'false',
      EventTime: now - 600 - i,
      EventSource: 'lambda.amazonaws.com',
      Resources: [],
      // Random bytes do not compress: one chunk (a page of 50 events) fits on the tmpfs, two do not.
      CloudTrailEvent: JSON.stringify({eventID: `e-${i}`, padding: randomBytes(3 * 1024).toString('base64')}),
    }))
    const server = await startFakeCloudTrail({events: {'us-east-1': events}})
    onTestFinished(() => server.close())
    const args = ['collect', 'cloudtrail', '--since', '1h', '--case', 'INC-DISK', '--store', store, '--endpoint-url', server.endpoint, '--region', 'us-east-1']
    const out = await cli([...args, '--rate', '50', '--burst', '50', '--chunk-events', '10', '--json'], awsEnv())
    expect(out.status).toBe(6)
    expect((JSON.parse(out.stdout) as {error?: {code: string}}).error?.code).toBe('fs-enospc')
    const v = await verifyCase(new LocalDirectoryStore(store), 'INC-DISK')
    expect(v.runs.map((r) => r.status)).toEqual(['failed'])
    expect(v.artifacts.length).toBeGreaterThan(0)
    expect(v.artifacts.every((a) => a.status === 'ok')).toBe(true)
  })

  it('stops collect lambda at the full disk with exit 6, not as one failed function among others', async () => {
    await resetMoto()
    const {store} = await smallStore()
    const aws = motoAws()
    const role = await aws.client(IAMClient).send(
      new CreateRoleCommand({RoleName: 'filler-exec', AssumeRolePolicyDocument: JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'lambda.amazonaws.com'}, Action: 'sts:AssumeRole'}]})}),
    )
    // A stored zip of random text: larger than the tmpfs, whatever compression.
    const zip = makeZip({'index.js': `exports.handler = async () => '${randomBytes(384 * 1024).toString('base64')}'\n`})
    await aws.client(LambdaClient).send(new CreateFunctionCommand({FunctionName: 'disk-filler', Runtime: 'nodejs20.x', Role: role.Role!.Arn!, Handler: 'index.handler', Code: {ZipFile: zip}}))
    aws.destroy()
    const proxy = await startLambdaProxy(motoEndpoint())
    onTestFinished(() => proxy.close())
    servePackage(proxy, zip)
    proxy.canned.push({method: 'GET', path: /\/provisioned-concurrency$/, status: 200, body: {ProvisionedConcurrencyConfigs: []}})
    const out = await cli(['collect', 'lambda', '-f', 'disk-filler', '--no-role', '--case', 'INC-DISK', '--store', store, '--endpoint-url', proxy.url, '--region', 'us-east-1', '--json'], awsEnv())
    expect(out.status).toBe(6)
    expect((JSON.parse(out.stdout) as {error?: {code: string}}).error?.code).toBe('fs-enospc')
    const v = await verifyCase(new LocalDirectoryStore(store), 'INC-DISK')
    expect(v.runs.map((r) => r.status)).toEqual(['failed'])
    expect(v.artifacts.some((a) => a.key.endsWith('function.json'))).toBe(true)
    expect(v.artifacts.every((a) => a.status === 'ok')).toBe(true)
  })
})
