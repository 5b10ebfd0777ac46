import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {ContainRecord} from '../../src/actions/record.js'
import type {Manifest} from '../../src/evidence/manifest.js'
import {coroner, type Envelope} from '../support/cli.js'
import {FUNCTION, containTargetBehindProxy, readTargetState, writeCalls, type ContainSeed} from '../support/contain-seed.js'
import type {LambdaProxy} from '../support/lambda-proxy.js'
import {motoAws, resetMoto, useAwsTestEnvironment} from '../support/moto.js'
import {tempDir} from '../support/temp.js'

/**
 * IAM's refusal as it comes on the wire: HTTP 403 and an ErrorResponse with Code AccessDenied.
 * moto's own authorization (INITIAL_NO_AUTH_ACTION_COUNT) was tried first: it refuses IAM calls in
 * this format, but with it on, moto 5.2.1 also rejects correctly signed Lambda requests whose path
 * or query holds an encoded character (ListTags by ARN, ListEventSourceMappings of an alias) with
 * a body the SDK cannot parse, so the one refusal is answered here by the proxy instead.
 */
const ACCESS_DENIED = `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error>
    <Type>Sender</Type>
    <Code>AccessDenied</Code>
    <Message>User: arn:aws:iam::123456789012:user/responder is not authorized to perform: iam:UpdateAccessKey on resource: user intruder because no identity-based policy allows the iam:UpdateAccessKey action</Message>
  </Error>
  <RequestId>5b0c3f3e-6d0e-4c8a-9d57-0a9f5d4c7e21</RequestId>
</ErrorResponse>`

describe('contain when AWS denies one action', () => {
  let proxy: LambdaProxy
  let seed: ContainSeed
  useAwsTestEnvironment()
  beforeEach(async () => {
    await resetMoto()
    ;({proxy, seed} = await containTargetBehindProxy())
    proxy.canned.push({method: 'POST', path: /^\/$/, action: 'UpdateAccessKey', status: 403, body: null, xml: ACCESS_DENIED})
  })
  afterEach(() => proxy.close())

  it('records the refusal as a gap with a complete failed record, and every other action still runs and verifies', async () => {
    const store = path.join(await tempDir(), 'store')
    const res = await coroner(['contain', 'all', '-f', FUNCTION, '--access-key', seed.accessKeyId, '--case', 'INC-DENIED', '--store', store, '--endpoint-url', proxy.url, '--region', 'us-east-1', '--apply', '--yes', '--json'])
    expect(res.error?.oclif?.exit).toBe(6)
    const out = JSON.parse(res.stdout) as Envelope<{run: {runId: string; status: string; gaps: Array<{code: string; collector: string; reason: string}>}; actions: Array<{action: string; outcomes: Array<{record: ContainRecord}>}>}>
    expect(out.status).toBe('partial')
    expect(out.result.run.gaps).toEqual([
      expect.objectContaining({code: 'access-denied', collector: 'deactivate-keys', reason: 'iam:UpdateAccessKey was denied (AccessDenied); grant the permission iam:UpdateAccessKey to the collecting identity.'}),
    ])
    expect(writeCalls(proxy)).toContain('UpdateAccessKey')

    const byAction = Object.fromEntries(out.result.actions.map((a) => [a.action, a.outcomes.map((o) => o.record)]))
    const [denied] = byAction['deactivate-keys']!
    expect(denied).toMatchObject({status: 'failed', applied: false, verified: false, before: {status: 'Active'}, after: {status: 'Active'}})
    expect(denied!.calls).toEqual([expect.objectContaining({operation: 'iam:UpdateAccessKey', outcome: 'failed', error: expect.stringContaining('denied (AccessDenied)')})])
    expect(denied!.evidence.before).not.toBeNull()
    expect(denied!.evidence.after).not.toBeNull()
    expect(Object.keys(byAction)).toEqual(['throttle', 'disable-triggers', 'close-url', 'remove-public-access', 'revoke-sessions', 'deny-role', 'deactivate-keys', 'tag'])
    for (const [action, records] of Object.entries(byAction)) {
      if (action !== 'deactivate-keys') for (const r of records) expect(r, action).toMatchObject({status: 'applied', verified: true})
    }

    const state = await readTargetState(motoAws(), seed.accessKeyId)
    expect(state.keyStatus).toBe('Active')
    expect(state.reservedConcurrency).toBe(0)
    expect(state.mappings.map((m) => m.State)).toEqual(['Disabled'])

    // Nothing half-recorded: the run is sealed, one record per action and target, and the journal names the call before its refusal.
    const runDir = path.join(store, 'cases', 'INC-DENIED', 'runs', out.result.run.runId)
    const manifest = JSON.parse(await readFile(path.join(runDir, 'manifest.json'), 'utf8')) as Manifest
    expect(manifest.status).toBe('partial')
    expect(manifest.artifacts.filter((a) => a.kind === 'contain.action')).toHaveLength(9)
    const journal = (await readFile(path.join(runDir, 'custody.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as {type: string; message?: string; gap?: {collector: string}})
    const calling = journal.findIndex((e) => e.message?.includes('calling iam:UpdateAccessKey'))
    const gap = journal.findIndex((e) => e.type === 'gap' && e.gap?.collector === 'deactivate-keys')
    expect(calling).toBeGreaterThan(0)
    expect(gap).toBeGreaterThan(calling)
    expect((await coroner(['evidence', 'verify', '--case', 'INC-DENIED', '--store', store])).error).toBeUndefined()

    // The refused change is no change: undoing the run leaves the key alone.
    const undo = JSON.parse((await coroner(['undo', '--run', out.result.run.runId, '--case', 'INC-DENIED', '--store', store, '--endpoint-url', proxy.url, '--region', 'us-east-1', '--json'])).stdout) as Envelope<{outcomes: Array<{record: ContainRecord}>}>
    expect(undo.result.outcomes.map((o) => o.record.action)).not.toContain('deactivate-keys')
  })
})

describe('contain when the read-back does not show the change', () => {
  let proxy: LambdaProxy
  useAwsTestEnvironment()
  beforeEach(async () => {
    await resetMoto()
    ;({proxy} = await containTargetBehindProxy())
    // Lambda accepts PutFunctionConcurrency but keeps answering the old value, as a change that did not hold would.
    proxy.canned.push({method: 'GET', path: /\/functions\/payments-api\/concurrency$/, status: 200, body: {ReservedConcurrentExecutions: 50}})
  })
  afterEach(() => proxy.close())

  it('reads back again after waiting, then records a loud not-verified gap and a failed record', async () => {
    const store = path.join(await tempDir(), 'store')
    const res = await coroner(['contain', 'throttle', '-f', FUNCTION, '--case', 'INC-UNVERIFIED', '--store', store, '--endpoint-url', proxy.url, '--region', 'us-east-1', '--apply', '--yes', '--json'])
    expect(res.error?.oclif?.exit).toBe(6)
    const out = JSON.parse(res.stdout) as Envelope<{run: {gaps: Array<{code: string; reason: string}>}; actions: Array<{outcomes: Array<{record: ContainRecord}>}>}>
    expect(out.result.run.gaps).toEqual([expect.objectContaining({code: 'not-verified', reason: expect.stringContaining('reservedConcurrency: intended 0, read back 50')})])
    const record = out.result.actions[0]!.outcomes[0]!.record
    expect(record).toMatchObject({status: 'failed', applied: true, verified: false, after: {reservedConcurrency: 50}, mismatches: [{path: 'reservedConcurrency', from: 0, to: 50}]})
    expect(record.notes).toContain('Read back 3 times: it never showed after 2 wait(s) (AWS is eventually consistent).')
    // The snapshot's read, the before-state's, and three read-backs.
    expect(proxy.calls.filter((c) => c.method === 'GET' && c.url.endsWith('/concurrency'))).toHaveLength(5)
  })
})
