import {readFileSync} from 'node:fs'
import path from 'node:path'
import {fixedClock} from '../../src/core/clock.js'
import {EvidenceRun} from '../../src/evidence/run.js'
import {LocalDirectoryStore} from '../../src/evidence/stores/local.js'
import {FN_ARN, FIXTURES, gz, jsonArtifact, lambdaSpecs, stratusRecords, type ArtifactSpec} from './evidence-case.js'

/** What an attacker might put in a log line or an API field: markup, script links, and a right-to-left override. */
export const HOSTILE = {
  script: '<script>window.__pwned = 1</script>',
  img: '<img src=x onerror="window.__pwned = 2">',
  link: '[click me](javascript:window.__pwned=3)',
  rtl: 'invoice\u202Egpj.exe',
} as const
export const HOSTILE_TEXT = `${HOSTILE.script} ${HOSTILE.img} ${HOSTILE.link} ${HOSTILE.rtl}`

/** The secret held in the fixture's Lambda environment: no report may show it without --show-secrets. */
export const SECRET = 'hunter2'

function hostileEvent(): Record<string, unknown> {
  const [base] = stratusRecords('aws.persistence.lambda-overwrite-code')
  const record = structuredClone(base!) as Record<string, unknown> & {requestParameters: Record<string, unknown>; responseElements: Record<string, unknown>}
  record.eventID = '00000000-0000-4000-8000-00000000c0de'
  record.eventTime = '2024-08-01T14:00:00Z'
  record.userAgent = HOSTILE_TEXT
  record.sourceIPAddress = '203.0.113.66'
  record.requestParameters = {...record.requestParameters, functionName: `payments ${HOSTILE.img}`}
  record.responseElements = {...record.responseElements, functionName: `payments ${HOSTILE.img}`, codeSha256: 'bmV3LWNvZGU='}
  return record
}

/** A second published version of the fixture's function, with other code: what changed between versions. */
function versionOne(): ArtifactSpec {
  return jsonArtifact('lambda.function', ['lambda', 'us-east-1', 'payments', 'function-1.json'], {
    Configuration: {FunctionName: 'payments', FunctionArn: `${FN_ARN}:1`, Version: '1', Runtime: 'nodejs18.x', Role: 'arn:aws:iam::111122223333:role/payments-exec', Handler: 'index.handler', CodeSha256: 'b2xkLWNvZGU=', CodeSize: 1000, LastModified: '2024-07-01T08:00:00.000+0000', Timeout: 3, MemorySize: 128, Environment: {Variables: {DB_PASSWORD: SECRET, STAGE: 'prod'}}},
  })
}

const hostileLog = (): ArtifactSpec => ({
  segments: ['logs', 'us-east-1', 'payments', 'hostile.ndjson.gz'],
  kind: 'logs.events',
  body: gz(`${JSON.stringify({logGroupName: '/aws/lambda/payments', logStreamName: '2024/08/01/[$LATEST]x', timestamp: Date.parse('2024-08-01T14:01:00Z'), ingestionTime: Date.parse('2024-08-01T14:01:01Z'), message: `ERROR ${HOSTILE_TEXT} password=${SECRET}`, eventId: 'h1'})}\n`),
  contentType: 'application/x-ndjson+gzip',
  source: 'arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/payments:*',
})

/**
 * The case reports are tested over: real CloudTrail records of attacks on Lambda (Stratus Red Team),
 * one planted event and log line holding markup, a function with two versions and a secret in its
 * environment, a GuardDuty finding, and a gap, in two sealed runs (so the manifests chain).
 */
export async function writeReportCase(root: string, caseId = 'INC-REPORT'): Promise<{store: LocalDirectoryStore; caseId: string}> {
  const store = new LocalDirectoryStore(root)
  const techniques = ['aws.persistence.lambda-overwrite-code', 'aws.persistence.lambda-backdoor-function', 'aws.persistence.lambda-layer-extension', 'aws.defense-evasion.cloudtrail-stop']
  const records = [...techniques.flatMap((t) => stratusRecords(t)), hostileEvent()]
  const first = await EvidenceRun.begin({store, caseId, command: 'collect cloudtrail', parameters: {}, clock: fixedClock('2026-11-20T10:00:00Z', 1000)})
  await first.putArtifact(['cloudtrail', 'us-east-1', 'archive', 'trail.json.gz'], gz(JSON.stringify({Records: records})), {kind: 'cloudtrail.delivery-file', contentType: 'application/json+gzip', source: 's3://trail-bucket/AWSLogs', collector: 'cloudtrail-archive'})
  await first.gap({collector: 'logs', resource: 'arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/reports', reason: 'AccessDeniedException: not authorized to perform logs:FilterLogEvents', code: 'access-denied', region: 'us-east-1'})
  await first.finish()
  const second = await EvidenceRun.begin({store, caseId, command: 'collect lambda', parameters: {}, clock: fixedClock('2026-11-20T11:00:00Z', 1000)})
  for (const s of [...lambdaSpecs(), versionOne(), hostileLog(), guardDuty()]) {
    await second.putArtifact(s.segments, s.body, {kind: s.kind, contentType: s.contentType ?? 'application/octet-stream', source: s.source ?? 'test', collector: 'test', ...(s.attributes === undefined ? {} : {attributes: s.attributes})})
  }
  await second.finish()
  return {store, caseId}
}

function guardDuty(): ArtifactSpec {
  const body = readFileSync(path.join(FIXTURES, '..', '..', 'samples', 'guardduty-finding.json'), 'utf8')
  return {segments: ['added', 'local', 'guardduty-finding.json'], kind: 'file.added', body, contentType: 'application/json', source: 'guardduty-finding.json'}
}
