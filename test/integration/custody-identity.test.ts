import {beforeEach, describe, expect, it} from 'vitest'
import {AwsClientFactory} from '../../src/aws/client-factory.js'
import {callerForRun} from '../../src/aws/identity.js'
import {fixedClock} from '../../src/core/clock.js'
import {LocalDirectoryStore} from '../../src/evidence/stores/local.js'
import {EvidenceRun} from '../../src/evidence/run.js'
import {motoAws, resetMoto} from '../support/moto.js'
import {tempDir} from '../support/temp.js'

describe('caller identity in the custody journal (moto STS)', () => {
  beforeEach(resetMoto)

  it('records who collected, as STS reports it, in the journal and the manifest', async () => {
    const aws = motoAws('INC-STS')
    const caller = await callerForRun(aws)
    expect(caller).toEqual({account: '123456789012', arn: 'arn:aws:sts::123456789012:user/moto', userId: 'AKIAIOSFODNN7EXAMPLE'})
    const store = new LocalDirectoryStore(await tempDir())
    const run = await EvidenceRun.begin({store, caseId: 'INC-STS', command: 'test', parameters: {}, clock: fixedClock('2026-11-20T00:00:00Z'), caller})
    const {manifest} = await run.finish()
    expect(manifest.caller?.arn).toBe('arn:aws:sts::123456789012:user/moto')
    const lines: string[] = []
    for await (const l of store.readJournal(`${run.prefix}custody.jsonl`)) lines.push(l)
    expect(JSON.parse(lines[0]!)).toMatchObject({type: 'run-started', caller: {account: '123456789012'}})
    aws.destroy()
  })

  it('stops before the run when the endpoint cannot be reached, naming it (exit 5), instead of a gap per call', async () => {
    const aws = new AwsClientFactory({endpointUrl: 'http://127.0.0.1:9', region: 'us-east-1', maxAttempts: 1, credentials: {accessKeyId: 'a', secretAccessKey: 'b'}})
    await expect(callerForRun(aws)).rejects.toMatchObject({code: 'aws-unreachable', exitCode: 5, message: expect.stringMatching(/ECONNREFUSED|connect/)})
    aws.destroy()
  })

  it('names coroner, its version and the case in the user agent of every call', async () => {
    const config = motoAws('INC-UA').config()
    expect(config.customUserAgent).toEqual([['coroner', expect.stringMatching(/^\d+\.\d+\.\d+/)], ['case/INC-UA']])
    expect(config).toMatchObject({retryMode: 'standard', forcePathStyle: true})
  })
})
