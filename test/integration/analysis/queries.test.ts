import {readFileSync, readdirSync} from 'node:fs'
import path from 'node:path'
import {beforeAll, afterAll, describe, expect, it} from 'vitest'
import {mkdtemp, rm} from 'node:fs/promises'
import os from 'node:os'
import {AnalysisDb} from '../../../src/analysis/db.js'
import {loadCase} from '../../../src/analysis/load.js'
import {findQuery, loadQueries} from '../../../src/analysis/queries.js'
import {openForQuery, runNamedQuery, runSql} from '../../../src/analysis/run-query.js'
import {FIXTURES, ROLE_ARN, deliveryFile, gz, lambdaSpecs, recordsFile, stratusRecords, writeCase, type ArtifactSpec} from '../../support/evidence-case.js'

const techniques = readdirSync(path.join(FIXTURES, 'stratus')).filter((f) => f.startsWith('aws.') && f.endsWith('.json')).map((f) => f.slice(0, -5)).sort()

let dir: string
let db: AnalysisDb
const queries = loadQueries()

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'coroner-stratus-'))
  // One delivery file per technique: each file is the control of every query not meant for it.
  const {store} = await writeCase(path.join(dir, 'store'), 'INC-STRATUS', techniques.map((t) => deliveryFile(stratusRecords(t), `${t}.json.gz`)))
  await loadCase(store, 'INC-STRATUS', {dbPath: path.join(dir, 'case.duckdb')})
  db = await openForQuery(path.join(dir, 'case.duckdb'))
})

afterAll(async () => {
  db?.close()
  await rm(dir, {recursive: true, force: true})
})

const techniqueOf = (key: unknown): string => String(key).split('/').at(-1)!.replace(/\.json\.gz$/, '')

async function found(id: string, params: Record<string, string> = {}): Promise<string[]> {
  const r = await runNamedQuery(db, findQuery(queries, id), params)
  return [...new Set(r.rows.map((row) => techniqueOf(row.evidence_key)))].sort()
}

/** What each query finds among the techniques; every technique not listed is a control that must stay silent. */
const GOLDEN: Record<string, string[]> = {
  'access-denied-burst': ['aws.credential-access.ec2-get-password-data', 'aws.discovery.ec2-download-user-data'],
  'cloudtrail-tampering': ['aws.defense-evasion.cloudtrail-delete', 'aws.defense-evasion.cloudtrail-event-selectors', 'aws.defense-evasion.cloudtrail-stop'],
  'console-login-without-mfa': ['aws.initial-access.console-login-without-mfa'],
  'ec2-user-data-access': ['aws.discovery.ec2-download-user-data', 'aws.execution.ec2-user-data'],
  'enumeration-burst': [
    'aws.credential-access.ec2-get-password-data', 'aws.credential-access.ec2-steal-instance-credentials', 'aws.credential-access.secretsmanager-retrieve-secrets',
    'aws.execution.ec2-user-data', 'aws.execution.ssm-send-command', 'aws.execution.ssm-start-session',
  ],
  'iam-access-key-created': ['aws.persistence.iam-backdoor-user', 'aws.persistence.iam-create-admin-user'],
  'iam-admin-policy-attached': ['aws.persistence.iam-create-admin-user', 'aws.persistence.iam-create-backdoor-role'],
  'iam-login-profile-changed': ['aws.persistence.iam-create-user-login-profile', 'aws.privilege-escalation.iam-update-user-login-profile'],
  'iam-role-trust-changed': ['aws.persistence.iam-backdoor-role'],
  'iam-user-created': ['aws.persistence.iam-create-admin-user'],
  'lambda-code-overwritten': ['aws.persistence.lambda-overwrite-code'],
  'lambda-configuration-changes': ['aws.persistence.lambda-layer-extension', 'aws.persistence.lambda-overwrite-code'],
  'lambda-layer-added': ['aws.persistence.lambda-layer-extension'],
  'lambda-resource-policy-opened': ['aws.persistence.lambda-backdoor-function'],
  'lambda-role-credentials-outside-lambda': ['aws.credential-access.ec2-steal-instance-credentials'],
  'secrets-retrieved': ['aws.credential-access.secretsmanager-batch-retrieve-secrets', 'aws.credential-access.secretsmanager-retrieve-secrets'],
  'security-group-opened': ['aws.exfiltration.ec2-security-group-open-port-22-ingress'],
  'snapshot-or-image-shared': ['aws.exfiltration.ec2-share-ami', 'aws.exfiltration.ec2-share-ebs-snapshot', 'aws.exfiltration.rds-share-snapshot'],
  'ssm-parameters-decrypted': ['aws.credential-access.ssm-retrieve-securestring-parameters'],
  'sts-caller-identity-recon': ['aws.credential-access.ec2-steal-instance-credentials', 'aws.persistence.iam-create-user-login-profile', 'aws.persistence.sts-federation-token'],
}

describe('named queries over the Stratus Red Team detonation logs', () => {
  for (const q of queries) {
    it(`${q.id} finds exactly the techniques meant for it`, async () => {
      expect(await found(q.id)).toEqual(GOLDEN[q.id] ?? [])
    })
  }

  it('cites the evidence object and its SHA-256 in every row of every query', async () => {
    const hashes = new Map((await db.all('SELECT key, sha256 FROM artifacts')).rows.map((r) => [r.key as string, r.sha256 as string]))
    for (const q of queries) {
      const r = await runNamedQuery(db, q)
      for (const row of r.rows) expect(hashes.get(row.evidence_key as string), q.id).toBe(row.evidence_sha256)
    }
  })

  it('returns the typed columns a responder needs for the Lambda backdoor', async () => {
    const r = await runNamedQuery(db, findQuery(queries, 'lambda-resource-policy-opened'))
    expect(r.rows).toEqual([
      expect.objectContaining({
        time: '2024-08-01T13:47:16.000Z',
        actor: 'arn:aws:iam::880896431042:user/christophe',
        source_ip: '151.236.251.251',
        action: 'AddPermission',
        function: 'stratus-red-team-backdoor-f-func',
        granted_to: '*',
        event_id: 'b67a9bba-d9da-4980-bf74-baed881b117d',
      }),
    ])
  })

  it('applies --since/--until and threshold parameters', async () => {
    expect(await found('cloudtrail-tampering', {since: '2024-08-01T00:00:00Z'})).toEqual([])
    expect(await found('cloudtrail-tampering', {until: '2024-07-31T13:06:25Z'})).toContain('aws.defense-evasion.cloudtrail-stop')
    expect(await found('access-denied-burst', {threshold: '20'})).toEqual(['aws.credential-access.ec2-get-password-data'])
  })

  it('binds an attacker string with quotes and semicolons instead of splicing it', async () => {
    const evil = `x'); DROP TABLE cloudtrail_records; SELECT ('`
    const named = await runNamedQuery(db, findQuery(queries, 'lambda-code-overwritten'), {function: evil})
    expect(named.rows).toEqual([])
    const adhoc = await runSql(db, 'SELECT $v AS v, length($v) AS n', {v: evil})
    expect(adhoc.rows).toEqual([{v: evil, n: evil.length}])
    expect((await runSql(db, 'SELECT count(*) AS n FROM cloudtrail_records')).rows[0]!.n).toBeGreaterThan(300)
    const match = await runNamedQuery(db, findQuery(queries, 'lambda-code-overwritten'), {function: "olc-func-vayhjqkdav"})
    expect(match.rows).toHaveLength(1)
  })

  it('opens the case database read-only and without file access', async () => {
    await expect(runSql(db, 'DELETE FROM cloudtrail_records')).rejects.toThrow(/queries only/i)
    await expect(db.run('DELETE FROM cloudtrail_records')).rejects.toThrow(/read-only|read only/i)
    await expect(runSql(db, "SELECT * FROM read_text('/etc/hostname')")).rejects.toThrow(/disabled|external access|Permission/i)
    await expect(runSql(db, 'SET enable_external_access = true')).rejects.toThrow(/queries only/i)
    await expect(db.run('SET enable_external_access = true')).rejects.toThrow(/locked|lock/i)
  })

  it('runs one reading statement from --sql and nothing that changes the session', async () => {
    for (const sql of ['SELECT 1 AS a; SELECT 2 AS b', "SELECT 1; COPY (SELECT 1) TO 'x.csv'", 'PRAGMA enable_profiling', 'CREATE TEMP TABLE t AS SELECT 1 AS a', 'SET VARIABLE v = 1']) {
      await expect(runSql(db, sql), sql).rejects.toMatchObject({code: expect.stringMatching(/^sql-(statements|not-a-query)$/)})
    }
    await expect(runSql(db, 'SELEC 1')).rejects.toMatchObject({code: 'sql-error'})
    expect((await runSql(db, 'SELECT 1 AS a;')).rows).toEqual([{a: 1}])
    expect((await runSql(db, "SELECT ';' AS a")).rows).toEqual([{a: ';'}])
    expect((await runSql(db, 'DESCRIBE custody')).rows.length).toBeGreaterThan(0)
    expect((await runSql(db, "PRAGMA table_info('custody')")).rows.length).toBeGreaterThan(0)
    expect((await runSql(db, 'EXPLAIN SELECT 1')).rows.length).toBeGreaterThan(0)
  })
})

describe('named queries over the record shapes CloudTrail writes', () => {
  let shapesDir: string
  let shapesDb: AnalysisDb
  const at = (s: number): string => `2026-11-21T10:00:${String(s).padStart(2, '0')}Z`
  const assumed = {type: 'AssumedRole', principalId: 'AROAEXAMPLE:s', arn: 'arn:aws:sts::111122223333:assumed-role/ops/s', accountId: '111122223333'}
  const service = {type: 'AWSService', invokedBy: 'config.amazonaws.com'}
  const denied = (n: number, identity: unknown, errorCode: string) => ({
    eventVersion: '1.09', eventID: `d-${n}`, eventTime: at(n), eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', awsRegion: 'us-east-1',
    sourceIPAddress: n >= 10 ? 'config.amazonaws.com' : n % 2 === 0 ? '203.0.113.9' : '192.0.2.44', userAgent: 'aws-cli/2', readOnly: 'true', errorCode, errorMessage: 'no', requestParameters: null,
    responseElements: null, recipientAccountId: '111122223333', userIdentity: identity,
  })
  beforeAll(async () => {
    shapesDir = await mkdtemp(path.join(os.tmpdir(), 'coroner-shapes-'))
    const records = [
      ...['AccessDenied', 'AccessDeniedException', 'Client.UnauthorizedOperation', 'UnauthorizedOperation', 'Client.UnauthorizedAccess', 'UnauthorizedAccessException'].map((code, i) => denied(i, assumed, code)),
      ...[10, 11, 12].map((n) => denied(n, service, 'AccessDenied')),
      {eventVersion: '1.09', eventID: 'code-1', eventTime: at(30), eventSource: 'lambda.amazonaws.com', eventName: 'UpdateFunctionCode20150331v2', awsRegion: 'us-east-1',
        sourceIPAddress: '198.51.100.7', userAgent: 'aws-cli/2', readOnly: false, recipientAccountId: '111122223333', userIdentity: assumed,
        requestParameters: {functionName: 'payments_api', publish: true}, responseElements: {functionName: 'payments_api', codeSha256: 'abc='}},
    ]
    const {store} = await writeCase(path.join(shapesDir, 'store'), 'INC-SHAPES', [recordsFile(records)])
    await loadCase(store, 'INC-SHAPES', {dbPath: path.join(shapesDir, 'case.duckdb')})
    shapesDb = await openForQuery(path.join(shapesDir, 'case.duckdb'))
  })
  afterAll(async () => {
    shapesDb?.close()
    await rm(shapesDir, {recursive: true, force: true})
  })
  const rows = async (id: string, params: Record<string, string> = {}) => (await runNamedQuery(shapesDb, findQuery(queries, id), params)).rows

  it('counts every spelling of an authorisation error, and names an AWS service as the actor', async () => {
    expect((await rows('access-denied-burst', {threshold: '3'})).map((r) => [r.actor, r.errors])).toEqual([
      ['arn:aws:sts::111122223333:assumed-role/ops/s', 6],
      ['config.amazonaws.com', 3],
    ])
  })

  it('lists each address and action of a burst once, in order', async () => {
    for (const id of ['access-denied-burst', 'enumeration-burst']) {
      const [row] = await rows(id, {threshold: '6'})
      expect(row, id).toMatchObject({actor: 'arn:aws:sts::111122223333:assumed-role/ops/s', source_ips: '192.0.2.44, 203.0.113.9', distinct_actions: 1})
    }
    const [denied] = await rows('access-denied-burst', {threshold: '6'})
    expect(denied).toMatchObject({actions: 'ec2.amazonaws.com:DescribeInstances', evidence_objects: 1})
  })

  it('keeps a burst only when its calls reach min_services services', async () => {
    const actor = 'arn:aws:sts::111122223333:assumed-role/ops/s'
    const [burst] = (await rows('enumeration-burst', {threshold: '6'})).filter((r) => r.actor === actor)
    const services = Number(burst!.services)
    expect(services).toBeGreaterThan(0)
    const kept = async (min: number): Promise<number> => (await rows('enumeration-burst', {threshold: '6', min_services: String(min)})).filter((r) => r.actor === actor).length
    expect(await kept(services)).toBe(1)
    expect(await kept(services + 1)).toBe(0)
  })

  it("starts each window where DuckDB's time_bucket does, for any width, and refuses a width of nothing", async () => {
    // Neither 7 minutes nor 5 days divides the time from 1970 to 2000-01-03: windows counted from the epoch would start elsewhere.
    for (const minutes of ['1', '7', '7200']) {
      for (const id of ['access-denied-burst', 'enumeration-burst']) {
        const found = await rows(id, {threshold: '1', window_minutes: minutes})
        expect(found.length, `${id} ${minutes}`).toBeGreaterThan(0)
        for (const row of found) {
          const [bucket] = (await runSql(shapesDb, 'SELECT time_bucket(to_minutes(CAST($w AS INTEGER)), CAST($t AS TIMESTAMPTZ)) AS window_start', {w: minutes, t: String(row.first_seen)})).rows
          expect(row.window_start, `${id} ${minutes}`).toEqual(bucket!.window_start)
        }
      }
    }
    for (const id of ['access-denied-burst', 'enumeration-burst']) await expect(rows(id, {window_minutes: '0'}), id).rejects.toThrow(/window_minutes must be at least 1/)
  })

  it('matches --param function as plain text, not as a LIKE pattern', async () => {
    expect((await rows('lambda-code-overwritten', {function: 'payments_api'})).map((r) => r.event_id)).toEqual(['code-1'])
    expect(await rows('lambda-code-overwritten', {function: 'payments%'})).toEqual([])
    expect(await rows('lambda-configuration-changes', {function: 'pay%api'})).toEqual([])
    expect((await rows('lambda-configuration-changes', {function: 'payments'})).map((r) => r.event_id)).toEqual(['code-1'])
  })
})

/** CloudTrail records of a Lambda compromise, in the shape CloudTrail writes them. */
function lambdaIncidentRecords(): Array<Record<string, unknown>> {
  const user = {type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::111122223333:user/mallory', accountId: '111122223333', accessKeyId: 'AKIAEXAMPLE', userName: 'mallory'}
  const role = (ip: string, agent: string, id: string, name: string, source = 'secretsmanager.amazonaws.com') => ({
    eventVersion: '1.09', eventID: id, eventTime: '2026-11-20T09:30:00Z', eventSource: source, eventName: name, awsRegion: 'us-east-1',
    sourceIPAddress: ip, userAgent: agent, readOnly: true, eventType: 'AwsApiCall', recipientAccountId: '111122223333',
    userIdentity: {type: 'AssumedRole', principalId: 'AROAEXAMPLE:payments', arn: 'arn:aws:sts::111122223333:assumed-role/payments-exec/payments', accountId: '111122223333', accessKeyId: 'ASIAEXAMPLE',
      sessionContext: {sessionIssuer: {type: 'Role', principalId: 'AROAEXAMPLE', arn: ROLE_ARN, accountId: '111122223333', userName: 'payments-exec'}}},
  })
  const call = (id: string, name: string, requestParameters: unknown, responseElements: unknown = null) => ({
    eventVersion: '1.09', eventID: id, eventTime: `2026-11-20T09:0${id.slice(-1)}:00Z`, eventSource: 'lambda.amazonaws.com', eventName: name, awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7', userAgent: 'aws-cli/2.15.0', readOnly: false, eventType: 'AwsApiCall', recipientAccountId: '111122223333', userIdentity: user,
    requestParameters, responseElements,
  })
  return [
    call('lam-1', 'CreateFunction20150331', {functionName: 'exfil', role: ROLE_ARN, runtime: 'python3.12', environment: {variables: {TOKEN: 'HIDDEN_DUE_TO_SECURITY_REASONS'}}}, {functionName: 'exfil', role: ROLE_ARN}),
    call('lam-2', 'CreateFunctionUrlConfig20211031', {functionName: 'exfil', authType: 'NONE'}, {functionUrl: 'https://x.lambda-url.us-east-1.on.aws/', authType: 'NONE'}),
    call('lam-3', 'CreateEventSourceMapping20150331', {functionName: 'exfil', eventSourceArn: 'arn:aws:sqs:us-east-1:111122223333:orders'}, {uUID: 'm-1'}),
    call('lam-4', 'AddPermission20150331v2', {functionName: 'payments', principal: 's3.amazonaws.com', action: 'lambda:InvokeFunction', statementId: 's3', sourceArn: 'arn:aws:s3:::bucket'}),
    call('lam-5', 'UpdateFunctionUrlConfig20211031', {functionName: 'payments', authType: 'AWS_IAM'}),
    role('203.0.113.9', 'aws-cli/2.15.0 Python/3.11', 'ext-1', 'GetSecretValue'),
    role('3.80.1.2', 'aws-sdk-nodejs/3.600.0 exec-env/AWS_Lambda_nodejs20.x', 'int-1', 'GetSecretValue'),
    role('lambda.amazonaws.com', 'lambda.amazonaws.com', 'int-2', 'CreateLogStream', 'logs.amazonaws.com'),
    {...call('sec-1', 'UpdateDetector', {detectorId: 'd-1', enable: false}), eventSource: 'guardduty.amazonaws.com'},
    {...call('sec-2', 'UpdateDetector', {detectorId: 'd-1', enable: true}), eventSource: 'guardduty.amazonaws.com'},
    {...call('sec-3', 'StopConfigurationRecorder', {configurationRecorderName: 'default'}), eventSource: 'config.amazonaws.com'},
    {...call('s3-1', 'PutBucketPolicy', {bucketName: 'exports', bucketPolicy: {Statement: [{Effect: 'Allow', Principal: '*', Action: 's3:GetObject'}]}}), eventSource: 's3.amazonaws.com'},
    {...call('s3-2', 'PutBucketPolicy', {bucketName: 'logs', bucketPolicy: {Statement: [{Effect: 'Allow', Principal: {Service: 'logging.s3.amazonaws.com'}, Action: 's3:PutObject'}]}}), eventSource: 's3.amazonaws.com'},
    {...call('s3-3', 'PutBucketPublicAccessBlock', {bucketName: 'exports', PublicAccessBlockConfiguration: {BlockPublicPolicy: false, RestrictPublicBuckets: false}}), eventSource: 's3.amazonaws.com'},
  ]
}

/** Function logs with a quiet baseline and one flooded hour. */
function invocationLogs(): ArtifactSpec {
  const lines: unknown[] = []
  const base = Date.parse('2026-11-20T00:00:00Z')
  for (let hour = 0; hour < 6; hour++) {
    const n = hour === 4 ? 40 : 2
    for (let i = 0; i < n; i++) {
      lines.push({logGroupName: '/aws/lambda/payments', logStreamName: 's', timestamp: base + hour * 3_600_000 + i * 1000, ingestionTime: base + hour * 3_600_000 + i * 1000 + 10, message: `REPORT RequestId: 00000000-0000-0000-0000-${String(hour * 100 + i).padStart(12, '0')}\tDuration: 5.00 ms\tBilled Duration: 6 ms\n`, eventId: `r${hour}-${i}`})
    }
  }
  return {segments: ['logs', 'us-east-1', 'payments', 'reports.ndjson.gz'], kind: 'logs.events', body: gz(lines.map((l) => JSON.stringify(l)).join('\n')), contentType: 'application/x-ndjson+gzip'}
}

describe('named queries over Lambda evidence', () => {
  let lambdaDir: string
  let lambdaDb: AnalysisDb
  beforeAll(async () => {
    lambdaDir = await mkdtemp(path.join(os.tmpdir(), 'coroner-lambda-'))
    const finding = {segments: ['files', 'guardduty-finding.json'], kind: 'file.added', body: readFileSync(path.join(FIXTURES, '..', '..', 'samples', 'guardduty-finding.json')), contentType: 'application/json'}
    const screenshot = {segments: ['files', 'screenshot.png'], kind: 'file.added', body: Buffer.from([0x89, 0x50, 0x4e, 0x47]), contentType: 'image/png'}
    const {store} = await writeCase(path.join(lambdaDir, 'store'), 'INC-LAMBDA', [...lambdaSpecs(), recordsFile(lambdaIncidentRecords()), invocationLogs(), finding, screenshot])
    await loadCase(store, 'INC-LAMBDA', {dbPath: path.join(lambdaDir, 'case.duckdb')})
    lambdaDb = await openForQuery(path.join(lambdaDir, 'case.duckdb'))
  })
  afterAll(async () => {
    lambdaDb?.close()
    await rm(lambdaDir, {recursive: true, force: true})
  })
  const rows = async (id: string, params: Record<string, string> = {}) => (await runNamedQuery(lambdaDb, findQuery(queries, id), params)).rows

  it('finds function policy statements open to anyone or another account, not those with a source condition', async () => {
    expect((await rows('lambda-policy-open-statements')).map((r) => r.sid)).toEqual(['open', 'other', 'url'])
  })

  it('finds public function URLs in the trail and in the collected configuration', async () => {
    expect((await rows('lambda-url-auth-none')).map((r) => [r.function, r.event_id])).toEqual([['exfil', 'lam-2']])
    expect((await rows('lambda-url-configs-public')).map((r) => r.function_url)).toEqual(['https://abc.lambda-url.us-east-1.on.aws/'])
  })

  it('finds the role passed to a new function and marks it as an administrator role', async () => {
    expect(await rows('lambda-pass-role')).toEqual([expect.objectContaining({function: 'exfil', role: ROLE_ARN, role_is_admin: true, event_id: 'lam-1'})])
    expect((await rows('lambda-role-broad-permissions')).map((r) => [r.function, r.policy])).toEqual([['payments', 'arn:aws:iam::aws:policy/AdministratorAccess']])
  })

  it('finds new event source mappings and environment changes (names only)', async () => {
    expect((await rows('lambda-event-source-mapping-changes')).map((r) => r.event_source_arn)).toEqual(['arn:aws:sqs:us-east-1:111122223333:orders'])
    expect((await rows('lambda-environment-changed')).map((r) => r.variable_names)).toEqual(['["TOKEN"]'])
  })

  it('finds the execution role used from outside Lambda, not from the function itself', async () => {
    expect((await rows('lambda-role-credentials-outside-lambda')).map((r) => [r.event_id, r.source_ip])).toEqual([['ext-1', '203.0.113.9']])
  })

  it('finds detectors and recorders turned off and buckets opened to the public, not their harmless twins', async () => {
    expect((await rows('guardduty-config-disabled')).map((r) => r.event_id)).toEqual(['sec-1', 'sec-3'])
    expect((await rows('s3-bucket-made-public')).map((r) => r.event_id)).toEqual(['s3-1', 's3-3'])
  })

  it('does not flag a resource policy grant with a source ARN', async () => {
    expect(await rows('lambda-resource-policy-opened')).toEqual([])
  })

  it('finds errors, timeouts and the flooded hour in function logs', async () => {
    expect((await rows('function-log-errors')).map((r) => r.kind)).toEqual(['error', 'timeout'])
    expect((await rows('function-log-errors', {function: 'other'}))).toEqual([])
    expect((await rows('invocation-volume-anomaly')).map((r) => [r.hour, r.invocations])).toEqual([['2026-11-20T04:00:00.000Z', 40]])
  })

  it('lists the functions and the GuardDuty finding preserved with the case', async () => {
    const inventory = await rows('lambda-function-inventory')
    expect(inventory).toEqual([expect.objectContaining({function: 'payments', environment_variable_names: '["DB_PASSWORD","STAGE"]'})])
    expect(JSON.stringify(inventory)).not.toContain('hunter2')
    expect((await rows('guardduty-findings')).map((r) => [r.type, r.score])).toEqual([['UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', 8]])
  })
})

describe('the evidence a windowed query cites', () => {
  let tieDir: string
  let tieDb: AnalysisDb
  let shaOf: Map<string, string>
  // Twelve delivery files whose first events fall in the same second: whichever the scan meets first must not decide.
  const names = Array.from({length: 12}, (_, i) => `${String.fromCharCode(108 - i)}-trail.json.gz`)
  const event = (file: number, n: number, eventName: string, errorCode?: string) => ({
    eventVersion: '1.09', eventID: `t-${file}-${n}`, eventTime: `2026-11-21T10:00:0${n}Z`, eventSource: 'ec2.amazonaws.com', eventName, awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.9', userAgent: 'aws-cli/2', readOnly: true, recipientAccountId: '111122223333',
    userIdentity: {type: 'AssumedRole', principalId: 'AROAEXAMPLE:s', arn: 'arn:aws:sts::111122223333:assumed-role/ops/s', accountId: '111122223333'},
    ...(errorCode === undefined ? {} : {errorCode, errorMessage: 'no'}),
  })
  beforeAll(async () => {
    tieDir = await mkdtemp(path.join(os.tmpdir(), 'coroner-ties-'))
    const specs = names.map((name, file) => deliveryFile([0, 1, 2].map((n) => event(file, n, 'DescribeInstances', 'AccessDenied')), name))
    const {store, records} = await writeCase(path.join(tieDir, 'store'), 'INC-TIES', specs)
    shaOf = new Map(records.map((r) => [r.key, r.sha256]))
    await loadCase(store, 'INC-TIES', {dbPath: path.join(tieDir, 'case.duckdb')})
    tieDb = await openForQuery(path.join(tieDir, 'case.duckdb'))
  })
  afterAll(async () => {
    tieDb?.close()
    await rm(tieDir, {recursive: true, force: true})
  })

  for (const id of ['access-denied-burst', 'enumeration-burst']) {
    it(`${id} cites the first evidence object of the window, by time then key, with that object's own hash`, async () => {
      const [row] = (await runNamedQuery(tieDb, findQuery(queries, id), {threshold: '3'})).rows
      const first = [...shaOf.keys()].filter((k) => k.endsWith('-trail.json.gz')).sort()[0]!
      expect(row!.evidence_key).toBe(first)
      expect(row!.evidence_sha256).toBe(shaOf.get(first))
    })
  }
})
