import {parseS3Uri} from '../../aws/s3-uri.js'
import {ConfigServiceClient, DescribeConfigurationRecordersCommand, DescribeConfigurationRecorderStatusCommand} from '@aws-sdk/client-config-service'
import {GetDetectorCommand, GuardDutyClient, ListDetectorsCommand} from '@aws-sdk/client-guardduty'
import {S3Client} from '@aws-sdk/client-s3'
import {inspectEvidenceBucket} from '../../evidence/stores/s3/bucket.js'
import type {EvidenceStore} from '../../evidence/store.js'
import type {CheckId, CheckResult} from './checks.js'
import {accountResource, signalOf, type AuditEnv} from './context.js'
import {fail, pass, shellWord, unanswered, undetermined} from './result.js'
import {bucketRegion} from './trail-bucket.js'

/** GuardDuty in each region: a detector that is enabled, with Lambda Protection (the LAMBDA_NETWORK_LOGS feature). */
export async function auditGuardDuty(env: AuditEnv, region: string): Promise<CheckResult[]> {
  const gd = env.ctx.aws.client(GuardDutyClient, region)
  const where = {resource: `GuardDuty ${region}`, region}
  const call = (operation: string) => ({operation, resource: where.resource, region})
  const enableFix = `aws guardduty create-detector --enable --features '[{"Name":"LAMBDA_NETWORK_LOGS","Status":"ENABLED"}]' --region ${region}`
  const list = await env.probe.read(call('guardduty:ListDetectors'), () => gd.send(new ListDetectorsCommand({}), signalOf(env)))
  if (!list.ok) return (['guardduty_is_enabled', 'guardduty_lambda_protection_enabled'] as const).map((id) => unanswered(id, list.gap, where))
  const id = list.value.DetectorIds?.[0]
  if (id === undefined) {
    const reason = 'GuardDuty has no detector in this region: no finding will point at the intrusion'
    return [fail('guardduty_is_enabled', {...where, reason, fix: enableFix}), fail('guardduty_lambda_protection_enabled', {...where, reason, fix: enableFix})]
  }
  const at = {...where, resource: `arn:${env.partition}:guardduty:${region}:${env.accountId}:detector/${id}`}
  const detector = await env.probe.read({...call('guardduty:GetDetector'), resource: at.resource}, () => gd.send(new GetDetectorCommand({DetectorId: id}), signalOf(env)))
  if (!detector.ok) return (['guardduty_is_enabled', 'guardduty_lambda_protection_enabled'] as const).map((c) => unanswered(c, detector.gap, at))
  const d = detector.value
  if (d.Status !== 'ENABLED') {
    const fix = `aws guardduty update-detector --detector-id ${id} --enable --region ${region}`
    const reason = `detector ${id} is ${d.Status ?? 'not enabled'}: GuardDuty is suspended`
    return [fail('guardduty_is_enabled', {...at, reason, fix}), fail('guardduty_lambda_protection_enabled', {...at, reason, fix})]
  }
  const out = [pass('guardduty_is_enabled', {...at, reason: `detector ${id} is enabled`})]
  const feature = (d.Features ?? []).find((f) => f.Name === 'LAMBDA_NETWORK_LOGS')
  const featureFix = `aws guardduty update-detector --detector-id ${id} --features '[{"Name":"LAMBDA_NETWORK_LOGS","Status":"ENABLED"}]' --region ${region}`
  if (feature?.Status === 'ENABLED') out.push(pass('guardduty_lambda_protection_enabled', {...at, reason: 'Lambda Protection watches the network activity of every function'}))
  else if (feature !== undefined) out.push(fail('guardduty_lambda_protection_enabled', {...at, reason: `Lambda Protection is ${feature.Status ?? 'off'}: a function calling out to a miner or a command server raises no finding`, fix: featureFix}))
  else out.push(undetermined('guardduty_lambda_protection_enabled', {...at, reason: 'GetDetector listed no features (an endpoint or API version without detector features): Lambda Protection could not be read', fix: featureFix}))
  return out
}

/** AWS Config in each region: a recorder that is recording (and whether Lambda functions are in what it records). */
export async function auditConfig(env: AuditEnv, region: string): Promise<CheckResult> {
  const config = env.ctx.aws.client(ConfigServiceClient, region)
  const id = 'config_recorder_all_regions_enabled'
  const where = {resource: `AWS Config ${region}`, region}
  const call = (operation: string) => ({operation, resource: where.resource, region})
  const recorders = await env.probe.read(call('config:DescribeConfigurationRecorders'), () => config.send(new DescribeConfigurationRecordersCommand({}), signalOf(env)))
  if (!recorders.ok) return unanswered(id, recorders.gap, where)
  const recorder = recorders.value.ConfigurationRecorders?.[0]
  const role = `arn:${env.partition}:iam::${env.accountId}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`
  const fix = `aws configservice put-configuration-recorder --configuration-recorder name=default,roleARN=${role} --recording-group allSupported=true --region ${region}, a delivery channel (aws configservice put-delivery-channel), then aws configservice start-configuration-recorder --configuration-recorder-name default --region ${region}`
  if (recorder === undefined) return fail(id, {...where, reason: 'no configuration recorder: no history of how a function, role or bucket was configured before the incident', fix})
  const status = await env.probe.read(call('config:DescribeConfigurationRecorderStatus'), () => config.send(new DescribeConfigurationRecorderStatusCommand({ConfigurationRecorderNames: [recorder.name!]}), signalOf(env)))
  if (!status.ok) return unanswered(id, status.gap, where)
  const s = status.value.ConfigurationRecordersStatus?.[0]
  const group = recorder.recordingGroup
  const recordsLambda = group?.allSupported === true || (group?.resourceTypes ?? []).includes('AWS::Lambda::Function')
  const details = {recorder: recorder.name, lastStatus: s?.lastStatus, recordsLambdaFunctions: recordsLambda}
  const at = {...where, resource: `AWS Config recorder ${recorder.name ?? ''} ${region}`.replace('  ', ' ')}
  if (s?.recording !== true) return fail(id, {...at, reason: `recorder ${recorder.name} is stopped`, fix: `aws configservice start-configuration-recorder --configuration-recorder-name ${shellWord(recorder.name ?? 'default')} --region ${region}`, details})
  return pass(id, {...at, reason: `recorder ${recorder.name} is recording${recordsLambda ? ', Lambda functions included' : ' (Lambda functions are not in its recording group)'}`, details})
}

/**
 * The evidence bucket, checked by `evidence init`'s own inspection (one result per setting): the
 * bucket given, else the S3 store's; a local store fails `coroner-evidence-bucket-configured`.
 */
export async function auditEvidenceBucket(env: AuditEnv, store: EvidenceStore, given: string | undefined): Promise<CheckResult[]> {
  const account = {resource: accountResource(env), region: env.regions.join(',')}
  const bucket = given ?? (store.kind === 's3' ? parseS3Uri(store.location)?.bucket : undefined)
  if (bucket === undefined) {
    return [fail('coroner-evidence-bucket-configured', {
      ...account,
      reason: `evidence goes to ${store.location}, a local folder: nothing stops it being changed, and the bucket settings were not checked`,
      fix: `coroner evidence init --bucket <bucket> --mode COMPLIANCE --days ${env.retentionDays}, then export CORONER_STORE=s3://<bucket>/ (or give --evidence-bucket to check an existing one)`,
    })]
  }
  const where = {resource: `s3://${bucket}`, region: 'global'}
  const out = [pass('coroner-evidence-bucket-configured', {...account, reason: `evidence bucket ${bucket}`})]
  const located = await bucketRegion(env, bucket)
  const ids = SETTINGS.map((s) => `coroner-evidence-bucket-${s}` as CheckId)
  if (!located.ok && !located.missing) return [...out, ...ids.map((id) => unanswered(id, located.gap, where))]
  if (!located.ok) return [fail('coroner-evidence-bucket-configured', {...account, reason: `evidence bucket ${bucket} does not exist`, fix: `coroner evidence init --bucket ${shellWord(bucket)} --mode COMPLIANCE --days ${env.retentionDays}`})]
  const at = {...where, region: located.value}
  const inspected = await env.probe.read({operation: EVIDENCE_INSPECTION, resource: where.resource, region: located.value}, () =>
    inspectEvidenceBucket(env.ctx.aws.client(S3Client, located.value), {bucket, mode: 'GOVERNANCE', days: env.retentionDays, region: located.value}),
  )
  if (!inspected.ok) return [...out, ...ids.map((id) => unanswered(id, inspected.gap, at))]
  for (const c of inspected.value) {
    const id = `coroner-evidence-bucket-${c.setting}` as CheckId
    const fields = {...at, reason: `${c.setting}: ${c.actual} (wanted: ${c.expected})`, details: {expected: c.expected, actual: c.actual}}
    out.push(c.ok ? pass(id, fields) : fail(id, {...fields, fix: `${c.fix ?? ''} coroner evidence init --bucket ${shellWord(bucket)} --days ${env.retentionDays} --apply fixes it.`.trim()}))
  }
  return out
}

/** The reads `evidence init` makes of a bucket; a failure of any one leaves its settings unanswered. */
const EVIDENCE_INSPECTION = 's3:GetBucketVersioning, s3:GetBucketObjectLockConfiguration, s3:GetBucketPublicAccessBlock, s3:GetEncryptionConfiguration, s3:GetBucketPolicy'

const SETTINGS = ['versioning', 'object-lock', 'default-retention', 'block-public-access', 'default-encryption', 'policy-deny-insecure-transport', 'policy-deny-deletion'] as const
