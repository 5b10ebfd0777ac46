import {readdir, readFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import type {DuckDBConnection} from '@duckdb/node-api'
import {beforeAll, describe, expect, it} from 'vitest'
import {compileRule} from '../../../../src/analysis/sigma/compile.js'
import {huntCase, type HuntResult} from '../../../../src/analysis/sigma/hunt.js'
import {parseSigmaRule} from '../../../../src/analysis/sigma/parse.js'
import {BUILTIN_RULES_DIR, loadRules, type RuleSet} from '../../../../src/analysis/sigma/load.js'
import {memoryCase} from '../../../support/sigma-db.js'

const fixtures = path.resolve(fileURLToPath(import.meta.url), '../../../../fixtures')
const stratusDir = path.join(fixtures, 'stratus')
const sigmaDir = path.join(fixtures, 'sigma')

/** Lambda events Stratus does not detonate, written the way CloudTrail logs them. */
const craftedLambda = [
  {
    eventID: 'url-none',
    eventTime: '2024-08-02T09:00:00Z',
    eventSource: 'lambda.amazonaws.com',
    eventName: 'CreateFunctionUrlConfig',
    userIdentity: {type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/mallory'},
    sourceIPAddress: '203.0.113.50',
    requestParameters: {functionName: 'billing', authType: 'NONE'},
  },
  {
    eventID: 'url-iam',
    eventTime: '2024-08-02T09:01:00Z',
    eventSource: 'lambda.amazonaws.com',
    eventName: 'CreateFunctionUrlConfig',
    userIdentity: {type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/deploy/ci'},
    sourceIPAddress: '203.0.113.51',
    requestParameters: {functionName: 'billing', authType: 'AWS_IAM'},
  },
  {
    eventID: 'esm',
    eventTime: '2024-08-02T09:02:00Z',
    eventSource: 'lambda.amazonaws.com',
    eventName: 'CreateEventSourceMapping20150331',
    userIdentity: {type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/mallory'},
    sourceIPAddress: '203.0.113.50',
    requestParameters: {functionName: 'exfil', eventSourceArn: 'arn:aws:kinesis:us-east-1:111122223333:stream/orders'},
  },
  {
    eventID: 'env',
    eventTime: '2024-08-02T09:03:00Z',
    eventSource: 'lambda.amazonaws.com',
    eventName: 'UpdateFunctionConfiguration20150331v2',
    userIdentity: {type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/mallory'},
    sourceIPAddress: '203.0.113.50',
    requestParameters: {functionName: 'billing', environment: {variables: 'HIDDEN_DUE_TO_SECURITY_REASONS'}},
  },
  {
    eventID: 'throttle',
    eventTime: '2024-08-02T09:04:00Z',
    eventSource: 'lambda.amazonaws.com',
    eventName: 'PutFunctionConcurrency20171031',
    userIdentity: {type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/mallory'},
    sourceIPAddress: '203.0.113.50',
    requestParameters: {functionName: 'guard', reservedConcurrentExecutions: 0},
  },
  {
    eventID: 'concurrency-10',
    eventTime: '2024-08-02T09:05:00Z',
    eventSource: 'lambda.amazonaws.com',
    eventName: 'PutFunctionConcurrency20171031',
    userIdentity: {type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/deploy/ci'},
    sourceIPAddress: '203.0.113.51',
    requestParameters: {functionName: 'guard', reservedConcurrentExecutions: 10},
  },
  {
    eventID: 'layer-publish',
    eventTime: '2024-08-02T09:06:00Z',
    eventSource: 'lambda.amazonaws.com',
    eventName: 'PublishLayerVersion20181031',
    userIdentity: {type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/mallory'},
    sourceIPAddress: '203.0.113.50',
    requestParameters: {layerName: 'ext'},
  },
  {
    eventID: 'perm-denied',
    eventTime: '2024-08-02T09:07:00Z',
    eventSource: 'lambda.amazonaws.com',
    eventName: 'AddPermission20150331v2',
    errorCode: 'AccessDeniedException',
    userIdentity: {type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/mallory'},
    sourceIPAddress: '203.0.113.50',
    requestParameters: {functionName: 'billing', principal: '*', action: 'lambda:InvokeFunction', statementId: 'x'},
  },
  {
    eventID: 'perm-service',
    eventTime: '2024-08-02T09:08:00Z',
    eventSource: 'lambda.amazonaws.com',
    eventName: 'AddPermission20150331v2',
    userIdentity: {type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/deploy/ci'},
    sourceIPAddress: '203.0.113.51',
    requestParameters: {functionName: 'billing', principal: 's3.amazonaws.com', action: 'lambda:InvokeFunction', statementId: 'y'},
  },
].map((r) => ({...r, artifactKey: 'crafted/lambda.json'}))

let connection: DuckDBConnection
let rules: RuleSet
let result: HuntResult

/** For each rule file that fired: the sources (Stratus technique or crafted file) of its hits. */
function firedBy(r: HuntResult): Record<string, string[]> {
  const out: Record<string, Set<string>> = {}
  for (const h of r.hits) {
    const rule = path.basename(h.rule.path, '.yml')
    const source = path.basename(h.evidence_key ?? '', '.json')
    ;(out[rule] ??= new Set()).add(source)
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]))
}

beforeAll(async () => {
  const files = (await readdir(stratusDir)).filter((f) => f.startsWith('aws.') && f.endsWith('.json'))
  const records: Array<Record<string, unknown>> = []
  for (const f of files) {
    for (const r of JSON.parse(await readFile(path.join(stratusDir, f), 'utf8')) as Array<Record<string, unknown>>) records.push({...r, artifactKey: `stratus/${f}`})
  }
  records.push(...craftedLambda)
  connection = await memoryCase(records)
  rules = await loadRules([path.join(sigmaDir, 'rules'), path.join(BUILTIN_RULES_DIR, 'coroner')])
  result = await huntCase(connection, rules)
})

describe('SigmaHQ CloudTrail rules', () => {
  it('compiles every rule in rules/, and reports each of the others with the construct that stopped it', async () => {
    const all = await loadRules([sigmaDir])
    expect(all.files).toBe(67)
    expect(all.compiled.filter((c) => c.rule.path.includes('/rules/'))).toHaveLength(57)
    expect(all.issues.filter((i) => i.severity === 'error')).toEqual([])
    const unsupported = Object.fromEntries(all.unsupported.map((u) => [path.basename(u.path), `${u.code}: ${u.construct}`]))
    expect(unsupported).toEqual({
      'aws_cloudtrail_console_login_success_from_susp_locations.yml': "unsupported-placeholder: modifier 'expand'",
      'aws_ec2_download_userdata.yml': 'unsupported-aggregation: count() aggregation',
      'aws_enum_backup.yml': 'unsupported-aggregation: count() aggregation',
      'aws_enum_listing.yml': 'unsupported-aggregation: count() aggregation',
      'aws_enum_network.yml': 'unsupported-aggregation: count() aggregation',
      'aws_enum_storage.yml': 'unsupported-aggregation: count() aggregation',
      'aws_lambda_function_created_or_invoked.yml': 'unsupported-near: near',
      'aws_macic_evasion.yml': 'unsupported-aggregation: count() aggregation',
      'aws_ses_messaging_enabled.yml': 'unsupported-timeframe: timeframe',
      'azure_aad_secops_signin_failure_bad_password_threshold.yml': 'unsupported-logsource: logsource azure/signinlogs',
    })
    for (const u of all.unsupported) expect(u.message.length).toBeGreaterThan(10)
  })

  it('fire on the Stratus Red Team techniques they target, and only there', () => {
    const fired = firedBy(result)
    expect(fired).toMatchObject({
      aws_cloudtrail_disable_logging: ['aws.defense-evasion.cloudtrail-delete', 'aws.defense-evasion.cloudtrail-stop'],
      aws_cloudtrail_console_login_success_without_mfa: ['aws.initial-access.console-login-without-mfa'],
      aws_cloudtrail_vpc_flow_logs_deleted: ['aws.defense-evasion.vpc-remove-flow-logs'],
      aws_cloudtrail_security_group_change_ingress_egress: ['aws.exfiltration.ec2-security-group-open-port-22-ingress'],
      aws_cloudtrail_ssm_malicious_usage: ['aws.credential-access.ec2-steal-instance-credentials', 'aws.execution.ssm-send-command'],
      aws_snapshot_backup_exfiltration: ['aws.exfiltration.ec2-share-ebs-snapshot'],
      aws_update_login_profile: ['aws.privilege-escalation.iam-update-user-login-profile'],
      aws_new_lambda_layer_attached: ['aws.persistence.lambda-layer-extension'],
      aws_iam_backdoor_users_keys: ['aws.persistence.iam-backdoor-user', 'aws.persistence.iam-create-admin-user'],
    })
    // SigmaHQ's Lambda URL rule fires on every URL config, whatever its auth type.
    expect(fired.aws_lambda_function_url).toEqual(['lambda'])
  })

  it('name the rule, its level and its author with every hit, and the evidence object it came from', () => {
    const hit = result.hits.find((h) => h.rule.path.endsWith('aws_cloudtrail_disable_logging.yml') && h.eventName === 'StopLogging')
    expect(hit).toMatchObject({
      rule: {title: 'AWS CloudTrail Important Change', id: '4db60cc0-36fb-42b7-9b58-a5b53019fb74', level: 'medium', author: 'vitaliy0x1'},
      eventSource: 'cloudtrail.amazonaws.com',
      evidence_key: 'stratus/aws.defense-evasion.cloudtrail-stop.json',
    })
    expect(hit!.evidence_sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(hit!.event_time).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(hit!.principal).toMatch(/^arn:aws:/)
  })
})

describe('Suzaku Lambda rules', () => {
  it('all compile, and the per-API rules fire on the Stratus Lambda techniques; the failed-attempt ones only on the failed call', async () => {
    const suzaku = await loadRules([path.join(fixtures, 'suzaku')])
    expect([suzaku.files, suzaku.compiled.length, suzaku.unsupported.length]).toEqual([26, 26, 0])
    const hunted = await huntCase(connection, suzaku)
    expect(firedBy(hunted)).toEqual({
      aws_cloudtrail_add_permission20150331v2: ['aws.persistence.lambda-backdoor-function', 'lambda'],
      aws_cloudtrail_add_permission20150331v2_attempt: ['lambda'],
      aws_cloudtrail_update_function_code20150331v2: ['aws.persistence.lambda-overwrite-code'],
      aws_cloudtrail_update_function_configuration20150331v2: ['aws.persistence.lambda-layer-extension', 'lambda'],
      aws_cloudtrail_create_event_source_mapping20150331: ['lambda'],
      aws_cloudtrail_create_function_url_config: ['lambda'],
    })
    const attempt = hunted.hits.filter((h) => h.rule.path.endsWith('add_permission20150331v2_attempt.yml'))
    expect(attempt.map((h) => [h.event_id, h.rule.author])).toEqual([['perm-denied', 'Zach Mathis (@YamatoSecurity)']])
  })
})

describe("coroner's Lambda rules", () => {
  it('fire on the Lambda techniques and crafted attacks, and not on the controls', () => {
    const fired = firedBy(result)
    const ours = Object.fromEntries(Object.entries(fired).filter(([k]) => k.startsWith('lambda_')))
    expect(ours).toEqual({
      lambda_permission_public_principal: ['aws.persistence.lambda-backdoor-function'],
      lambda_layer_attached: ['aws.persistence.lambda-layer-extension'],
      lambda_code_updated_by_iam_user: ['aws.persistence.lambda-overwrite-code'],
      lambda_function_url_auth_none: ['lambda'],
      lambda_event_source_mapping_created: ['lambda'],
      lambda_environment_changed: ['lambda'],
      lambda_concurrency_zero: ['lambda'],
      lambda_layer_version_published: ['lambda'],
    })
    const crafted = (rule: string): string[] => result.hits.filter((h) => h.rule.path.endsWith(`${rule}.yml`)).map((h) => h.event_id!).sort()
    expect(crafted('lambda_function_url_auth_none')).toEqual(['url-none'])
    expect(crafted('lambda_concurrency_zero')).toEqual(['throttle'])
    // A failed AddPermission and one granting a service principal do not fire.
    expect(crafted('lambda_permission_public_principal')).toEqual(['b67a9bba-d9da-4980-bf74-baed881b117d'])
    for (const h of result.hits.filter((x) => path.basename(x.rule.path).startsWith('lambda_'))) expect(h.rule.author).toBe('coroner')
  })

  it('give the same hits whether the rules run in one scan or one query each', async () => {
    const perRule = await huntCase(connection, rules, {strategy: 'per-rule'})
    expect(perRule.hits).toEqual(result.hits)
    expect(perRule.rules).toEqual(result.rules)
    const capped = await huntCase(connection, rules, {maxHitsPerRule: 2})
    const assumed = capped.rules.find((r) => r.path.endsWith('aws_sts_assumerole_misuse.yml'))!
    expect(assumed.hits).toBeGreaterThan(2)
    expect(capped.hits.filter((h) => h.rule.path === assumed.path)).toHaveLength(2)
  })

  it("keep each principal's first hit before anyone's second when a rule has more than the limit, in either strategy", async () => {
    const path_ = result.rules.find((r) => r.path.endsWith('aws_sts_assumerole_misuse.yml'))!.path
    const all = result.hits.filter((h) => h.rule.path === path_)
    const earliest = new Map<string | null, string | null>()
    for (const h of all) if (!earliest.has(h.principal)) earliest.set(h.principal, h.event_time)
    expect(earliest.size).toBeGreaterThan(1)
    expect(all.length).toBeGreaterThan(earliest.size)
    const kept = async (strategy: 'one-scan' | 'per-rule') => (await huntCase(connection, rules, {maxHitsPerRule: earliest.size, strategy})).hits.filter((h) => h.rule.path === path_)
    const oneScan = await kept('one-scan')
    expect(oneScan.map((h) => [h.principal, h.event_time]).sort()).toEqual([...earliest].sort())
    expect(await kept('per-rule')).toEqual(oneScan)
  })

  it('report a rule DuckDB refuses and still run the others', async () => {
    const bad = parseSigmaRule('title: Bad regex\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel:\n    eventName|re: "(unclosed"\n  condition: sel\nlevel: high\n', 'bad.yml').rule!
    const outcome = await huntCase(connection, {compiled: [compileRule(bad), ...rules.compiled]})
    expect(outcome.rules[0]).toMatchObject({title: 'Bad regex', hits: 0, error: expect.stringMatching(/.+/)})
    expect(outcome.hits.length).toBe(result.hits.length)
  })

  it('keep to the level filter', async () => {
    const high = await huntCase(connection, rules, {minLevel: 'high'})
    expect(new Set(high.hits.map((h) => h.rule.level))).toEqual(new Set(['high']))
    expect(high.skipped).toBeGreaterThan(0)
  })
})
