/** How much a failed check matters to an investigation; `high` and `critical` failures make the audit exit 3. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const
export type Severity = (typeof SEVERITIES)[number]

/** pass and fail are answers; unknown means the check could not be answered, and `reason` says why. */
export type CheckStatus = 'pass' | 'fail' | 'unknown'

export type CheckService = 'cloudtrail' | 'logs' | 'guardduty' | 'config' | 'evidence' | 'lambda'

/** How a check relates to Prowler's: the same check under its id, a related one, or none. */
export interface ProwlerMapping {
  relation: 'same' | 'related' | 'none'
  /** Prowler check ids for a related check (a same check is its own id). */
  related?: readonly string[]
}

export interface CheckDefinition {
  id: string
  service: CheckService
  severity: Severity
  title: string
  prowler: ProwlerMapping
  /** Per resource (a trail, a function, a region) or once for the account. */
  scope: 'account' | 'region' | 'trail' | 'function' | 'evidence-bucket'
}

const same: ProwlerMapping = {relation: 'same'}
const related = (...ids: string[]): ProwlerMapping => ({relation: 'related', related: ids})
const none: ProwlerMapping = {relation: 'none'}

/**
 * Every readiness check. An id is stable: Prowler's check id where Prowler has the same check (so
 * results can be mapped onto a Prowler report), `coroner-…` otherwise. docs/readiness.md describes each.
 */
export const CHECKS = [
  {id: 'cloudtrail_multi_region_enabled', service: 'cloudtrail', severity: 'critical', scope: 'account', prowler: same, title: 'A multi-region trail is logging'},
  {id: 'cloudtrail_multi_region_enabled_logging_management_events', service: 'cloudtrail', severity: 'high', scope: 'account', prowler: same, title: 'A logging multi-region trail records management events, read and write'},
  {id: 'cloudtrail_log_file_validation_enabled', service: 'cloudtrail', severity: 'medium', scope: 'trail', prowler: same, title: 'Log file validation (signed digests) is on'},
  {id: 'cloudtrail_s3_dataevents_read_enabled', service: 'cloudtrail', severity: 'medium', scope: 'account', prowler: same, title: 'S3 object-level read events of every bucket are recorded'},
  {id: 'cloudtrail_s3_dataevents_write_enabled', service: 'cloudtrail', severity: 'medium', scope: 'account', prowler: same, title: 'S3 object-level write events of every bucket are recorded'},
  {id: 'awslambda_function_invoke_api_operations_cloudtrail_logging_enabled', service: 'cloudtrail', severity: 'medium', scope: 'function', prowler: same, title: 'Lambda Invoke data events of the function are recorded'},
  {id: 'coroner-cloudtrail-bucket-immutable', service: 'cloudtrail', severity: 'high', scope: 'trail', prowler: related('s3_bucket_object_lock', 's3_bucket_object_versioning', 'cloudtrail_bucket_requires_mfa_delete'), title: 'The trail bucket has Object Lock, or at least versioning'},
  {id: 'cloudtrail_logs_s3_bucket_is_not_publicly_accessible', service: 'cloudtrail', severity: 'critical', scope: 'trail', prowler: same, title: 'The trail bucket is not public'},
  {id: 'cloudtrail_logs_s3_bucket_access_logging_enabled', service: 'cloudtrail', severity: 'low', scope: 'trail', prowler: same, title: 'The trail bucket has server access logging'},
  {id: 'cloudtrail_kms_encryption_enabled', service: 'cloudtrail', severity: 'medium', scope: 'trail', prowler: same, title: 'The trail encrypts its log files with KMS'},
  {id: 'cloudtrail_cloudwatch_logging_enabled', service: 'cloudtrail', severity: 'low', scope: 'trail', prowler: same, title: 'The trail delivers to CloudWatch Logs'},
  {id: 'coroner-cloudtrail-organization-trail', service: 'cloudtrail', severity: 'medium', scope: 'account', prowler: related('cloudtrail_multi_region_enabled'), title: 'An organization trail covers the account, when it is in an organization'},
  {id: 'coroner-lambda-log-group-exists', service: 'logs', severity: 'medium', scope: 'function', prowler: none, title: "The function's log group exists"},
  {id: 'cloudwatch_log_group_retention_policy_specific_days_enabled', service: 'logs', severity: 'medium', scope: 'function', prowler: same, title: "The function's log group keeps its events long enough"},
  {id: 'guardduty_is_enabled', service: 'guardduty', severity: 'high', scope: 'region', prowler: same, title: 'GuardDuty is enabled'},
  {id: 'guardduty_lambda_protection_enabled', service: 'guardduty', severity: 'medium', scope: 'region', prowler: same, title: 'GuardDuty Lambda Protection is enabled'},
  {id: 'config_recorder_all_regions_enabled', service: 'config', severity: 'medium', scope: 'region', prowler: same, title: 'AWS Config is recording'},
  {id: 'coroner-evidence-bucket-configured', service: 'evidence', severity: 'medium', scope: 'account', prowler: none, title: 'Evidence goes to an S3 bucket, not only a local folder'},
  {id: 'coroner-evidence-bucket-versioning', service: 'evidence', severity: 'high', scope: 'evidence-bucket', prowler: related('s3_bucket_object_versioning'), title: 'The evidence bucket has versioning'},
  {id: 'coroner-evidence-bucket-object-lock', service: 'evidence', severity: 'high', scope: 'evidence-bucket', prowler: related('s3_bucket_object_lock'), title: 'The evidence bucket has Object Lock'},
  {id: 'coroner-evidence-bucket-default-retention', service: 'evidence', severity: 'medium', scope: 'evidence-bucket', prowler: none, title: 'The evidence bucket locks every object by default, long enough'},
  {id: 'coroner-evidence-bucket-block-public-access', service: 'evidence', severity: 'high', scope: 'evidence-bucket', prowler: related('s3_bucket_level_public_access_block'), title: 'The evidence bucket blocks public access'},
  {id: 'coroner-evidence-bucket-default-encryption', service: 'evidence', severity: 'medium', scope: 'evidence-bucket', prowler: related('s3_bucket_default_encryption'), title: 'The evidence bucket encrypts by default'},
  {id: 'coroner-evidence-bucket-policy-deny-insecure-transport', service: 'evidence', severity: 'medium', scope: 'evidence-bucket', prowler: related('s3_bucket_secure_transport_policy'), title: 'The evidence bucket policy refuses plain HTTP'},
  {id: 'coroner-evidence-bucket-policy-deny-deletion', service: 'evidence', severity: 'medium', scope: 'evidence-bucket', prowler: none, title: 'The evidence bucket policy denies deletes and lock changes'},
  {id: 'coroner-lambda-role-admin', service: 'lambda', severity: 'high', scope: 'function', prowler: related('iam_inline_policy_no_administrative_privileges', 'iam_customer_attached_policy_no_administrative_privileges', 'iam_aws_attached_policy_no_administrative_privileges'), title: 'The execution role has no administrator or wildcard permissions'},
  {id: 'coroner-lambda-role-shared', service: 'lambda', severity: 'low', scope: 'function', prowler: none, title: 'The execution role belongs to this function alone'},
  {id: 'awslambda_function_not_publicly_accessible', service: 'lambda', severity: 'critical', scope: 'function', prowler: same, title: 'The resource policy does not let anyone invoke the function'},
  {id: 'coroner-lambda-policy-cross-account', service: 'lambda', severity: 'high', scope: 'function', prowler: related('awslambda_function_not_publicly_accessible'), title: 'The resource policy grants no other account without a condition'},
  {id: 'awslambda_function_url_public', service: 'lambda', severity: 'high', scope: 'function', prowler: same, title: 'The function URL requires IAM authentication'},
  {id: 'awslambda_function_no_secrets_in_variables', service: 'lambda', severity: 'high', scope: 'function', prowler: same, title: 'No environment variable holds a secret in plain text'},
  {id: 'awslambda_function_using_supported_runtimes', service: 'lambda', severity: 'medium', scope: 'function', prowler: same, title: 'The runtime is not deprecated'},
  {id: 'coroner-lambda-runtime-deprecation-soon', service: 'lambda', severity: 'low', scope: 'function', prowler: none, title: 'The runtime is not deprecated soon'},
  {id: 'coroner-lambda-code-signing-enforced', service: 'lambda', severity: 'low', scope: 'function', prowler: none, title: 'Code signing is enforced'},
  {id: 'awslambda_function_using_cross_account_layers', service: 'lambda', severity: 'medium', scope: 'function', prowler: same, title: 'The function uses no layer of another account'},
] as const satisfies readonly CheckDefinition[]

export type CheckId = (typeof CHECKS)[number]['id']

const BY_ID = new Map<string, CheckDefinition>(CHECKS.map((c) => [c.id, c]))

/** The definition of a check. */
export function checkDefinition(id: CheckId): CheckDefinition {
  return BY_ID.get(id)!
}

/** One answered (or unanswerable) check on one resource. Never holds a secret value. */
export interface CheckResult {
  id: CheckId
  title: string
  service: CheckService
  severity: Severity
  status: CheckStatus
  /** The ARN or name the result is about (`account 123456789012` for account-wide checks). */
  resource: string
  region: string
  /** What was found: why it passed or failed, or why it could not be answered. */
  reason: string
  /** What to do, as a command or a setting; empty for a pass. */
  fix: string
  /** Structured facts behind the result (never a secret value). */
  details?: Record<string, unknown>
  /** For an unknown answer caused by a failed AWS call: its gap code. */
  gap?: string
}

/** Whether a result counts towards exit 3: a failed check of high or critical severity. */
export const isSevereFailure = (r: Pick<CheckResult, 'status' | 'severity'>): boolean => r.status === 'fail' && (r.severity === 'high' || r.severity === 'critical')
