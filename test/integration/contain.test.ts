import {existsSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {CreateFunctionCommand, LambdaClient, PutFunctionConcurrencyCommand} from '@aws-sdk/client-lambda'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {ContainRecord} from '../../src/actions/record.js'
import type {Manifest} from '../../src/evidence/manifest.js'
import {coroner, type Envelope} from '../support/cli.js'
import {FUNCTION, containTargetBehindProxy, readTargetState, writeCalls, type ContainSeed} from '../support/contain-seed.js'
import type {LambdaProxy} from '../support/lambda-proxy.js'
import {motoAws, resetMoto, useAwsTestEnvironment} from '../support/moto.js'
import {tempDir} from '../support/temp.js'

let proxy: LambdaProxy
let seed: ContainSeed
const own = motoAws()

type Outcome = {record: ContainRecord; key: string}
type RunOut = {runId: string; gaps: Array<{code: string; reason: string}>}
type ContainOut = Envelope<{run: RunOut; dryRun: boolean; actions: Array<{action: string; outcomes: Outcome[]}>}>
type UndoOut = Envelope<{run: RunOut; undoes: string; outcomes: Outcome[]}>

const records = (out: ContainOut): ContainRecord[] => out.result.actions.flatMap((a) => a.outcomes.map((o) => o.record))
const readJson = async <T>(store: string, key: string): Promise<T> => JSON.parse(await readFile(path.join(store, ...key.split('/')), 'utf8')) as T

describe('contain and undo against moto', () => {
  useAwsTestEnvironment()
  beforeEach(async () => {
    await resetMoto()
    ;({proxy, seed} = await containTargetBehindProxy())
  })
  afterEach(() => proxy.close())

  const args = (store: string, ...more: string[]) => ['--case', 'INC-CONTAIN', '--store', store, '--endpoint-url', proxy.url, '--region', 'us-east-1', ...more]

  it('contain all --apply throttles, closes the URL, removes the open statements, disables the mapping and denies the role; evidence first, verified', async () => {
    const store = path.join(await tempDir(), 'store')
    const before = await readTargetState(own, seed.accessKeyId)
    const res = await coroner(['contain', 'all', '-f', FUNCTION, ...args(store, '--apply', '--yes', '--json')])
    expect(res.error).toBeUndefined()
    const out = JSON.parse(res.stdout) as ContainOut
    expect(out.status).toBe('ok')
    expect(out.result.actions.map((a) => a.action)).toEqual(['throttle', 'disable-triggers', 'close-url', 'remove-public-access', 'revoke-sessions', 'deny-role', 'tag'])

    const after = await readTargetState(own, seed.accessKeyId)
    expect(after.reservedConcurrency).toBe(0)
    expect(after.url.AuthType).toBe('AWS_IAM')
    expect(after.url.Cors).toEqual(before.url.Cors)
    expect(Object.keys(after.statements)).toEqual(['s3-receipts'])
    expect(after.mappings.map((m) => m.State)).toEqual(['Disabled'])
    expect(Object.keys(after.inlinePolicies).sort()).toEqual(['AWSRevokeOlderSessions', 'coroner-deny-all', 'write-logs'])
    const revoke = after.inlinePolicies.AWSRevokeOlderSessions as {Statement: Array<{Effect: string; Action: string[]; Condition: {DateLessThan: Record<string, string>}}>}
    expect(revoke.Statement[0]).toMatchObject({Effect: 'Deny', Action: ['*']})
    expect(Date.parse(revoke.Statement[0]!.Condition.DateLessThan['aws:TokenIssueTime']!)).toBeGreaterThan(Date.now() - 120_000)
    expect(after.inlinePolicies['coroner-deny-all']).toMatchObject({Statement: [{Effect: 'Deny', Action: '*', Resource: '*'}]})
    expect(after.functionTags['coroner:quarantine']).toBe('INC-CONTAIN')
    expect(after.roleTags).toEqual(expect.arrayContaining([{Key: 'coroner:quarantine', Value: 'INC-CONTAIN'}]))
    // Not asked for: the alias and the key are untouched.
    expect(after.alias).toEqual(before.alias)
    expect(after.keyStatus).toBe('Active')

    // Every change was made on the wire, and nothing else was written.
    const uuid = before.mappings[0]!.UUID!
    expect(writeCalls(proxy).sort()).toEqual(
      [
        'PUT /2017-10-31/functions/payments-api/concurrency',
        `PUT /2015-03-31/event-source-mappings/${uuid}`,
        'PUT /2021-10-31/functions/payments-api/url',
        'DELETE /2015-03-31/functions/payments-api/policy/open',
        'DELETE /2015-03-31/functions/payments-api/policy/public-url',
        'PutRolePolicy',
        'PutRolePolicy',
        `POST /2017-03-31/tags/${seed.functionArn}`,
        'TagRole',
      ].sort(),
    )

    for (const r of records(out)) {
      expect(r, `${r.action} ${r.target.name}`).toMatchObject({schema: 'coroner.contain/v1', applied: true, status: 'applied', verified: true, undoes: null})
      expect(r.evidence.before).not.toBeNull()
      expect(r.evidence.after).not.toBeNull()
    }
    const throttle = records(out).find((r) => r.action === 'throttle')!
    expect(throttle.before).toEqual({reservedConcurrency: 50})
    expect(throttle.after).toEqual({reservedConcurrency: 0})
    expect(throttle.calls).toEqual([{operation: 'lambda:PutFunctionConcurrency', parameters: {FunctionName: FUNCTION, ReservedConcurrentExecutions: 0}, outcome: 'ok'}])
    expect(throttle.inverse).toEqual({calls: [{operation: 'lambda:PutFunctionConcurrency', parameters: {FunctionName: FUNCTION, ReservedConcurrentExecutions: 50}}]})
    expect(throttle.notes.join(' ')).toMatch(/retried for up to six hours/)

    const manifestKey = `cases/INC-CONTAIN/runs/${out.result.run.runId}/manifest.json`
    const manifest = await readJson<Manifest>(store, manifestKey)
    const kinds = manifest.artifacts.map((a) => a.kind)
    expect(kinds.filter((k) => k === 'contain.action')).toHaveLength(8)
    expect(kinds.filter((k) => k === 'contain.before')).toHaveLength(8)
    expect(kinds.filter((k) => k === 'contain.after')).toHaveLength(8)
    // Evidence first: the function and its role were snapshotted before the first before-state was read, as they were.
    expect(kinds.indexOf('lambda.function')).toBeLessThan(kinds.indexOf('contain.before'))
    expect(kinds.indexOf('iam.role-policies')).toBeLessThan(kinds.indexOf('contain.before'))
    const snapshot = manifest.artifacts.find((a) => a.kind === 'lambda.concurrency')!
    expect(await readJson(store, snapshot.key)).toMatchObject({reserved: 50})
    expect(manifest.status).toBe('complete')

    const verify = await coroner(['evidence', 'verify', '--case', 'INC-CONTAIN', '--store', store])
    expect(verify.error).toBeUndefined()
  })

  it('undo --apply restores each resource exactly as recorded; revoke-sessions waits out the session duration unless --force; all of it loads', async () => {
    const store = path.join(await tempDir(), 'store')
    const before = await readTargetState(own, seed.accessKeyId)
    const contained = JSON.parse((await coroner(['contain', 'all', '-f', FUNCTION, ...args(store, '--apply', '--yes', '--json')])).stdout) as ContainOut
    const runId = contained.result.run.runId

    const undo = await coroner(['undo', '--run', runId, ...args(store, '--apply', '--yes', '--json')])
    expect(undo.error?.oclif?.exit).toBe(6)
    const undone = JSON.parse(undo.stdout) as UndoOut
    expect(undone.result.undoes).toBe(runId)
    const byAction = Object.fromEntries(undone.result.outcomes.map((o) => [`${o.record.action} ${o.record.target.type}`, o.record]))
    expect(byAction['revoke-sessions role']).toMatchObject({status: 'skipped', applied: false})
    expect(undone.result.run.gaps).toEqual([expect.objectContaining({code: 'refused', reason: expect.stringMatching(/maximum session duration, 3600 s/)})])
    for (const [name, r] of Object.entries(byAction)) {
      expect(r.undoes, name).toBe(runId)
      if (name !== 'revoke-sessions role') expect(r, name).toMatchObject({status: 'applied', verified: true})
    }

    const restored = await readTargetState(own, seed.accessKeyId)
    expect(restored.reservedConcurrency).toBe(50)
    expect(restored.url).toEqual(before.url)
    expect(restored.statements).toEqual(before.statements)
    expect(restored.mappings).toEqual(before.mappings)
    expect(restored.functionTags).toEqual(before.functionTags)
    expect(restored.roleTags).toEqual(before.roleTags)
    expect(Object.keys(restored.inlinePolicies).sort()).toEqual(['AWSRevokeOlderSessions', 'write-logs'])

    const forced = await coroner(['undo', '--run', runId, '--action', 'revoke-sessions', '--force', ...args(store, '--apply', '--yes', '--json')])
    expect(forced.error).toBeUndefined()
    expect((JSON.parse(forced.stdout) as UndoOut).result.outcomes[0]!.record.notes.join(' ')).toMatch(/--force: Sessions issued before/)
    expect((await readTargetState(own, seed.accessKeyId)).inlinePolicies).toEqual(before.inlinePolicies)

    expect((await coroner(['evidence', 'verify', '--case', 'INC-CONTAIN', '--store', store])).error).toBeUndefined()
    const db = path.join(await tempDir(), 'case.duckdb')
    expect((await coroner(['load', '--case', 'INC-CONTAIN', '--store', store, '--db', db])).error).toBeUndefined()
    const rows = await coroner(['query', '--sql', 'SELECT action, status, count(*) AS n FROM containment_actions GROUP BY ALL ORDER BY action, status', '--db', db, '--json'])
    const counted = (JSON.parse(rows.stdout) as Envelope<{rows: Array<{action: string; status: string; n: number}>}>).result.rows
    expect(counted).toContainEqual({action: 'throttle', status: 'applied', n: 2})
    expect(counted).toContainEqual({action: 'revoke-sessions', status: 'applied', n: 2})
    expect(counted).toContainEqual({action: 'revoke-sessions', status: 'skipped', n: 1})
    const timeline = await coroner(['timeline', '--db', db, '--source', 'containment', '--json'])
    const actions = (JSON.parse(timeline.stdout) as Envelope<{rows: Array<{action: string; actor: string; detail: string}>}>).result.rows
    expect(actions.map((r) => r.action)).toEqual(expect.arrayContaining(['contain:throttle', 'undo:throttle', 'contain:deny-role']))
    expect(actions.find((r) => r.action === 'undo:throttle')).toMatchObject({actor: 'arn:aws:sts::123456789012:user/moto', detail: `applied, verified (undoes run ${runId})`})
  })

  it('undo refuses and names the drift when someone changed the resource since, and calls nothing', async () => {
    const store = path.join(await tempDir(), 'store')
    const contained = JSON.parse((await coroner(['contain', 'throttle', '-f', FUNCTION, ...args(store, '--apply', '--yes', '--json')])).stdout) as ContainOut
    await own.client(LambdaClient).send(new PutFunctionConcurrencyCommand({FunctionName: FUNCTION, ReservedConcurrentExecutions: 20}))
    proxy.calls.length = 0

    const undo = await coroner(['undo', '--run', contained.result.run.runId, ...args(store, '--apply', '--yes')])
    expect(undo.error?.oclif?.exit).toBe(6)
    expect(undo.stdout).toContain('REFUSED: changed since it was recorded')
    expect(undo.stdout).toContain('drift: reservedConcurrency: recorded 0, now 20')
    expect(undo.stdout).toMatch(/\[drift\] function payments-api \(us-east-1\): .*changed since run .*re-run with --force/i)
    expect(writeCalls(proxy)).toEqual([])
    expect((await readTargetState(own, seed.accessKeyId)).reservedConcurrency).toBe(20)
  })

  it('without --apply nothing changes: every resource reads back the same and no write call goes out', async () => {
    const store = path.join(await tempDir(), 'store')
    const before = await readTargetState(own, seed.accessKeyId)
    const res = await coroner(['contain', 'all', '-f', FUNCTION, '--alias', 'live', '--to-version', '1', '--access-key', seed.accessKeyId, ...args(store, '--json')])
    expect(res.error).toBeUndefined()
    const out = JSON.parse(res.stdout) as ContainOut
    expect(out.result.dryRun).toBe(true)
    expect(out.result.actions.map((a) => a.action)).toEqual(['throttle', 'disable-triggers', 'close-url', 'remove-public-access', 'pin-alias', 'revoke-sessions', 'deny-role', 'deactivate-keys', 'tag'])
    for (const r of records(out)) expect(r, `${r.action} ${r.target.name}`).toMatchObject({status: 'planned', applied: false, after: null, verified: false})
    expect(records(out).find((r) => r.action === 'pin-alias')!.calls).toEqual([
      {operation: 'lambda:UpdateAlias', parameters: {FunctionName: FUNCTION, Name: 'live', FunctionVersion: '1', RoutingConfig: {AdditionalVersionWeights: {}}}, outcome: 'planned'},
    ])
    expect(await readTargetState(own, seed.accessKeyId)).toEqual(before)
    expect(proxy.calls.filter((c) => c.method === 'GET').length).toBeGreaterThan(20)
    expect(writeCalls(proxy)).toEqual([])

    const human = await coroner(['contain', 'throttle', '-f', FUNCTION, ...args(store)])
    expect(human.stdout).toContain('reservedConcurrency: 50 → 0')
    expect(human.stdout).toContain('Dry run: nothing was changed')
    expect(writeCalls(proxy)).toEqual([])
  })

  it('refuses 11 targets under the default guard before any call, and asks for --yes off a terminal', async () => {
    const lambda = own.client(LambdaClient)
    const functions = Array.from({length: 11}, (_, i) => `worker-${String(i + 1).padStart(2, '0')}`)
    for (const name of functions) await lambda.send(new CreateFunctionCommand({FunctionName: name, Runtime: 'nodejs20.x', Role: seed.roleArn, Handler: 'index.handler', Code: {ZipFile: seed.zips[0]}}))
    const store = path.join(await tempDir(), 'store')
    const named = functions.flatMap((f) => ['-f', f])
    proxy.calls.length = 0

    const refused = await coroner(['contain', 'throttle', ...named, ...args(store, '--apply', '--yes')])
    expect(refused.error?.oclif?.exit).toBe(2)
    expect(refused.stderr).toMatch(/\[too-many-resources\]: This containment would touch 11 resources, more than --max-resources 10/)
    expect(refused.stderr).toContain('--max-resources 11')
    expect(proxy.calls).toEqual([])
    expect(existsSync(path.join(store, 'cases', 'INC-CONTAIN'))).toBe(false)

    const allowed = JSON.parse((await coroner(['contain', 'throttle', ...named, ...args(store, '--max-resources', '11', '--json')])).stdout) as ContainOut
    expect(records(allowed)).toHaveLength(11)

    const unconfirmed = await coroner(['contain', 'throttle', '-f', FUNCTION, ...args(store, '--apply')])
    expect(unconfirmed.error?.oclif?.exit).toBe(2)
    expect(unconfirmed.stderr).toContain('[confirmation-needed]')
    expect(unconfirmed.stderr).toContain('Add --yes')
    expect(writeCalls(proxy)).toEqual([])
  })

  it('close-url --delete-url needs --irreversible, and its undo is refused: AWS never gives the same URL back', async () => {
    const store = path.join(await tempDir(), 'store')
    const bare = await coroner(['contain', 'close-url', '-f', FUNCTION, '--delete-url', ...args(store, '--apply', '--yes')])
    expect(bare.error?.oclif?.exit).toBe(2)
    expect(bare.stderr).toMatch(/irreversible: deleting a function URL is irreversible/)
    expect(writeCalls(proxy)).toEqual([])

    const deleted = JSON.parse((await coroner(['contain', 'close-url', '-f', FUNCTION, '--delete-url', '--irreversible', ...args(store, '--apply', '--yes', '--json')])).stdout) as ContainOut
    const record = records(deleted)[0]!
    expect(record).toMatchObject({status: 'applied', verified: true, after: {urls: {}}})
    expect(record.inverse).toEqual({refused: expect.stringMatching(/never gives the same URL back/)})
    expect(writeCalls(proxy)).toEqual(['DELETE /2021-10-31/functions/payments-api/url'])

    const undo = await coroner(['undo', '--run', deleted.result.run.runId, ...args(store, '--apply', '--yes')])
    expect(undo.error?.oclif?.exit).toBe(6)
    expect(undo.stdout).toMatch(/\[refused\] .*was deleted: AWS never gives the same URL back/)
    expect(writeCalls(proxy)).toEqual(['DELETE /2021-10-31/functions/payments-api/url'])
  })
})
