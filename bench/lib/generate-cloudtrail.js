// Generates realistic CloudTrail records (about 1 KB each) and writes them as gzip delivery-file
// artifacts of a case in a local evidence store, through EvidenceRun, as the S3 archive collector
// would. Shared by the load and Sigma benchmarks.
import {gzipSync} from 'node:zlib'
import {fixedClock} from '../../dist/core/clock.js'
import {LocalDirectoryStore} from '../../dist/evidence/stores/local.js'
import {EvidenceRun} from '../../dist/evidence/run.js'

const EVENTS = [
  ['lambda.amazonaws.com', 'GetFunction20150331v2', true],
  ['lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', false],
  ['lambda.amazonaws.com', 'ListFunctions20150331', true],
  ['s3.amazonaws.com', 'GetObject', true],
  ['s3.amazonaws.com', 'PutObject', false],
  ['iam.amazonaws.com', 'ListRoles', true],
  ['iam.amazonaws.com', 'CreateAccessKey', false],
  ['sts.amazonaws.com', 'AssumeRole', true],
  ['sts.amazonaws.com', 'GetCallerIdentity', true],
  ['secretsmanager.amazonaws.com', 'GetSecretValue', true],
  ['ec2.amazonaws.com', 'DescribeInstances', true],
  ['cloudtrail.amazonaws.com', 'LookupEvents', true],
  ['kms.amazonaws.com', 'Decrypt', true],
  ['logs.amazonaws.com', 'CreateLogStream', false],
]
const ACCOUNT = '111122223333'

/** A pseudo-random generator with a fixed seed, so every run generates the same data. */
export function rng(seed = 42) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const hex = (rand, n) => {
  let out = ''
  for (let i = 0; i < n; i++) out += '0123456789abcdef'[Math.floor(rand() * 16)]
  return out
}
const uuid = (rand) => `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-a${hex(rand, 3)}-${hex(rand, 12)}`

/** One CloudTrail record of about 1 KB, as a JavaScript object. */
export function makeRecord(rand, index, baseMs = Date.parse('2026-11-01T00:00:00Z')) {
  const [source, name, readOnly] = EVENTS[Math.floor(rand() * EVENTS.length)]
  const assumed = rand() < 0.5
  const user = `user${Math.floor(rand() * 50)}`
  const role = `role-${Math.floor(rand() * 20)}`
  const ip = `${Math.floor(rand() * 223) + 1}.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}`
  const fn = `function-${Math.floor(rand() * 200)}`
  return {
    eventVersion: '1.09',
    userIdentity: assumed
      ? {
          type: 'AssumedRole',
          principalId: `AROA${hex(rand, 16).toUpperCase()}:session-${index % 97}`,
          arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/session-${index % 97}`,
          accountId: ACCOUNT,
          accessKeyId: `ASIA${hex(rand, 16).toUpperCase()}`,
          sessionContext: {
            sessionIssuer: {type: 'Role', principalId: `AROA${hex(rand, 16).toUpperCase()}`, arn: `arn:aws:iam::${ACCOUNT}:role/${role}`, accountId: ACCOUNT, userName: role},
            attributes: {creationDate: new Date(baseMs + index * 50 - 600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'), mfaAuthenticated: 'false'},
          },
        }
      : {type: 'IAMUser', principalId: `AIDA${hex(rand, 16).toUpperCase()}`, arn: `arn:aws:iam::${ACCOUNT}:user/${user}`, accountId: ACCOUNT, accessKeyId: `AKIA${hex(rand, 16).toUpperCase()}`, userName: user},
    eventTime: new Date(baseMs + index * 50).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: source,
    eventName: name,
    awsRegion: 'us-east-1',
    sourceIPAddress: ip,
    userAgent: 'aws-cli/2.15.0 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe',
    requestParameters: {functionName: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${fn}`, bucketName: `bucket-${Math.floor(rand() * 30)}`, key: `data/${hex(rand, 12)}.json`, maxItems: 50},
    responseElements: readOnly ? null : {requestId: uuid(rand), status: 'Successful'},
    requestID: uuid(rand),
    eventID: uuid(rand),
    readOnly,
    resources: [{accountId: ACCOUNT, type: 'AWS::Lambda::Function', ARN: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${fn}`}],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    tlsDetails: {tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `${source.split('.')[0]}.us-east-1.amazonaws.com`},
  }
}

/**
 * Writes `events` records as gzip delivery files of `perFile` records each into case `caseId` of a
 * local store at `root`, sealed with a manifest. Returns the file paths, bytes written (compressed
 * and uncompressed) and the run id.
 */
export async function generateCloudTrailCase({root, caseId = 'BENCH', events = 1_000_000, perFile = 1_000, seed = 42}) {
  const store = new LocalDirectoryStore(root)
  const run = await EvidenceRun.begin({store, caseId, command: 'bench generate', parameters: {events, perFile}, clock: fixedClock('2026-11-20T00:00:00Z', 1)})
  const rand = rng(seed)
  const files = []
  let compressedBytes = 0
  let jsonBytes = 0
  for (let start = 0, n = 0; start < events; start += perFile, n++) {
    const parts = []
    for (let i = start; i < Math.min(events, start + perFile); i++) parts.push(JSON.stringify(makeRecord(rand, i)))
    const text = `{"Records":[${parts.join(',')}]}`
    jsonBytes += Buffer.byteLength(text)
    const body = gzipSync(text, {level: 6})
    compressedBytes += body.length
    const name = `${ACCOUNT}_CloudTrail_us-east-1_20261101T${String(n).padStart(6, '0')}Z_${hex(rand, 16)}.json.gz`
    const rec = await run.putArtifact(['cloudtrail', 'us-east-1', 'archive', name], body, {
      kind: 'cloudtrail.delivery-file',
      contentType: 'application/json',
      source: `s3://trail-bucket/AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2026/11/01/${name}`,
      collector: 'bench',
      records: parts.length,
    })
    files.push(`${root}/${rec.key}`)
  }
  await run.finish()
  await store.close()
  return {store, files, compressedBytes, jsonBytes, runId: run.runId, events}
}
