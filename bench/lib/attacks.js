// The attack a generated account hides: an intruder with a stolen access key takes over a Lambda
// function and blinds the account's defences. Each event names what must detect it (`sigma:<rule
// file>`, `query:<named query>`), and the near misses beside them name what must stay silent, so
// a hunt that is fast because it skips work it must do fails the benchmark.
import {ACCOUNT} from './identities.js'

const mallory = {type: 'IAMUser', principalId: 'AIDAXMALLORY7EXAMPLE', arn: `arn:aws:iam::${ACCOUNT}:user/mallory-ci`, accountId: ACCOUNT, accessKeyId: 'AKIAXMALLORY7EXAMPLE', userName: 'mallory-ci'}
const deployRole = {
  type: 'AssumedRole',
  principalId: 'AROAXDEPLOYEXAMPLE01:ci',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ci-deploy/ci`,
  accountId: ACCOUNT,
  sessionContext: {sessionIssuer: {type: 'Role', principalId: 'AROAXDEPLOYEXAMPLE01', arn: `arn:aws:iam::${ACCOUNT}:role/ci-deploy`, accountId: ACCOUNT, userName: 'ci-deploy'}, attributes: {mfaAuthenticated: 'false'}},
}
const fn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:payments-api`
const cli = 'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.kali.2024 prompt/off'
const call = (eventSource, eventName, extra = {}) => ({eventVersion: '1.09', userIdentity: mallory, eventSource, eventName, sourceIPAddress: '198.51.100.23', userAgent: cli, eventType: 'AwsApiCall', managementEvent: true, eventCategory: 'Management', readOnly: false, ...extra})

/** `{name, record, detectedBy, silent}`: `silent` lists what must not fire on that record. */
export const ATTACK = [
  {
    name: 'console login without MFA',
    record: {...call('signin.amazonaws.com', 'ConsoleLogin'), eventType: 'AwsConsoleSignIn', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/124.0', requestParameters: null, responseElements: {ConsoleLogin: 'Success'}, additionalEventData: {LoginTo: 'https://console.aws.amazon.com/console/home', MobileVersion: 'No', MFAUsed: 'No'}},
    detectedBy: ['sigma:aws_cloudtrail_console_login_success_without_mfa', 'query:console-login-without-mfa'],
  },
  {
    name: 'console login with MFA (near miss)',
    record: {...call('signin.amazonaws.com', 'ConsoleLogin'), eventType: 'AwsConsoleSignIn', userIdentity: {...mallory, userName: 'alice', arn: `arn:aws:iam::${ACCOUNT}:user/alice`}, responseElements: {ConsoleLogin: 'Success'}, additionalEventData: {MFAUsed: 'Yes'}},
    detectedBy: [],
    silent: ['sigma:aws_cloudtrail_console_login_success_without_mfa', 'query:console-login-without-mfa'],
  },
  {
    name: 'access key for another user',
    record: call('iam.amazonaws.com', 'CreateAccessKey', {requestParameters: {userName: 'backup-sync'}, responseElements: {accessKey: {userName: 'backup-sync', accessKeyId: 'AKIAXBACKDOOREXAMPLE', status: 'Active', createDate: 'Nov 3, 2026 4:12:02 PM'}}}),
    detectedBy: ['sigma:aws_iam_backdoor_users_keys', 'query:iam-access-key-created'],
  },
  {
    name: 'Lambda code replaced by an IAM user',
    record: call('lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', {requestParameters: {functionName: fn, publish: true, dryRun: false}, responseElements: {functionName: 'payments-api', functionArn: fn, codeSha256: 'HmAcHdAGNdWWrPgkn1sxN5S5UdWBq4g4rKzq2mTNLkM=', codeSize: 1289, version: '7', lastModified: '2026-11-03T16:14:20.000+0000'}}),
    detectedBy: ['sigma:lambda_code_updated_by_iam_user', 'query:lambda-code-overwritten'],
  },
  {
    name: 'Lambda code replaced by the deploy role (near miss)',
    record: {...call('lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', {requestParameters: {functionName: 'orders-worker', publish: true}, responseElements: {functionName: 'orders-worker', codeSha256: 'q3bD1sSYTn2C4EUwPdcWpzEmmvkhQXKuv0QULJ37Ogw='}}), userIdentity: deployRole},
    detectedBy: ['query:lambda-code-overwritten'],
    silent: ['sigma:lambda_code_updated_by_iam_user'],
  },
  {
    name: 'Lambda invocable by anyone',
    record: call('lambda.amazonaws.com', 'AddPermission20150331v2', {requestParameters: {functionName: 'payments-api', statementId: 'public-invoke', action: 'lambda:InvokeFunction', principal: '*'}, responseElements: {statement: '{"Sid":"public-invoke","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"' + fn + '"}'}}),
    detectedBy: ['sigma:lambda_permission_public_principal', 'query:lambda-resource-policy-opened'],
  },
  {
    name: 'Lambda permission for a service (near miss)',
    record: {...call('lambda.amazonaws.com', 'AddPermission20150331v2', {requestParameters: {functionName: 'orders-worker', statementId: 's3-invoke', action: 'lambda:InvokeFunction', principal: 's3.amazonaws.com', sourceArn: 'arn:aws:s3:::orders-inbox'}}), userIdentity: deployRole},
    detectedBy: [],
    silent: ['sigma:lambda_permission_public_principal'],
  },
  {
    name: 'Lambda URL without authentication',
    record: call('lambda.amazonaws.com', 'CreateFunctionUrlConfig', {requestParameters: {functionName: 'payments-api', authType: 'NONE', cors: {allowOrigins: ['*']}}, responseElements: {functionUrl: 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws/', authType: 'NONE', functionArn: fn}}),
    detectedBy: ['sigma:lambda_function_url_auth_none', 'sigma:aws_lambda_function_url', 'query:lambda-url-auth-none'],
  },
  {
    name: 'Lambda layer attached',
    record: call('lambda.amazonaws.com', 'UpdateFunctionConfiguration20150331v2', {requestParameters: {functionName: 'payments-api', layers: [`arn:aws:lambda:us-east-1:999988887777:layer:otel-ext:3`]}, responseElements: {functionName: 'payments-api', layers: [{arn: 'arn:aws:lambda:us-east-1:999988887777:layer:otel-ext:3', codeSize: 40960}]}}),
    detectedBy: ['sigma:lambda_layer_attached', 'sigma:aws_new_lambda_layer_attached', 'query:lambda-layer-added'],
  },
  {
    name: 'Lambda concurrency set to zero',
    record: call('lambda.amazonaws.com', 'PutFunctionConcurrency20171031', {requestParameters: {functionName: 'fraud-guard', reservedConcurrentExecutions: 0}, responseElements: {reservedConcurrentExecutions: 0}}),
    detectedBy: ['sigma:lambda_concurrency_zero'],
  },
  {
    name: 'CloudTrail logging stopped',
    record: call('cloudtrail.amazonaws.com', 'StopLogging', {requestParameters: {name: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail`}, responseElements: null}),
    // The rule also fires on these: the background never holds them either.
    quiet: ['UpdateTrail', 'DeleteTrail'],
    detectedBy: ['sigma:aws_cloudtrail_disable_logging', 'query:cloudtrail-tampering'],
  },
  {
    name: 'VPC flow logs deleted',
    record: call('ec2.amazonaws.com', 'DeleteFlowLogs', {requestParameters: {DeleteFlowLogsRequest: {FlowLogId: {content: 'fl-0a1b2c3d4e5f60718', tag: 1}}}, responseElements: {DeleteFlowLogsResponse: {xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/', requestId: 'b2f4a7c1-5a6e-4c11-9d2f-8c0e4f1d2a3b', unsuccessful: ''}}}),
    detectedBy: ['sigma:aws_cloudtrail_vpc_flow_logs_deleted'],
  },
  {
    name: 'GuardDuty detector deleted',
    record: call('guardduty.amazonaws.com', 'DeleteDetector', {requestParameters: {detectorId: '12abc34d567e8fa901bc2d34e56789f0'}, responseElements: null}),
    quiet: ['UpdateDetector'],
    detectedBy: ['sigma:aws_cloudtrail_guardduty_detector_deleted_or_updated', 'query:guardduty-config-disabled'],
  },
  {
    name: 'bucket versioning suspended',
    record: call('s3.amazonaws.com', 'PutBucketVersioning', {requestParameters: {bucketName: 'payments-audit-logs', Host: 'payments-audit-logs.s3.amazonaws.com', versioning: '', VersioningConfiguration: {Status: 'Suspended', xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/'}}, responseElements: null}),
    detectedBy: ['sigma:aws_disable_bucket_versioning'],
  },
  {
    name: 'EBS snapshot shared with another account',
    record: call('ec2.amazonaws.com', 'ModifySnapshotAttribute', {requestParameters: {snapshotId: 'snap-0123456789abcdef0', createVolumePermission: {add: {items: [{userId: '999988887777'}]}}, attributeType: 'CREATE_VOLUME_PERMISSION'}, responseElements: {_return: true}}),
    detectedBy: ['sigma:aws_snapshot_backup_exfiltration', 'query:snapshot-or-image-shared'],
  },
  {
    name: 'secret scanner checks the stolen key',
    record: call('sts.amazonaws.com', 'GetCallerIdentity', {userAgent: 'TruffleHog', readOnly: true, requestParameters: null, responseElements: null}),
    // Every account calls GetCallerIdentity: the background keeps it, and the user agent tells the scanner apart.
    background: true,
    detectedBy: ['sigma:aws_sts_getcalleridentity_trufflehog', 'sigma:aws_cloudtrail_pua_trufflehog', 'query:sts-caller-identity-recon'],
  },
  {
    name: 'root user creates an access key',
    record: call('iam.amazonaws.com', 'CreateAccessKey', {userIdentity: {type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT}, requestParameters: null, responseElements: {accessKey: {accessKeyId: 'AKIAXROOTKEYEXAMPLE1', status: 'Active'}}}),
    detectedBy: ['sigma:aws_root_account_usage', 'query:iam-access-key-created'],
  },
]

/**
 * Event names the background never holds, so that what detects the attack fires on the attack
 * alone (and every attack event is among the hits a hunt lists); `MARKERS` likewise keeps out
 * background records that carry what only the attack should.
 */
export const ATTACK_EVENT_NAMES = new Set(
  ATTACK.filter((a) => !a.background)
    .flatMap((a) => [a.record.eventName, ...(a.quiet ?? [])])
    .map((n) => n.replace(/20\d{6}(v\d+)?$/, '').toLowerCase()),
)
/** Text (compared without case) that marks a background record as one only the attack may hold. */
export const MARKERS = ['trufflehog']
