import {mkdir, readdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {coroner, type Envelope} from '../../support/cli.js'
import {closedPort} from '../../support/ports.js'
import {tempDir} from '../../support/temp.js'

const ENV = ['HOME', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED']

/** `collect lambda` as a responder runs it, with what the test gives as the AWS CLI's files. */
async function collect(store: string, ...extra: string[]) {
  const out = await coroner(['collect', 'lambda', '--function', 'payments-api', '--region', 'us-east-1', '--case', 'INC-CREDS', '--store', store, '--json', ...extra])
  return {out, env: JSON.parse(out.stdout) as Envelope<never>}
}

describe('credentials and reachability are checked once, before collecting, and exit 5 named', () => {
  const saved: Record<string, string | undefined> = {}
  let home: string
  let store: string
  beforeEach(async () => {
    for (const k of ENV) saved[k] = process.env[k]
    home = await tempDir()
    store = path.join(home, 'store')
    await mkdir(path.join(home, '.aws'))
    await writeFile(path.join(home, '.aws', 'config'), '[profile triage]\nregion = us-east-1\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = IR\n\n[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://corp.awsapps.com/start\n')
    await writeFile(path.join(home, '.aws', 'credentials'), '')
    for (const k of ENV) delete process.env[k]
    Object.assign(process.env, {HOME: home, AWS_CONFIG_FILE: path.join(home, '.aws', 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, '.aws', 'credentials'), AWS_EC2_METADATA_DISABLED: 'true'})
  })
  afterEach(() => {
    for (const k of ENV) {
      if (saved[k] === undefined) delete process.env[k]
      else process.env[k] = saved[k]
    }
  })
  const noRun = async () => expect(await readdir(path.join(store, 'cases', 'INC-CREDS', 'runs')).catch(() => [])).toEqual([])

  it('an unknown --profile: exit 5, the profile named, the fix, and no run of gaps', async () => {
    const {out, env} = await collect(store, '--profile', 'tirage')
    expect(out.error?.oclif?.exit).toBe(5)
    expect(env.error).toMatchObject({code: 'aws-credentials', message: expect.stringContaining('Profile tirage'), hint: expect.stringContaining('aws configure --profile tirage')})
    await noRun()
  })

  it('no credentials at all: exit 5 saying how to configure them', async () => {
    const {out, env} = await collect(store)
    expect(out.error?.oclif?.exit).toBe(5)
    expect(env.error).toMatchObject({code: 'aws-credentials', message: expect.stringContaining('No AWS credentials'), hint: expect.stringContaining('aws configure')})
    await noRun()
  })

  it('an SSO profile never logged in (or expired): exit 5 with aws sso login --profile', async () => {
    const {out, env} = await collect(store, '--profile', 'triage')
    expect(out.error?.oclif?.exit).toBe(5)
    expect(env.error).toMatchObject({code: 'aws-credentials', hint: expect.stringContaining('aws sso login --profile triage')})
    await noRun()
  })

  it('an endpoint that cannot be reached: exit 5, not a run of unreachable gaps ending partial', async () => {
    Object.assign(process.env, {AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret'})
    const {out, env} = await collect(store, '--endpoint-url', `http://127.0.0.1:${await closedPort()}`)
    expect(out.error?.oclif?.exit).toBe(5)
    expect(env.error).toMatchObject({code: 'aws-unreachable', hint: expect.stringContaining('--endpoint-url')})
    await noRun()
  })
})
