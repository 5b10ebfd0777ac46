import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {z} from 'zod'
import {snapshotTargets} from '../../src/actions/snapshot.js'
import type {ContainRecord} from '../../src/actions/record.js'
import {buildFindings} from '../../src/analysis/findings/build.js'
import {loadCase} from '../../src/analysis/load.js'
import {AwsClientFactory} from '../../src/aws/client-factory.js'
import {systemClock} from '../../src/core/clock.js'
import {memoryLogger} from '../../src/core/logger.js'
import {quietProgress} from '../../src/core/progress.js'
import {LocalDirectoryStore} from '../../src/evidence/stores/local.js'
import {
  closeUrlStep,
  deactivateKeysStep,
  denyRoleStep,
  disableTriggersStep,
  pinAliasStep,
  removePublicAccessStep,
  revokeSessionsStep,
  tagStep,
  throttleStep,
} from '../../src/steps/contain/actions.js'
import {undoStep} from '../../src/steps/contain/undo.js'
import {evidenceAddStep} from '../../src/steps/evidence/add.js'
import {runStep, type RunnerEnv} from '../../src/steps/runner.js'
import {defineStep} from '../../src/steps/step.js'
import {FUNCTION, ROLE, containTargetBehindProxy, readTargetState, writeCalls, type ContainSeed} from '../support/contain-seed.js'
import type {LambdaProxy} from '../support/lambda-proxy.js'
import {motoAws, resetMoto} from '../support/moto.js'
import {tempDir} from '../support/temp.js'

let proxy: LambdaProxy
let seed: ContainSeed
let env: RunnerEnv

const ops = (records: ContainRecord[]): string[] => records.flatMap((r) => r.calls.map((c) => `${c.operation} ${JSON.stringify(c.parameters)}`))

/** Each step on its own through the runner, as a playbook calls it: one run each, records returned. */
async function step(s: Parameters<typeof runStep>[1], input: Record<string, unknown>): Promise<{records: ContainRecord[]; runId: string; status: string}> {
  const {result, run} = (await runStep(env, s, input)) as {result: {outcomes: Array<{record: ContainRecord}>}; run: {runId: string; status: string}}
  return {records: result.outcomes.map((o) => o.record), runId: run.runId, status: run.status}
}

describe('each containment step run on its own, as a playbook runs it', () => {
  beforeEach(async () => {
    await resetMoto()
    ;({proxy, seed} = await containTargetBehindProxy())
    const aws = new AwsClientFactory({endpointUrl: proxy.url, region: 'us-east-1', maxAttempts: 1, credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'}})
    const store = new LocalDirectoryStore(path.join(await tempDir(), 'store'))
    env = {clock: systemClock, logger: memoryLogger(), progress: quietProgress, signal: new AbortController().signal, aws, store, showSecrets: false, caseId: 'INC-STEPS'}
  })
  afterEach(async () => {
    env.aws.destroy()
    await proxy.close()
  })

  it('two actions of one run snapshot a function once, the second waiting for the first instead of reading it again', async () => {
    const target = {type: 'function' as const, name: FUNCTION, arn: null, region: 'us-east-1', facts: {functionName: FUNCTION}}
    // Two containment steps of a playbook running side by side: both reach the snapshot before either has taken it.
    const both = defineStep({
      id: 'snapshot-twice', kind: 'contain', title: 'snapshot twice', params: z.object({}), records: true, operations: [], produces: [],
      permissions: () => [], usesAws: () => true,
      run: async (ctx) => {
        await Promise.all([snapshotTargets(ctx, [target]), snapshotTargets(ctx, [target])])
        return {}
      },
    })
    proxy.requests.length = 0
    await runStep(env, both, {})
    expect(proxy.requests.filter((r) => /^GET \/2015-03-31\/functions\/payments-api$/.test(r))).toHaveLength(1)
    expect(proxy.requests.filter((r) => r.includes('/code-signing-config'))).toHaveLength(1)
  })

  it('the function steps plan exactly the calls that would contain it, and make none', async () => {
    const fn = {functions: [FUNCTION]}
    expect(ops((await step(throttleStep, fn)).records)).toEqual(['lambda:PutFunctionConcurrency {"FunctionName":"payments-api","ReservedConcurrentExecutions":0}'])
    const [mapping] = (await readTargetState(motoAws(), seed.accessKeyId)).mappings
    expect(ops((await step(disableTriggersStep, fn)).records)).toEqual([`lambda:UpdateEventSourceMapping {"UUID":"${mapping!.UUID}","Enabled":false}`])
    expect(ops((await step(closeUrlStep, fn)).records)).toEqual(['lambda:UpdateFunctionUrlConfig {"FunctionName":"payments-api","AuthType":"AWS_IAM"}'])
    expect(ops((await step(closeUrlStep, {...fn, deleteUrl: true, irreversible: true})).records)).toEqual(['lambda:DeleteFunctionUrlConfig {"FunctionName":"payments-api"}'])
    await expect(runStep(env, closeUrlStep, {...fn, deleteUrl: true})).rejects.toThrow(/irreversible/)
    const open = await step(removePublicAccessStep, fn)
    expect(ops(open.records)).toEqual([
      'lambda:RemovePermission {"FunctionName":"payments-api","StatementId":"open"}',
      'lambda:RemovePermission {"FunctionName":"payments-api","StatementId":"public-url"}',
    ])
    expect(open.records[0]!.inverse).toEqual({
      calls: [
        {operation: 'lambda:AddPermission', parameters: {FunctionName: FUNCTION, StatementId: 'open', Action: 'lambda:InvokeFunction', Principal: '*'}},
        {operation: 'lambda:AddPermission', parameters: {FunctionName: FUNCTION, StatementId: 'public-url', Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE'}},
      ],
    })
    // The S3 trigger of the function's own account stays, unless every service statement is asked for.
    expect(ops((await step(removePublicAccessStep, {...fn, includeServices: true})).records)).toContain('lambda:RemovePermission {"FunctionName":"payments-api","StatementId":"s3-receipts"}')
    expect(writeCalls(proxy)).toEqual([])
  })

  it('the role steps reach the execution role through the function; tag marks both', async () => {
    const viaFunction = await step(revokeSessionsStep, {functions: [FUNCTION]})
    expect(viaFunction.records.map((r) => r.target)).toEqual([{type: 'role', name: ROLE, arn: seed.roleArn, region: 'global'}])
    expect(viaFunction.records[0]!.facts.maxSessionDuration).toBe(3600)
    expect(ops((await step(denyRoleStep, {roles: [ROLE]})).records)).toEqual([
      'iam:PutRolePolicy {"RoleName":"payments-exec","PolicyName":"coroner-deny-all","PolicyDocument":"{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":[{\\"Sid\\":\\"CoronerContainmentDenyAll\\",\\"Effect\\":\\"Deny\\",\\"Action\\":\\"*\\",\\"Resource\\":\\"*\\"}]}"}',
    ])
    const tagged = await step(tagStep, {functions: [FUNCTION]})
    expect(tagged.records.map((r) => `${r.target.type} ${r.target.name}`)).toEqual([`function ${FUNCTION}`, `role ${ROLE}`])
    expect(tagged.records.map((r) => r.calls[0]!.operation)).toEqual(['lambda:TagResource', 'iam:TagRole'])
    await expect(runStep(env, denyRoleStep, {})).rejects.toThrow(/deny-role has nothing to act on/)
    expect(writeCalls(proxy)).toEqual([])
  })

  it('pin-alias pins and its undo step restores the routing; a version that does not exist is refused', async () => {
    const missing = await step(pinAliasStep, {functions: [FUNCTION], alias: 'live', toVersion: '9'})
    expect(missing.records[0]).toMatchObject({status: 'skipped', notes: expect.arrayContaining(['Version 9 of payments-api does not exist.'])})
    expect(missing.status).toBe('partial')

    const before = (await readTargetState(motoAws(), seed.accessKeyId)).alias
    const pinned = await step(pinAliasStep, {functions: [FUNCTION], alias: 'live', toVersion: '1', apply: true})
    expect(pinned.records[0]).toMatchObject({status: 'applied', verified: true, before: {functionVersion: '2', additionalVersionWeights: {'1': 0.25}}, after: {functionVersion: '1', additionalVersionWeights: {}}})
    expect((await readTargetState(motoAws(), seed.accessKeyId)).alias).toEqual({FunctionVersion: '1', RoutingConfig: {AdditionalVersionWeights: {}}})

    const undone = await step(undoStep, {run: pinned.runId, apply: true})
    expect(undone.records[0]).toMatchObject({action: 'pin-alias', status: 'applied', verified: true, undoes: pinned.runId})
    expect((await readTargetState(motoAws(), seed.accessKeyId)).alias).toEqual(before)
    await expect(runStep(env, undoStep, {run: missing.runId})).rejects.toThrow(/recorded no applied change/)
  })

  it('deactivate-keys takes the access keys the case findings name, and says which temporary ones it cannot end', async () => {
    const finding = (id: string, key: string) => ({
      SchemaVersion: '2.0',
      AccountId: '123456789012',
      Region: 'us-east-1',
      Id: id,
      Type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
      Title: 'API was invoked from a known malicious IP address.',
      Severity: 5,
      CreatedAt: '2026-11-20T09:12:00.000Z',
      UpdatedAt: '2026-11-20T09:12:00.000Z',
      Resource: {ResourceType: 'AccessKey', AccessKeyDetails: {AccessKeyId: key, PrincipalId: 'AIDAEXAMPLE', UserName: 'intruder', UserType: 'IAMUser'}},
    })
    const file = path.join(await tempDir(), 'guardduty.json')
    await writeFile(file, JSON.stringify({Findings: [finding('f-key', seed.accessKeyId), finding('f-session', 'ASIAEXAMPLETEMP12345')]}))
    await runStep(env, evidenceAddStep, {files: [file], note: 'GuardDuty findings from the SOC'})
    const db = path.join(await tempDir(), 'case.duckdb')
    await loadCase(env.store, 'INC-STEPS', {dbPath: db})
    await buildFindings({dbPath: db})

    await expect(runStep(env, deactivateKeysStep, {fromFindings: true, db: path.join(path.dirname(db), 'none.duckdb')})).rejects.toThrow(/no case database/)
    const planned = await step(deactivateKeysStep, {fromFindings: true, db})
    expect(planned.records.map((r) => r.target.name)).toEqual([seed.accessKeyId])
    expect(ops(planned.records)).toEqual([`iam:UpdateAccessKey {"UserName":"intruder","AccessKeyId":"${seed.accessKeyId}","Status":"Inactive"}`])
    expect(planned.status).toBe('complete')
    const {run} = await runStep(env, deactivateKeysStep, {fromFindings: true, db})
    expect(run.warnings).toEqual([expect.stringMatching(/temporary credentials ASIAEXAMPLETEMP12345 \(F-[0-9a-f]{12}\)/)])
    expect(writeCalls(proxy)).toEqual([])
  })
})
