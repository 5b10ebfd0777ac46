import {readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {gzipSync} from 'node:zlib'
import {fixedClock} from '../../src/core/clock.js'
import {LocalDirectoryStore} from '../../src/evidence/stores/local.js'
import {EvidenceRun} from '../../src/evidence/run.js'
import type {ArtifactRecord, Manifest} from '../../src/evidence/manifest.js'
import {readManifest} from '../../src/evidence/cases.js'

export const FIXTURES = path.resolve(fileURLToPath(import.meta.url), '../../fixtures')

/** The CloudTrail records of one Stratus Red Team technique's detonation log. */
export function stratusRecords(technique: string): Array<Record<string, unknown>> {
  return JSON.parse(readFileSync(path.join(FIXTURES, 'stratus', `${technique}.json`), 'utf8')) as Array<Record<string, unknown>>
}

export const gz = (text: string): Buffer => gzipSync(Buffer.from(text, 'utf8'))
export const ndjson = (items: unknown[]): string => items.map((i) => `${JSON.stringify(i)}\n`).join('')

/** One artifact to write, in the format the kind's contract gives (docs/evidence-format.md). */
export interface ArtifactSpec {
  segments: string[]
  kind: string
  body: string | Uint8Array
  source?: string
  contentType?: string
  attributes?: Record<string, unknown>
}

export const deliveryFile = (records: unknown[], name = 'trail.json.gz'): ArtifactSpec => ({
  segments: ['cloudtrail', 'us-east-1', 'archive', name],
  kind: 'cloudtrail.delivery-file',
  body: gz(JSON.stringify({Records: records})),
  contentType: 'application/json+gzip',
})

export const recordsFile = (records: unknown[], name = 'records.ndjson.gz'): ArtifactSpec => ({
  segments: ['cloudtrail', 'us-east-1', 'records', name],
  kind: 'cloudtrail.records',
  body: gz(ndjson(records)),
  contentType: 'application/x-ndjson+gzip',
})

/** LookupEvents output: each record embedded as a JSON string in CloudTrailEvent. */
export const lookupFile = (records: Array<Record<string, unknown>>, name = 'lookup.ndjson.gz'): ArtifactSpec => ({
  segments: ['cloudtrail', 'us-east-1', 'lookup-events', name],
  kind: 'cloudtrail.lookup-events',
  body: gz(
    ndjson(
      records.map((r) => ({
        EventId: r.eventID,
        EventName: r.eventName,
        ReadOnly: String(r.readOnly),
        EventTime: r.eventTime,
        EventSource: r.eventSource,
        Username: (r.userIdentity as {userName?: string} | undefined)?.userName,
        Resources: [],
        CloudTrailEvent: JSON.stringify(r),
      })),
    ),
  ),
  contentType: 'application/x-ndjson+gzip',
})

export const jsonArtifact = (kind: string, segments: string[], value: unknown, source = 'arn:aws:lambda:us-east-1:111122223333:function:payments'): ArtifactSpec => ({
  segments,
  kind,
  body: JSON.stringify(value, null, 2),
  contentType: 'application/json',
  source,
})

/** Writes a case of one run through EvidenceRun, as a collector would, and seals it. */
export async function writeCase(
  root: string,
  caseId: string,
  specs: ArtifactSpec[],
  options: {seal?: boolean; start?: string} = {},
): Promise<{store: LocalDirectoryStore; records: ArtifactRecord[]; runId: string}> {
  const store = new LocalDirectoryStore(root)
  const run = await EvidenceRun.begin({
    store,
    caseId,
    command: 'test',
    parameters: {},
    clock: fixedClock(options.start ?? '2026-11-20T10:00:00Z', 1000),
  })
  const records: ArtifactRecord[] = []
  for (const s of specs) {
    records.push(
      await run.putArtifact(s.segments, s.body, {
        kind: s.kind,
        contentType: s.contentType ?? 'application/octet-stream',
        source: s.source ?? 'test',
        collector: 'test',
        ...(s.attributes === undefined ? {} : {attributes: s.attributes}),
      }),
    )
  }
  if (options.seal !== false) await run.finish()
  return {store, records, runId: run.runId}
}

export const FN_ARN = 'arn:aws:lambda:us-east-1:111122223333:function:payments'
export const ROLE_ARN = 'arn:aws:iam::111122223333:role/payments-exec'

/** One artifact of every Lambda, IAM and logs kind, in the shapes the collectors write. */
export function lambdaSpecs(): ArtifactSpec[] {
  const start = Date.parse('2026-11-20T09:00:00Z')
  const reqId = '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b'
  const events = [
    {message: `START RequestId: ${reqId} Version: $LATEST\n`, at: 0},
    {message: `2026-11-20T09:00:00.100Z\t${reqId}\tERROR\tInvoke Error {"errorType":"Error"}\n`, at: 100},
    {message: `END RequestId: ${reqId}\n`, at: 200},
    {message: `REPORT RequestId: ${reqId}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\n`, at: 201},
    {message: '{"level":"INFO","requestId":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","msg":"json log"}', at: 300},
  ].map((e, i) => ({logGroupName: '/aws/lambda/payments', logStreamName: '2026/11/20/[$LATEST]abc', timestamp: start + e.at, ingestionTime: start + e.at + 5, message: e.message, eventId: `e${i}`}))
  return [
    jsonArtifact('lambda.function', ['lambda', 'us-east-1', 'payments', 'function-$LATEST.json'], {
      Configuration: {FunctionName: 'payments', FunctionArn: FN_ARN, Version: '$LATEST', Runtime: 'nodejs20.x', Role: ROLE_ARN, Handler: 'index.handler', CodeSha256: 'abc=', CodeSize: 1234, LastModified: '2026-11-19T08:00:00.000+0000', Timeout: 3, MemorySize: 128, Environment: {Variables: {DB_PASSWORD: 'hunter2', STAGE: 'prod'}}, Layers: [{Arn: 'arn:aws:lambda:us-east-1:999988887777:layer:evil:1'}]},
      Code: {RepositoryType: 'S3', Location: 'https://example.invalid/code.zip'},
      Tags: {team: 'payments'},
      Concurrency: {ReservedConcurrentExecutions: 5},
    }),
    jsonArtifact('lambda.aliases', ['lambda', 'us-east-1', 'payments', 'aliases.json'], {Aliases: [{AliasArn: `${FN_ARN}:live`, Name: 'live', FunctionVersion: '3', RoutingConfig: {AdditionalVersionWeights: {'4': 0.1}}}]}),
    jsonArtifact('lambda.policy', ['lambda', 'us-east-1', 'payments', 'policy.json'], {
      RevisionId: 'r1',
      Policy: {Version: '2012-10-17', Statement: [
        {Sid: 'open', Effect: 'Allow', Principal: '*', Action: 'lambda:InvokeFunction', Resource: FN_ARN},
        {Sid: 'url', Effect: 'Allow', Principal: '*', Action: 'lambda:InvokeFunctionUrl', Resource: FN_ARN, Condition: {StringEquals: {'lambda:FunctionUrlAuthType': 'NONE'}}},
        {Sid: 's3', Effect: 'Allow', Principal: {Service: 's3.amazonaws.com'}, Action: 'lambda:InvokeFunction', Resource: FN_ARN, Condition: {ArnLike: {'AWS:SourceArn': 'arn:aws:s3:::bucket'}, StringEquals: {'AWS:SourceAccount': '111122223333'}}},
        {Sid: 'other', Effect: 'Allow', Principal: {AWS: 'arn:aws:iam::444455556666:root'}, Action: 'lambda:InvokeFunction', Resource: FN_ARN},
      ]},
    }),
    jsonArtifact('lambda.url-config', ['lambda', 'us-east-1', 'payments', 'url.json'], {FunctionUrl: 'https://abc.lambda-url.us-east-1.on.aws/', FunctionArn: FN_ARN, AuthType: 'NONE', CreationTime: '2026-11-20T08:00:00.000Z', LastModifiedTime: '2026-11-20T08:00:00.000Z', InvokeMode: 'BUFFERED'}),
    jsonArtifact('lambda.event-source-mappings', ['lambda', 'us-east-1', 'payments', 'esm.json'], {EventSourceMappings: [{UUID: 'u-1', FunctionArn: FN_ARN, EventSourceArn: 'arn:aws:sqs:us-east-1:111122223333:q', State: 'Enabled', BatchSize: 10, LastModified: 1763625600}]}),
    jsonArtifact('lambda.layer', ['lambda', 'us-east-1', 'layers', 'evil-1.json'], {LayerArn: 'arn:aws:lambda:us-east-1:999988887777:layer:evil', LayerVersionArn: 'arn:aws:lambda:us-east-1:999988887777:layer:evil:1', Version: 1, CreatedDate: '2026-11-20T07:00:00.000+0000', Content: {CodeSha256: 'xyz=', CodeSize: 10}, CompatibleRuntimes: ['nodejs20.x']}),
    jsonArtifact('iam.role', ['iam', 'global', 'payments-exec', 'role.json'], {Role: {RoleName: 'payments-exec', Arn: ROLE_ARN, AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'lambda.amazonaws.com'}, Action: 'sts:AssumeRole'}]}}}, ROLE_ARN),
    jsonArtifact('iam.role-policies', ['iam', 'global', 'payments-exec', 'policies.json'], {RoleName: 'payments-exec', InlinePolicies: [{PolicyName: 'inline-1', PolicyDocument: {Statement: [{Effect: 'Allow', Action: 's3:*', Resource: '*'}]}}], AttachedPolicies: [{PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess', Document: {Statement: [{Effect: 'Allow', Action: '*', Resource: '*'}]}}]}, ROLE_ARN),
    {segments: ['logs', 'us-east-1', 'payments', 'events.ndjson.gz'], kind: 'logs.events', body: gz(events.map((e) => JSON.stringify(e)).join('\n') + '\n{broken\n'), contentType: 'application/x-ndjson+gzip', source: 'arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/payments:*'},
    {segments: ['logs', 'us-east-1', 'payments', 'export-000000.gz'], kind: 'logs.export', body: gz(`2026-11-20T09:05:00.000Z Task timed out after 3.00 seconds\n2026-11-20T09:05:01.000Z =cmd|' /C calc'!A0, "quoted"\n`), contentType: 'application/gzip', source: 'arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/payments:*', attributes: {logStreamName: '2026/11/20/[$LATEST]def'}},
  ]
}


/** Every sealed run's manifest of a case in a local store, in run order. */
export async function caseManifests(root: string, caseId: string): Promise<Manifest[]> {
  const store = new LocalDirectoryStore(root)
  const out: Manifest[] = []
  for await (const info of store.list(`cases/${caseId}/runs/`)) if (info.key.endsWith('/manifest.json')) out.push(await readManifest(store, info.key))
  return out.sort((a, b) => a.runId.localeCompare(b.runId))
}
