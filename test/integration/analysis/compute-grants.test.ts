import {mkdtemp, readFile, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {AnalysisDb} from '../../../src/analysis/db.js'
import {loadCase} from '../../../src/analysis/load.js'
import {findQuery, loadQueries} from '../../../src/analysis/queries.js'
import {openForQuery, runNamedQuery} from '../../../src/analysis/run-query.js'
import {coroner, type Envelope} from '../../support/cli.js'
import {FIXTURES, deliveryFile, stratusRecords, writeCase} from '../../support/evidence-case.js'

type Rec = Record<string, any>

const stratus = (technique: string, name: string): Rec => structuredClone(stratusRecords(technique).find((r) => r.eventName === name)!)
const at = (m: number): string => `2024-08-01T14:${String(m).padStart(2, '0')}:00Z`

// Real records (Stratus Red Team, Panther; Apache-2.0, test/fixtures), each variant changing only what the case is about.
const detonation = stratusRecords('aws.credential-access.ec2-steal-instance-credentials')
const stolen = detonation.filter((r) => (r.userIdentity as Rec).type === 'AssumedRole')

/** An instance session used from its own address, then from a second one (nobody else's). */
function instanceSession(): Rec[] {
  const base = structuredClone(stolen[0]!) as Rec
  const arn = 'arn:aws:sts::017622104382:assumed-role/web-instance-role/i-0a1b2c3d4e5f60718'
  const call = (id: string, minute: number, ip: string, name: string): Rec => ({
    ...structuredClone(base),
    eventID: id, eventTime: at(minute), eventName: name, sourceIPAddress: ip, userAgent: 'aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux',
    userIdentity: {...structuredClone(base.userIdentity), arn, principalId: 'AROAEXAMPLEWEB:i-0a1b2c3d4e5f60718', sessionContext: {...base.userIdentity.sessionContext, sessionIssuer: {...base.userIdentity.sessionContext.sessionIssuer, arn: 'arn:aws:iam::017622104382:role/web-instance-role', userName: 'web-instance-role'}}},
  })
  return [call('ec2-own-1', 1, '54.210.1.10', 'GetCallerIdentity'), call('ec2-own-2', 2, '54.210.1.10', 'DescribeInstances'), call('ec2-vpce', 3, '10.0.3.17', 'GetObject'), call('ec2-away', 9, '198.51.100.23', 'ListBuckets')]
}

/** An ECS task role session (named after the task id): a call from inside the task, and the same credentials from a laptop. */
async function taskSession(): Promise<Rec[]> {
  const tests = JSON.parse(await readFile(path.join(FIXTURES, 'panther-labs_panther-analysis', 'aws_cloudtrail_rule_tests_extracted.json'), 'utf8')) as Array<{log: Rec}>
  const inside = structuredClone(tests.find((t) => String(t.log.userAgent).includes('exec-env/AWS_ECS_FARGATE'))!.log)
  const task = '4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f'
  inside.eventTime = '2022-11-21T18:06:52Z'
  inside.userIdentity.arn = `arn:aws:sts::123456789123:assumed-role/TestUser/${task}`
  inside.userIdentity.principalId = `AR0A354LKJXC87G9XC89V:${task}`
  inside.sourceIPAddress = '3.91.20.5'
  const outside = {...structuredClone(inside), eventID: 'ecs-outside', eventTime: '2022-11-21T19:00:00Z', sourceIPAddress: '203.0.113.77', userAgent: 'aws-cli/2.13.0 Python/3.11.4 Darwin/22.6.0 exe/x86_64 prompt/off command/organizations.describe-account'}
  return [{...inside, eventID: 'ecs-inside'}, outside]
}

/** A customer-managed policy: created allowing everything (JSON text), then attached to a role. */
function adminPolicyGrants(): Rec[] {
  const attach = stratus('aws.persistence.iam-create-backdoor-role', 'AttachRolePolicy')
  const createUser = stratus('aws.persistence.iam-create-admin-user', 'AttachUserPolicy')
  const account = attach.recipientAccountId as string
  const doc = (action: unknown, resource: unknown, effect = 'Allow'): string => JSON.stringify({Version: '2012-10-17', Statement: [{Effect: effect, Action: action, Resource: resource}]}, null, 2)
  const created = (id: string, minute: number, name: string, document: string): Rec => ({
    ...structuredClone(attach), eventID: id, eventTime: at(minute), eventName: 'CreatePolicy',
    requestParameters: {policyName: name, policyDocument: document},
    responseElements: {policy: {policyName: name, policyId: `ANPA${id.toUpperCase()}`, arn: `arn:aws:iam::${account}:policy/${name}`, path: '/', defaultVersionId: 'v1', attachmentCount: 0, permissionsBoundaryUsageCount: 0, isAttachable: true, createDate: 'Aug 1, 2024 2:00:00 PM', updateDate: 'Aug 1, 2024 2:00:00 PM'}},
  })
  const attached = (base: Rec, id: string, minute: number, name: string): Rec => ({...structuredClone(base), eventID: id, eventTime: at(minute), requestParameters: {...base.requestParameters, policyArn: `arn:aws:iam::${account}:policy/${name}`}})
  return [
    created('cp-admin', 10, 'ops-break-glass', doc('*', '*')),
    attached(attach, 'attach-admin', 11, 'ops-break-glass'),
    // URL-encoded, as CloudTrail writes many IAM documents; a version set as default, then the policy attached to a user.
    created('cp-readonly', 12, 'ops-audit', doc(['s3:GetObject'], '*')),
    {...structuredClone(attach), eventID: 'cpv-admin', eventTime: at(13), eventName: 'CreatePolicyVersion',
      requestParameters: {policyArn: `arn:aws:iam::${account}:policy/ops-audit`, policyDocument: encodeURIComponent(doc(['*'], ['*'])), setAsDefault: true},
      responseElements: {policyVersion: {versionId: 'v2', isDefaultVersion: true, createDate: 'Aug 1, 2024 2:13:00 PM'}}},
    attached(createUser, 'attach-audit', 14, 'ops-audit'),
    // Controls: every action on one bucket only; a deny-all; a policy attached before it allowed anything, and never made so.
    created('cp-scoped', 15, 'ops-scoped', doc('*', ['arn:aws:s3:::reports/*'])),
    attached(attach, 'attach-scoped', 16, 'ops-scoped'),
    created('cp-deny', 17, 'ops-deny', doc('*', '*', 'Deny')),
    attached(attach, 'attach-deny', 18, 'ops-deny'),
    attached(attach, 'attach-early', 19, 'ops-later'),
    {...created('cp-later', 20, 'ops-later', doc('*', '*'))},
  ]
}

describe('compute-role credentials outside their compute, and admin grants through customer-managed policies', () => {
  let dir: string
  let store: string
  let dbPath: string
  let db: AnalysisDb
  const queries = loadQueries()
  const rows = async (id: string) => (await runNamedQuery(db, findQuery(queries, id), {})).rows

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'coroner-compute-'))
    store = path.join(dir, 'store')
    const tests = JSON.parse(await readFile(path.join(FIXTURES, 'panther-labs_panther-analysis', 'aws_cloudtrail_rule_tests_extracted.json'), 'utf8')) as Array<{test: string; log: Rec}>
    // Panther's real quarantine record: an inline policy denying everything, which grants nothing.
    const quarantine = {...tests.find((t) => t.test === 'PutUserPolicy-false')!.log, eventTime: '2024-08-01T15:00:00Z', eventID: 'put-deny-all'}
    const records = [...detonation, ...instanceSession(), ...(await taskSession()), ...adminPolicyGrants(), quarantine]
    const written = await writeCase(store, 'INC-COMPUTE', [deliveryFile(records)])
    dbPath = path.join(dir, 'case.duckdb')
    await loadCase(written.store, 'INC-COMPUTE', {dbPath})
    db = await openForQuery(dbPath)
  })
  afterAll(async () => {
    db?.close()
    await rm(dir, {recursive: true, force: true})
  })

  it('finds instance credentials used where someone else works and from a second address, not the instance itself or a VPC endpoint', async () => {
    const r = await rows('lambda-role-credentials-outside-lambda')
    const ec2 = r.filter((x) => x.compute === 'ec2')
    expect(ec2.map((x) => [x.event_id, x.source_ip, x.session, x.why])).toEqual([
      ['ec2-away', '198.51.100.23', 'i-0a1b2c3d4e5f60718', 'not the address the instance session was first used from (54.210.1.10)'],
      ...stolen.map((s) => [s.eventID, '18.236.253.47', 'i-786a3A8B5C0d92eF4', 'an address other identities work from']),
    ])
  })

  it('finds task role credentials used with a user agent that is not an ECS task, not the task calling from inside', async () => {
    const r = await rows('lambda-role-credentials-outside-lambda')
    expect(r.filter((x) => x.compute === 'ecs').map((x) => [x.event_id, x.source_ip, x.role])).toEqual([['ecs-outside', '203.0.113.77', 'arn:aws:iam::123456789123:role/TestUser']])
  })

  it('finds a customer-managed policy allowing everything, created (JSON or URL-encoded) then attached, and not scoped, denying or never-admin ones', async () => {
    const r = await rows('iam-admin-policy-attached')
    expect(r.map((x) => [x.event_id, x.action, x.policy_event_id])).toEqual([
      ['attach-admin', 'AttachRolePolicy', 'cp-admin'],
      ['attach-audit', 'AttachUserPolicy', 'cpv-admin'],
      ['cp-later', 'CreatePolicy', 'cp-later'],
    ])
    expect(r[1]).toMatchObject({target: 'malicious-iam-user', policy: expect.stringMatching(/:policy\/ops-audit$/)})
    expect(r[2]).toMatchObject({target: 'stratus-red-team-malicious-iam-role', policy: expect.stringMatching(/:policy\/ops-later$/)})
  })

  it('raises both as findings in `coroner findings`', async () => {
    const out = await coroner(['findings', '--case', 'INC-COMPUTE', '--store', store, '--db', dbPath, '--no-fail', '--json'])
    const env = JSON.parse(out.stdout) as Envelope<{findings: Array<{severity: string; eventIds: string[]; reasons: Array<{id: string}>}>}>
    const by = (id: string) => env.result!.findings.filter((f) => f.reasons.some((x) => x.id === id)).flatMap((f) => f.eventIds).sort()
    expect(by('lambda-role-credentials-outside-lambda')).toEqual([...stolen.map((s) => String(s.eventID)), 'ec2-away', 'ecs-outside'].sort())
    expect(by('iam-admin-policy-attached')).toEqual(['attach-admin', 'attach-audit', 'cp-later'])
    expect(env.result!.findings.find((f) => f.eventIds.includes('ecs-outside'))!.severity).toBe('critical')
  })
})
