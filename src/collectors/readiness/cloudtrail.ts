import {CloudTrailClient, DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand, type Trail} from '@aws-sdk/client-cloudtrail'
import {DescribeOrganizationCommand, OrganizationsClient} from '@aws-sdk/client-organizations'
import type {CheckId, CheckResult} from './checks.js'
import {accountResource, signalOf, type AuditEnv, type AuditedFunction, type TrailFacts} from './context.js'
import {errorName, type Read} from './probe.js'
import {fail, pass, shellWord, unanswered} from './result.js'
import {lambdaInvokeCoverage, managementCoverage, s3DataCoverage, type Coverage, type TrailSelectors} from './selectors.js'
import {trailBucketChecks} from './trail-bucket.js'

const logging = (t: TrailFacts): boolean => t.status.ok && t.status.value.IsLogging === true
const nameOf = (t: TrailFacts): string => t.trail.Name ?? t.trail.TrailARN

/** Every trail that applies to the audited regions (their own and other regions' multi-region trails), each read once. */
async function readTrails(env: AuditEnv): Promise<{trails: TrailFacts[]; failed?: Read<never>}> {
  const byArn = new Map<string, Trail & {TrailARN: string}>()
  let failed: Read<never> | undefined
  for (const region of env.regions) {
    const client = env.ctx.aws.client(CloudTrailClient, region)
    const got = await env.probe.read({operation: 'cloudtrail:DescribeTrails', resource: accountResource(env), region}, () => client.send(new DescribeTrailsCommand({includeShadowTrails: true}), signalOf(env)))
    if (!got.ok) {
      failed = got as Read<never>
      continue
    }
    for (const t of got.value.trailList ?? []) if (t.TrailARN !== undefined) byArn.set(t.TrailARN, t as Trail & {TrailARN: string})
  }
  const trails: TrailFacts[] = []
  for (const trail of [...byArn.values()].sort((a, b) => (a.TrailARN < b.TrailARN ? -1 : 1))) {
    const home = trail.HomeRegion ?? env.regions[0]!
    const client = env.ctx.aws.client(CloudTrailClient, home)
    const call = (operation: string) => ({operation, resource: trail.TrailARN, region: home})
    const status = await env.probe.read(call('cloudtrail:GetTrailStatus'), () => client.send(new GetTrailStatusCommand({Name: trail.TrailARN}), signalOf(env)))
    const selectors = await env.probe.read(call('cloudtrail:GetEventSelectors'), () => client.send(new GetEventSelectorsCommand({TrailName: trail.TrailARN}), signalOf(env)))
    trails.push({trail, home, status, selectors: selectors as Read<TrailSelectors>})
  }
  return {trails, ...(failed === undefined ? {} : {failed})}
}

const NEW_TRAIL = (env: AuditEnv): string =>
  `aws cloudtrail create-trail --name coroner-trail --s3-bucket-name <bucket> --is-multi-region-trail --enable-log-file-validation --kms-key-id <key-arn> --region ${env.regions[0]} && aws cloudtrail start-logging --name coroner-trail --region ${env.regions[0]}`

/** The best coverage across trails, with the trail that gives it; unknown when a candidate's selectors could not be read. */
function coverage(trails: TrailFacts[], measure: (s: TrailSelectors) => Coverage): {coverage: Coverage; trail?: TrailFacts; unread: TrailFacts[]} {
  let bestTrail: TrailFacts | undefined
  let best: Coverage = 'none'
  const unread: TrailFacts[] = []
  for (const t of trails) {
    if (!t.selectors.ok) {
      unread.push(t)
      continue
    }
    const c = measure(t.selectors.value)
    if (c === 'all' || (c === 'partial' && best === 'none')) {
      best = c
      bestTrail = t
    }
    if (c === 'all') break
  }
  return {coverage: best, ...(bestTrail === undefined ? {} : {trail: bestTrail}), unread}
}

/** A coverage check: pass when some logging trail records all such events, unknown when the only candidates were unreadable. */
function coverageResult(
  id: CheckId,
  env: AuditEnv,
  candidates: TrailFacts[],
  measure: (s: TrailSelectors) => Coverage,
  what: string,
  fix: string,
  where: {resource: string; region: string},
): CheckResult {
  const c = coverage(candidates, measure)
  if (c.coverage === 'all') return pass(id, {...where, reason: `trail ${nameOf(c.trail!)} records ${what}`, details: {trail: c.trail!.trail.TrailARN}})
  const firstUnread = c.unread[0]?.selectors
  if (firstUnread && !firstUnread.ok && !firstUnread.missing) return unanswered(id, firstUnread.gap, {...where, fix})
  const reason = candidates.length === 0 ? `no logging trail applies, so nothing records ${what}` : c.coverage === 'partial' ? `trail ${nameOf(c.trail!)} records only some ${what} (its selectors filter them)` : `no logging trail records ${what}`
  return fail(id, {...where, reason, fix, ...(c.trail === undefined ? {} : {details: {trail: c.trail.trail.TrailARN}})})
}

const DATA_SELECTOR = (type: string, readOnly?: boolean): string =>
  JSON.stringify([{Name: `coroner: ${type}`, FieldSelectors: [{Field: 'eventCategory', Equals: ['Data']}, {Field: 'resources.type', Equals: [type]}, ...(readOnly === undefined ? [] : [{Field: 'readOnly', Equals: [String(readOnly)]}])]}])

const putSelectorsFix = (trail: string, region: string, selector: string): string =>
  `aws cloudtrail put-event-selectors --trail-name ${shellWord(trail)} --region ${region} --advanced-event-selectors '${selector}' (put-event-selectors replaces the trail's selectors: add this one to those it has)`

/**
 * CloudTrail: a multi-region trail logging, management and data events recorded, and each trail's
 * own settings (validation, KMS, CloudWatch Logs, its bucket); an organization trail when the
 * account is in an organization.
 */
export async function auditCloudTrail(env: AuditEnv, functions: readonly AuditedFunction[]): Promise<CheckResult[]> {
  const out: CheckResult[] = []
  const account = {resource: accountResource(env), region: env.regions.join(',')}
  const {trails, failed} = await readTrails(env)
  const accountIds: CheckId[] = ['cloudtrail_multi_region_enabled', 'cloudtrail_multi_region_enabled_logging_management_events', 'cloudtrail_s3_dataevents_read_enabled', 'cloudtrail_s3_dataevents_write_enabled', 'coroner-cloudtrail-organization-trail']
  if (trails.length === 0 && failed && !failed.ok && !failed.missing) {
    for (const id of [...accountIds, ...TRAIL_CHECKS]) out.push(unanswered(id, failed.gap, account))
    for (const f of functions) out.push(unanswered('awslambda_function_invoke_api_operations_cloudtrail_logging_enabled', failed.gap, {resource: f.arn, region: f.region}))
    return out
  }

  const multi = trails.filter((t) => t.trail.IsMultiRegionTrail === true)
  const multiLogging = multi.filter(logging)
  const statusUnread = multi.find((t) => !t.status.ok && !t.status.missing)
  if (multiLogging.length > 0) out.push(pass('cloudtrail_multi_region_enabled', {...account, reason: `multi-region trail ${nameOf(multiLogging[0]!)} is logging`, details: {trails: multiLogging.map((t) => t.trail.TrailARN)}}))
  else if (statusUnread && !statusUnread.status.ok && !statusUnread.status.missing) out.push(unanswered('cloudtrail_multi_region_enabled', statusUnread.status.gap, account))
  else {
    const stopped = multi[0]
    const reason = stopped ? `multi-region trail ${nameOf(stopped)} exists but is not logging` : trails.length === 0 ? 'the account has no trail: no API call is recorded beyond the 90 days of Event history' : `no trail is multi-region (${trails.map(nameOf).join(', ')} record one region each)`
    const fix = stopped ? `aws cloudtrail start-logging --name ${shellWord(stopped.trail.TrailARN)} --region ${stopped.home}` : trails[0] ? `aws cloudtrail update-trail --name ${shellWord(trails[0].trail.TrailARN)} --is-multi-region-trail --region ${trails[0].home}` : NEW_TRAIL(env)
    out.push(fail('cloudtrail_multi_region_enabled', {...account, reason, fix}))
  }

  const mgmtFix = multiLogging[0] ? putSelectorsFix(multiLogging[0].trail.TrailARN, multiLogging[0].home, JSON.stringify([{Name: 'coroner: management events', FieldSelectors: [{Field: 'eventCategory', Equals: ['Management']}]}])) : NEW_TRAIL(env)
  out.push(coverageResult('cloudtrail_multi_region_enabled_logging_management_events', env, multiLogging, (s) => (managementCoverage(s, true) === 'all' && managementCoverage(s, false) === 'all' ? 'all' : managementCoverage(s, true) === 'none' && managementCoverage(s, false) === 'none' ? 'none' : 'partial'), 'management events, read and write', mgmtFix, account))

  const loggingTrails = trails.filter(logging)
  const target = multiLogging[0] ?? loggingTrails[0]
  for (const [id, readOnly] of [['cloudtrail_s3_dataevents_read_enabled', true], ['cloudtrail_s3_dataevents_write_enabled', false]] as const) {
    const fix = target ? putSelectorsFix(target.trail.TrailARN, target.home, DATA_SELECTOR('AWS::S3::Object', readOnly)) : NEW_TRAIL(env)
    out.push(coverageResult(id, env, loggingTrails, (s) => s3DataCoverage(s, readOnly), `S3 object-level ${readOnly ? 'read' : 'write'} events of every bucket`, fix, account))
  }
  for (const f of functions) {
    const applies = loggingTrails.filter((t) => t.trail.IsMultiRegionTrail === true || t.home === f.region)
    const fix = target ? putSelectorsFix(target.trail.TrailARN, target.home, DATA_SELECTOR('AWS::Lambda::Function')) : NEW_TRAIL(env)
    out.push(coverageResult('awslambda_function_invoke_api_operations_cloudtrail_logging_enabled', env, applies, (s) => lambdaInvokeCoverage(s, f.arn), `Invoke of ${f.name}`, fix, {resource: f.arn, region: f.region}))
  }

  out.push(await organizationTrail(env, trails, account))
  if (trails.length === 0) {
    for (const id of TRAIL_CHECKS) out.push(fail(id, {...account, reason: 'the account has no trail', fix: NEW_TRAIL(env)}))
    return out
  }
  for (const t of trails) out.push(...trailSettings(t), ...(await trailBucketChecks(env, t)))
  return out
}

const TRAIL_CHECKS: CheckId[] = ['cloudtrail_log_file_validation_enabled', 'cloudtrail_kms_encryption_enabled', 'cloudtrail_cloudwatch_logging_enabled', 'coroner-cloudtrail-bucket-immutable', 'cloudtrail_logs_s3_bucket_is_not_publicly_accessible', 'cloudtrail_logs_s3_bucket_access_logging_enabled']

/** The trail's own settings: digest validation, KMS, delivery to CloudWatch Logs. */
function trailSettings(t: TrailFacts): CheckResult[] {
  const where = {resource: t.trail.TrailARN, region: t.home}
  const update = (flags: string): string => `aws cloudtrail update-trail --name ${shellWord(t.trail.TrailARN)} ${flags} --region ${t.home}`
  const out: CheckResult[] = []
  out.push(
    t.trail.LogFileValidationEnabled === true
      ? pass('cloudtrail_log_file_validation_enabled', {...where, reason: 'digest files are written and signed every hour'})
      : fail('cloudtrail_log_file_validation_enabled', {...where, reason: 'no digest files: a deleted or altered log file cannot be shown to be so (`coroner validate cloudtrail` has nothing to check)', fix: update('--enable-log-file-validation')}),
  )
  out.push(
    t.trail.KmsKeyId
      ? pass('cloudtrail_kms_encryption_enabled', {...where, reason: 'log files are encrypted with a KMS key', details: {kmsKeyId: t.trail.KmsKeyId}})
      : fail('cloudtrail_kms_encryption_enabled', {...where, reason: 'log files are encrypted with SSE-S3 only: anyone who may read the bucket reads the trail', fix: `${update('--kms-key-id <key-arn>')} (the key policy must let cloudtrail.amazonaws.com use it)`}),
  )
  const cwl = t.trail.CloudWatchLogsLogGroupArn
  const deliveryError = t.status.ok ? t.status.value.LatestCloudWatchLogsDeliveryError : undefined
  const cwlFix = update('--cloud-watch-logs-log-group-arn <log-group-arn> --cloud-watch-logs-role-arn <role-arn>')
  if (!cwl) out.push(fail('cloudtrail_cloudwatch_logging_enabled', {...where, reason: 'the trail does not deliver to CloudWatch Logs: no metric filter or alarm can watch it as events happen', fix: cwlFix}))
  else if (deliveryError) out.push(fail('cloudtrail_cloudwatch_logging_enabled', {...where, reason: `delivery to CloudWatch Logs fails: ${deliveryError}`, fix: 'Check the role in CloudWatchLogsRoleArn: it must allow logs:CreateLogStream and logs:PutLogEvents on the log group.', details: {logGroup: cwl}}))
  else out.push(pass('cloudtrail_cloudwatch_logging_enabled', {...where, reason: 'the trail delivers to CloudWatch Logs', details: {logGroup: cwl}}))
  return out
}

/** An organization trail, when the account belongs to an organization. */
async function organizationTrail(env: AuditEnv, trails: TrailFacts[], account: {resource: string; region: string}): Promise<CheckResult> {
  const orgs = env.ctx.aws.client(OrganizationsClient, 'us-east-1')
  const org = await env.probe.read({operation: 'organizations:DescribeOrganization', resource: account.resource, region: 'global'}, () => orgs.send(new DescribeOrganizationCommand({}), signalOf(env)), {
    missing: (e) => errorName(e) === 'AWSOrganizationsNotInUseException',
  })
  const id = 'coroner-cloudtrail-organization-trail'
  if (!org.ok && !org.missing) return unanswered(id, org.gap, account)
  if (!org.ok) return pass(id, {...account, reason: 'the account is not in an organization: its own trails are all there is'})
  const orgTrail = trails.find((t) => t.trail.IsOrganizationTrail === true && logging(t))
  const orgId = org.value.Organization?.Id
  const details = {organization: orgId, managementAccount: org.value.Organization?.MasterAccountId}
  if (orgTrail) return pass(id, {...account, reason: `organization trail ${nameOf(orgTrail)} is logging`, details: {...details, trail: orgTrail.trail.TrailARN}})
  return fail(id, {
    ...account,
    reason: `the account is in organization ${orgId ?? '?'} but no logging organization trail covers it: a member account can stop or delete its own trails`,
    fix: 'From the management account (or CloudTrail delegated administrator): aws cloudtrail create-trail --name org-trail --s3-bucket-name <log-archive-bucket> --is-organization-trail --is-multi-region-trail --enable-log-file-validation, then aws cloudtrail start-logging --name org-trail',
    details,
  })
}

