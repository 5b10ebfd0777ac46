import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {huntCase} from '../../../../src/analysis/sigma/hunt.js'
import {BUILTIN_RULES_DIR, loadRules} from '../../../../src/analysis/sigma/load.js'
import {generateRecords} from '../../../../bench/lib/generate-cloudtrail.js'
import {memoryCase} from '../../../support/sigma-db.js'

const fixtures = path.resolve(fileURLToPath(import.meta.url), '../../../../fixtures')

/** Events that sit where the stored columns and the JSON could part ways. */
const corners: Array<Record<string, unknown>> = [
  // Case: Sigma matches without case; the stored text keeps it.
  {eventID: 'case-1', eventTime: '2026-11-02T00:00:01Z', eventSource: 'CLOUDTRAIL.amazonaws.com', eventName: 'stoplogging', userIdentity: {type: 'IAMUser', arn: 'arn:aws:iam::1:user/a'}},
  {eventID: 'case-2', eventTime: '2026-11-02T00:00:02Z', eventSource: 'lambda.amazonaws.com', eventName: 'ADDPERMISSION20150331V2', requestParameters: {principal: '*'}, userIdentity: {type: 'iamuser'}},
  // Arrays where the rules expect text: in the caller, its session context and issuer, and at the end of a path.
  {eventID: 'arr-1', eventTime: '2026-11-02T00:00:03Z', eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', userIdentity: [{type: 'AssumedRole', sessionContext: {sessionIssuer: {type: 'Role'}}}]},
  {eventID: 'arr-2', eventTime: '2026-11-02T00:00:04Z', eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', userIdentity: {type: 'AssumedRole', sessionContext: [{sessionIssuer: {type: 'Role'}}]}},
  {eventID: 'arr-3', eventTime: '2026-11-02T00:00:05Z', eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', userIdentity: {type: ['Root', 'IAMUser'], arn: ['arn:aws:sts::1:assumed-role/aws:ec2-instance/i-1']}},
  {eventID: 'arr-4', eventTime: '2026-11-02T00:00:06Z', eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', userIdentity: {type: 'AssumedRole', sessionContext: {sessionIssuer: [{type: 'Role'}, {type: 'User'}]}}},
  {eventID: 'arr-5', eventTime: '2026-11-02T00:00:07Z', eventSource: 'lambda.amazonaws.com', eventName: 'UpdateFunctionConfiguration20150331v2', requestParameters: {layers: [{arn: 'arn:aws:lambda:us-east-1:9:layer:x:1'}]}},
  // Missing, null and odd-typed values.
  {eventID: 'null-1', eventTime: '2026-11-02T00:00:08Z', eventName: 'DeleteBucket', errorCode: null},
  {eventID: 'null-2', eventTime: '2026-11-02T00:00:09Z', eventName: 'DeleteBucket'},
  {eventID: 'null-3', eventTime: '2026-11-02T00:00:10Z', eventName: 'DeleteBucket', errorCode: 'Success', userIdentity: null},
  {eventID: 'num-1', eventTime: '2026-11-02T00:00:11Z', eventSource: 'ec2.amazonaws.com', eventName: 42, userAgent: 1.5e-7, userIdentity: {type: 1e-7}},
  {eventID: 'str-1', eventTime: '2026-11-02T00:00:12Z', eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', userAgent: '[TruffleHog]', userIdentity: 'Root'},
  {eventID: 'root-1', eventTime: '2026-11-02T00:00:13Z', eventSource: 'iam.amazonaws.com', eventName: 'ListUsers', eventType: 'AwsServiceEvent', userIdentity: {type: 'Root'}},
  {eventID: 'root-2', eventTime: '2026-11-02T00:00:14Z', eventSource: 'iam.amazonaws.com', eventName: 'ListUsers', userIdentity: {type: 'Root'}},
  {eventID: 'imds-1', eventTime: '2026-11-02T00:00:15Z', eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', sourceIPAddress: 'AWS Internal', userIdentity: {type: 'AssumedRole', arn: 'arn:aws:sts::1:assumed-role/aws:ec2-instance/i-2'}},
  {eventID: 'imds-2', eventTime: '2026-11-02T00:00:16Z', eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', sourceIPAddress: '198.51.100.7', userIdentity: {type: 'AssumedRole', arn: 'arn:aws:sts::1:assumed-role/aws:ec2-instance/i-3'}},
  // A hit's texts travel packed in one JSON array: quotes, escapes, line separators and text that reads as a number stay text.
  {eventID: 'txt-1', eventTime: '2026-11-02T00:00:18Z', eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', userAgent: '[TruffleHog]', sourceIPAddress: '123', userIdentity: {type: 'IAMUser', arn: 'arn:aws:iam::1:user/"q\\\n\u2028[1]'}},
  {eventID: 'uni-1', eventTime: '2026-11-02T00:00:17Z', eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', additionalEventData: {MFAUsed: 'NO'}, responseElements: {ConsoleLogin: 'SUCCESS'}, userAgent: 'ÉCOLE truffleHOG'},
]

describe('the one-scan hunt over typed columns', () => {
  it('agrees with each rule evaluated alone over the JSON records, on a varied corpus and its corner cases', async () => {
    const {records, attack} = generateRecords({events: 6000, seed: 11})
    const events = [...records, ...corners].map((r, i) => ({...r, artifactKey: `cases/T/runs/r1/cloudtrail/f${Math.floor(i / 500)}.json.gz`}))
    const connection = await memoryCase(events)
    const rules = await loadRules([path.join(fixtures, 'sigma', 'rules'), path.join(fixtures, 'suzaku'), path.join(BUILTIN_RULES_DIR, 'coroner')])
    const fast = await huntCase(connection, rules, {maxHitsPerRule: 100_000})
    const plain = await huntCase(connection, rules, {strategy: 'per-rule', maxHitsPerRule: 100_000})
    expect([fast.strategy, plain.strategy]).toEqual(['one-scan', 'per-rule'])
    expect(fast.rules).toEqual(plain.rules)
    expect(fast.hits).toEqual(plain.hits)
    // The corpus exercises the rules: many fire, and on the corner cases too.
    expect(fast.rules.filter((r) => r.hits > 0).length).toBeGreaterThan(40)
    const firedOn = new Set(fast.hits.map((h) => h.event_id))
    for (const id of ['case-1', 'case-2', 'arr-2', 'arr-5', 'null-1', 'null-2', 'root-2', 'imds-2', 'uni-1', 'txt-1']) expect(firedOn, id).toContain(id)
    const packed = fast.hits.find((h) => h.event_id === 'txt-1')!
    expect([packed.sourceIP, packed.principal]).toEqual(['123', 'arn:aws:iam::1:user/"q\\\n\u2028[1]'])
    for (const a of attack.filter((x) => x.detectedBy.some((d) => d.startsWith('sigma:')))) expect(firedOn, a.name).toContain(a.eventId)
  })

  it('re-reads undecided events from the vectors that hold them, the first and last rows of a vector included', async () => {
    // Stored by service and API: 2,047 calls of a service sorted first, then the function URL calls
    // (the rule decides on their requestParameters, which only the record holds) from the last row
    // of the first vector of 2,048 rows into the second, then another service's calls.
    const at = (i: number) => new Date(Date.parse('2026-11-03T00:00:00Z') + i * 1000).toISOString()
    const before = Array.from({length: 2047}, (_, i) => ({eventID: `acm-${i}`, eventTime: at(i), eventSource: 'acm.amazonaws.com', eventName: 'ListCertificates', userIdentity: {type: 'IAMUser', arn: 'arn:aws:iam::1:user/a'}}))
    const urls = Array.from({length: 6}, (_, i) => ({
      eventID: `url-${i}`, eventTime: at(3000 + i), eventSource: 'lambda.amazonaws.com', eventName: 'CreateFunctionUrlConfig20211031',
      requestParameters: {functionName: `f${i}`, authType: i % 2 === 0 ? 'NONE' : 'AWS_IAM'}, userIdentity: {type: 'IAMUser', arn: `arn:aws:iam::1:user/u${i}`},
    }))
    const after = Array.from({length: 3000}, (_, i) => ({eventID: `sts-${i}`, eventTime: at(4000 + i), eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', userIdentity: {type: 'IAMUser', arn: 'arn:aws:iam::1:user/b'}}))
    const connection = await memoryCase([...after, ...urls, ...before])
    const rowids = (await connection.runAndReadAll(`SELECT event_id, rowid FROM cloudtrail_records WHERE event_id LIKE 'url-%' ORDER BY rowid`)).getRows().map(([id, rowid]) => [String(id), Number(rowid)])
    expect(rowids).toEqual(urls.map((u, i) => [u.eventID, 2047 + i]))
    const rules = await loadRules([path.join(BUILTIN_RULES_DIR, 'coroner')])
    const fast = await huntCase(connection, rules, {maxHitsPerRule: 100_000})
    const plain = await huntCase(connection, rules, {strategy: 'per-rule', maxHitsPerRule: 100_000})
    expect(fast.strategy).toBe('one-scan')
    expect(fast.hits).toEqual(plain.hits)
    expect(fast.hits.filter((h) => h.rule.title === 'AWS Lambda Function URL Without Authentication').map((h) => h.event_id)).toEqual(['url-0', 'url-2', 'url-4'])
  })
})
