import {CloudWatchLogsClient, paginateDescribeLogGroups, type LogGroup} from '@aws-sdk/client-cloudwatch-logs'
import {
  GetCodeSigningConfigCommand,
  GetFunctionCodeSigningConfigCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  LambdaClient,
  paginateListAliases,
  paginateListFunctions,
} from '@aws-sdk/client-lambda'
import {readRole, type IamAttempt} from '../iam-role.js'
import type {CheckResult} from './checks.js'
import {signalOf, type AuditEnv, type AuditedFunction} from './context.js'
import {broadGrants, openGrants} from './policies.js'
import type {Got} from './probe.js'
import {fail, pass, shellWord, unanswered, undetermined} from './result.js'
import {newestOfFamily, runtimeStatus, RUNTIME_TABLE} from './runtimes.js'
import {secretVariables} from './secrets.js'

/** Every function of a region (ListFunctions), as the audit sees it. */
export async function listFunctions(env: AuditEnv, region: string): Promise<Got<AuditedFunction[]>> {
  const lambda = env.ctx.aws.client(LambdaClient, region)
  return env.probe.read({operation: 'lambda:ListFunctions', resource: `functions in ${region}`, region}, async () => {
    const out: AuditedFunction[] = []
    for await (const page of paginateListFunctions({client: lambda}, {})) {
      for (const f of page.Functions ?? []) {
        if (f.FunctionName === undefined || f.FunctionArn === undefined) continue
        out.push({
          name: f.FunctionName,
          arn: f.FunctionArn.replace(/:\$LATEST$/, ''),
          region,
          ...(f.Runtime === undefined ? {} : {runtime: f.Runtime}),
          ...(f.PackageType === undefined ? {} : {packageType: f.PackageType}),
          ...(f.Role === undefined ? {} : {role: f.Role}),
          layers: (f.Layers ?? []).flatMap((l) => (l.Arn === undefined ? [] : [l.Arn])),
          ...(f.Environment?.Variables === undefined ? {} : {variables: f.Environment.Variables}),
          ...(f.Environment?.Error === undefined ? {} : {environmentError: `${f.Environment.Error.ErrorCode ?? 'Error'}: ${f.Environment.Error.Message ?? ''}`}),
          logGroup: f.LoggingConfig?.LogGroup ?? `/aws/lambda/${f.FunctionName}`,
        })
      }
    }
    return out
  })
}

/** Valid CloudWatch Logs retention periods, in days. */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]
const retentionToSet = (days: number): number => RETENTION_DAYS.find((d) => d >= days) ?? 3653
const LAMBDA_GROUPS = '/aws/lambda/'

/** The function's log group: there, and keeping at least the configured number of days (no retention set keeps events forever). */
export async function auditLogGroup(env: AuditEnv, f: AuditedFunction): Promise<CheckResult[]> {
  const logs = env.ctx.aws.client(CloudWatchLogsClient, f.region)
  const where = {resource: f.arn, region: f.region}
  // The default groups of a region are listed once (the API allows a few calls a second); a group set in LoggingConfig elsewhere is asked for alone.
  const standard = f.logGroup.startsWith(LAMBDA_GROUPS)
  const prefix = standard ? LAMBDA_GROUPS : f.logGroup
  const listed = await env.probe.read({operation: 'logs:DescribeLogGroups', resource: `log groups ${prefix}*`, region: f.region}, async () => {
    const groups = new Map<string, LogGroup>()
    for await (const page of paginateDescribeLogGroups({client: logs}, {logGroupNamePrefix: prefix})) for (const g of page.logGroups ?? []) if (g.logGroupName !== undefined) groups.set(g.logGroupName, g)
    return groups
  })
  const got = listed.ok ? {ok: true as const, value: listed.value.get(f.logGroup)} : listed
  if (!got.ok) return (['coroner-lambda-log-group-exists', 'cloudwatch_log_group_retention_policy_specific_days_enabled'] as const).map((id) => unanswered(id, got.gap, where))
  const group = got.value
  const setRetention = `aws logs put-retention-policy --log-group-name ${shellWord(f.logGroup)} --retention-in-days ${retentionToSet(env.retentionDays)} --region ${f.region}`
  if (group === undefined) {
    return [
      fail('coroner-lambda-log-group-exists', {...where, reason: `log group ${f.logGroup} does not exist: the function never logged, lacks logs:CreateLogGroup, or the group was deleted`, fix: `aws logs create-log-group --log-group-name ${shellWord(f.logGroup)} --region ${f.region} && ${setRetention}`, details: {logGroup: f.logGroup}}),
      undetermined('cloudwatch_log_group_retention_policy_specific_days_enabled', {...where, reason: `log group ${f.logGroup} does not exist yet, so it keeps nothing; created by Lambda, it would keep events until someone sets a retention`, fix: setRetention, details: {logGroup: f.logGroup}}),
    ]
  }
  const days = group.retentionInDays
  const details = {logGroup: f.logGroup, retentionInDays: days ?? null, required: env.retentionDays}
  const out = [pass('coroner-lambda-log-group-exists', {...where, reason: `log group ${f.logGroup} exists`, details})]
  if (days === undefined) out.push(pass('cloudwatch_log_group_retention_policy_specific_days_enabled', {...where, reason: `log group ${f.logGroup} keeps its events forever (no retention set)`, details}))
  else if (days >= env.retentionDays) out.push(pass('cloudwatch_log_group_retention_policy_specific_days_enabled', {...where, reason: `log group ${f.logGroup} keeps ${days} day(s), at least ${env.retentionDays}`, details}))
  else out.push(fail('cloudwatch_log_group_retention_policy_specific_days_enabled', {...where, reason: `log group ${f.logGroup} keeps only ${days} day(s): an intrusion found later than that has no function logs`, fix: setRetention, details}))
  return out
}

/** The execution role: no administrator or wildcard grants, and not shared with other functions. */
export async function auditRole(env: AuditEnv, f: AuditedFunction, sharedWith: readonly string[]): Promise<CheckResult[]> {
  const where = {resource: f.arn, region: f.region}
  const out: CheckResult[] = []
  if (f.role === undefined) return [undetermined('coroner-lambda-role-admin', {...where, reason: 'ListFunctions gave no execution role'})]
  const roleName = f.role.split('/').at(-1) ?? f.role
  if (sharedWith.length > 0) {
    out.push(fail('coroner-lambda-role-shared', {...where, reason: `role ${roleName} is also the execution role of ${sharedWith.join(', ')}: a compromise of any of them is a compromise of all, and CloudTrail cannot tell which function acted`, fix: `Give the function its own role: aws iam create-role --role-name ${shellWord(`${f.name}-exec`)} …, then aws lambda update-function-configuration --function-name ${shellWord(f.name)} --role <new-role-arn> --region ${f.region}`, details: {role: f.role, sharedWith}}))
  } else out.push(pass('coroner-lambda-role-shared', {...where, reason: `role ${roleName} is used by this function alone (among the functions audited)`, details: {role: f.role}}))

  const attempt: IamAttempt = async (operation, resource, work) => {
    const got = await env.probe.read({operation, resource, region: 'global'}, work)
    return got.ok ? got.value : undefined
  }
  const docs = await readRole(env.ctx, f.role, attempt)
  const policies = [
    ...docs.inline.map((p) => ({name: `inline ${p.PolicyName}`, document: p.PolicyDocument})),
    ...docs.attached.map((p) => ({name: `attached ${String(p.PolicyName ?? p.PolicyArn)}`, document: (p.DefaultVersion as {Document?: unknown} | undefined)?.Document})),
  ]
  const grants = broadGrants(policies)
  const boundary = docs.boundary === undefined ? undefined : broadGrants([{name: 'boundary', document: (docs.boundary.DefaultVersion as {Document?: unknown} | undefined)?.Document}])
  const details = {role: f.role, grants, ...(docs.boundary === undefined ? {} : {permissionsBoundary: docs.boundary.PolicyArn, boundaryIsBroad: (boundary?.length ?? 0) > 0})}
  const failed = docs.failures > 0 ? env.probe.gaps.find((g) => g.resource.startsWith(f.role!)) : undefined
  if (grants.length === 0 && failed) out.push(unanswered('coroner-lambda-role-admin', failed, where))
  else if (grants.length === 0) out.push(pass('coroner-lambda-role-admin', {...where, reason: `role ${roleName} grants no wildcard action`, details}))
  else {
    const admin = grants.some((g) => g.kind === 'administrator')
    const what = grants.map((g) => `${g.policy}${g.sid ? ` (${g.sid})` : ''}: ${g.kind === 'not-action' ? `everything but ${g.actions.join(', ')}` : g.actions.join(', ')}`).join('; ')
    const capped = docs.boundary !== undefined && (boundary?.length ?? 0) === 0 ? ` (a permissions boundary, ${docs.boundary.PolicyArn}, caps it)` : ''
    out.push(fail('coroner-lambda-role-admin', {...where, reason: `role ${roleName} ${admin ? 'has administrator access' : 'grants wildcard actions'}${capped}: ${what}. Code running in the function can do all of it`, fix: `Replace the broad grants with the actions the function uses (IAM Access Analyzer can generate a policy from its CloudTrail activity): aws iam detach-role-policy / put-role-policy on role ${shellWord(roleName)}`, details}))
  }
  return out
}

/** The resource policies (function and aliases) and function URLs: nobody let in unconditionally. */
export async function auditAccess(env: AuditEnv, f: AuditedFunction): Promise<CheckResult[]> {
  const lambda = env.ctx.aws.client(LambdaClient, f.region)
  const where = {resource: f.arn, region: f.region}
  const call = (operation: string, resource = f.arn) => ({operation, resource, region: f.region})
  const aliases = await env.probe.read(call('lambda:ListAliases'), async () => {
    const names: string[] = []
    for await (const page of paginateListAliases({client: lambda}, {FunctionName: f.name})) for (const a of page.Aliases ?? []) if (a.Name !== undefined) names.push(a.Name)
    return names
  })
  const qualifiers: Array<string | undefined> = [undefined, ...(aliases.ok ? aliases.value : [])]
  const publicGrants: Array<Record<string, unknown>> = []
  const crossGrants: Array<Record<string, unknown>> = []
  const urls: Array<{qualifier?: string; authType?: string; url?: string}> = []
  let policyGap = aliases.ok ? undefined : aliases.gap
  let urlGap = policyGap
  for (const q of qualifiers) {
    const target = {FunctionName: f.name, ...(q === undefined ? {} : {Qualifier: q})}
    const resource = q === undefined ? f.arn : `${f.arn}:${q}`
    const policy = await env.probe.read(call('lambda:GetPolicy', resource), () => lambda.send(new GetPolicyCommand(target), signalOf(env)), {missing: true})
    if (policy.ok) {
      let doc: unknown
      try {
        doc = JSON.parse(policy.value.Policy ?? '{}')
      } catch {
        doc = {}
      }
      const open = openGrants(doc, env.accountId)
      publicGrants.push(...open.public.map((g) => ({...g, qualifier: q ?? null})))
      crossGrants.push(...open.crossAccount.map((g) => ({...g, qualifier: q ?? null})))
    } else if (!policy.missing) policyGap ??= policy.gap
    const url = await env.probe.read(call('lambda:GetFunctionUrlConfig', resource), () => lambda.send(new GetFunctionUrlConfigCommand(target), signalOf(env)), {missing: true})
    if (url.ok) urls.push({...(q === undefined ? {} : {qualifier: q}), ...(url.value.AuthType === undefined ? {} : {authType: url.value.AuthType}), ...(url.value.FunctionUrl === undefined ? {} : {url: url.value.FunctionUrl})})
    else if (!url.missing) urlGap ??= url.gap
  }
  const removeFix = (grants: Array<Record<string, unknown>>): string =>
    grants.map((g) => `aws lambda remove-permission --function-name ${shellWord(f.name)}${g.qualifier ? ` --qualifier ${shellWord(String(g.qualifier))}` : ''} --statement-id ${shellWord(String(g.sid ?? '<sid>'))} --region ${f.region}`).join(' && ') +
    ' (then add it back with --source-arn/--source-account or --principal-org-id)'
  const describe = (grants: Array<Record<string, unknown>>): string => grants.map((g) => `${String(g.sid ?? '(no Sid)')}${g.qualifier ? ` on ${String(g.qualifier)}` : ''}: ${String(g.why)}`).join('; ')
  const out: CheckResult[] = []
  if (publicGrants.length > 0) out.push(fail('awslambda_function_not_publicly_accessible', {...where, reason: `the resource policy lets in ${describe(publicGrants)}`, fix: removeFix(publicGrants), details: {grants: publicGrants}}))
  else if (policyGap) out.push(unanswered('awslambda_function_not_publicly_accessible', policyGap, where))
  else out.push(pass('awslambda_function_not_publicly_accessible', {...where, reason: 'no resource policy statement lets anyone in'}))
  if (crossGrants.length > 0) out.push(fail('coroner-lambda-policy-cross-account', {...where, reason: `the resource policy grants ${describe(crossGrants)}`, fix: removeFix(crossGrants), details: {grants: crossGrants}}))
  else if (policyGap) out.push(unanswered('coroner-lambda-policy-cross-account', policyGap, where))
  else out.push(pass('coroner-lambda-policy-cross-account', {...where, reason: 'no statement grants another account or an unconditioned service principal'}))
  const none = urls.filter((u) => u.authType === 'NONE')
  if (none.length > 0) {
    out.push(fail('awslambda_function_url_public', {
      ...where,
      reason: `function URL ${none.map((u) => `${u.url ?? ''}${u.qualifier ? ` (alias ${u.qualifier})` : ''}`).join(', ')} has auth NONE: anyone on the internet can invoke it`,
      fix: none.map((u) => `aws lambda update-function-url-config --function-name ${shellWord(f.name)}${u.qualifier ? ` --qualifier ${shellWord(u.qualifier)}` : ''} --auth-type AWS_IAM --region ${f.region}`).join(' && '),
      details: {urls},
    }))
  } else if (urlGap) out.push(unanswered('awslambda_function_url_public', urlGap, where))
  else out.push(pass('awslambda_function_url_public', {...where, reason: urls.length === 0 ? 'the function has no URL' : 'every function URL requires AWS_IAM', details: {urls}}))
  return out
}

/** Configuration facts: plain-text secrets, the runtime's deprecation, code signing and foreign layers. */
export async function auditConfiguration(env: AuditEnv, f: AuditedFunction): Promise<CheckResult[]> {
  const where = {resource: f.arn, region: f.region}
  const out: CheckResult[] = []
  const secrets = secretVariables(f.variables)
  if (secrets.length === 0 && f.environmentError !== undefined) {
    out.push(undetermined('awslambda_function_no_secrets_in_variables', {...where, reason: `Lambda returned no environment values (${f.environmentError}): the variables could not be checked`, fix: 'Run the audit as an identity that may use the function\'s KMS key (kms:Decrypt).'}))
  } else if (secrets.length === 0) out.push(pass('awslambda_function_no_secrets_in_variables', {...where, reason: `no environment variable looks like a plain-text secret (${Object.keys(f.variables ?? {}).length} checked)`}))
  else {
    out.push(fail('awslambda_function_no_secrets_in_variables', {
      ...where,
      reason: `${secrets.map((s) => `${s.name} (${s.length} characters: ${s.why})`).join('; ')}. Whoever may read the function configuration (lambda:GetFunction) reads them`,
      fix: `Move each value to Secrets Manager (aws secretsmanager create-secret --name ${shellWord(`${f.name}/<NAME>`)} …) or SSM Parameter Store (SecureString), keep only its ARN or name in the variable, read it at start (the AWS Parameters and Secrets Lambda Extension caches it), and rotate the exposed value: it has been in the configuration in plain text`,
      details: {variables: secrets},
    }))
  }
  out.push(...runtimeChecks(env, f, where))
  out.push(await codeSigning(env, f))
  const foreign = f.layers.filter((l) => l.split(':')[4] !== env.accountId)
  if (foreign.length === 0) out.push(pass('awslambda_function_using_cross_account_layers', {...where, reason: f.layers.length === 0 ? 'the function uses no layer' : `its ${f.layers.length} layer(s) are the account's own`, details: {layers: f.layers}}))
  else {
    out.push(fail('awslambda_function_using_cross_account_layers', {
      ...where,
      reason: `layer(s) of other accounts run inside the function: ${foreign.join(', ')}; whoever controls those accounts can publish code the function loads at its next update`,
      fix: `Copy each layer version into the account (aws lambda get-layer-version-by-arn --arn <arn> gives its content URL; aws lambda publish-layer-version), then aws lambda update-function-configuration --function-name ${shellWord(f.name)} --layers <own-layer-arns> --region ${f.region}`,
      details: {layers: f.layers, foreign},
    }))
  }
  return out
}

function runtimeChecks(env: AuditEnv, f: AuditedFunction, where: {resource: string; region: string}): CheckResult[] {
  const ids = ['awslambda_function_using_supported_runtimes', 'coroner-lambda-runtime-deprecation-soon'] as const
  if (f.packageType === 'Image' || f.runtime === undefined) return ids.map((id) => undetermined(id, {...where, reason: 'a container image: its runtime is whatever the image holds, which Lambda does not report'}))
  const st = runtimeStatus(f.runtime, env.now)
  const table = {source: RUNTIME_TABLE.source, transcribed: RUNTIME_TABLE.transcribed}
  if (st.daysLeft === undefined) return ids.map((id) => undetermined(id, {...where, reason: `runtime ${f.runtime} is not in the table transcribed ${RUNTIME_TABLE.transcribed} from ${RUNTIME_TABLE.source}: check that page`, details: {runtime: f.runtime, table}}))
  const upgrade = newestOfFamily(f.runtime)
  const fix = `aws lambda update-function-configuration --function-name ${shellWord(f.name)} --runtime ${upgrade ?? '<supported-runtime>'} --region ${f.region} (after testing the code on it)`
  const details = {runtime: f.runtime, deprecates: st.deprecates, daysLeft: st.daysLeft, table}
  const out: CheckResult[] = []
  if (st.daysLeft <= 0) {
    out.push(fail('awslambda_function_using_supported_runtimes', {...where, reason: `${st.name} (${f.runtime}) was deprecated on ${st.deprecates}: no security patches since, and Lambda will block updates to it`, fix, details}))
    out.push(fail('coroner-lambda-runtime-deprecation-soon', {...where, reason: `${f.runtime} is already deprecated (${st.deprecates})`, fix, details}))
    return out
  }
  out.push(pass('awslambda_function_using_supported_runtimes', {...where, reason: `${st.name} (${f.runtime}) is supported until ${st.deprecates}`, details}))
  if (st.daysLeft <= env.runtimeWarningDays) out.push(fail('coroner-lambda-runtime-deprecation-soon', {...where, reason: `${f.runtime} is deprecated on ${st.deprecates}, in ${st.daysLeft} day(s)`, fix, details}))
  else out.push(pass('coroner-lambda-runtime-deprecation-soon', {...where, reason: `${f.runtime} has ${st.daysLeft} day(s) before deprecation`, details}))
  return out
}

/** Code signing: a configuration whose policy refuses unsigned or untrusted code (Enforce), not only warns. */
async function codeSigning(env: AuditEnv, f: AuditedFunction): Promise<CheckResult> {
  const lambda = env.ctx.aws.client(LambdaClient, f.region)
  const id = 'coroner-lambda-code-signing-enforced'
  const where = {resource: f.arn, region: f.region}
  const fix = `aws lambda create-code-signing-config --allowed-publishers SigningProfileVersionArns=<signer-profile-version-arn> --code-signing-policies UntrustedArtifactOnDeployment=Enforce --region ${f.region}, then aws lambda put-function-code-signing-config --function-name ${shellWord(f.name)} --code-signing-config-arn <arn> --region ${f.region}`
  const attached = await env.probe.read({operation: 'lambda:GetFunctionCodeSigningConfig', resource: f.arn, region: f.region}, () => lambda.send(new GetFunctionCodeSigningConfigCommand({FunctionName: f.name}), signalOf(env)))
  if (!attached.ok) return unanswered(id, attached.gap, where)
  const arn = attached.value.CodeSigningConfigArn
  if (!arn) return fail(id, {...where, reason: 'no code signing configuration: any code with lambda:UpdateFunctionCode is deployed as it is', fix})
  const config = await env.probe.read({operation: 'lambda:GetCodeSigningConfig', resource: arn, region: f.region}, () => lambda.send(new GetCodeSigningConfigCommand({CodeSigningConfigArn: arn}), signalOf(env)))
  if (!config.ok) return unanswered(id, config.gap, where)
  const policy = config.value.CodeSigningConfig?.CodeSigningPolicies?.UntrustedArtifactOnDeployment
  const details = {codeSigningConfig: arn, untrustedArtifactOnDeployment: policy ?? null}
  if (policy === 'Enforce') return pass(id, {...where, reason: `code signing configuration ${arn} refuses untrusted code`, details})
  return fail(id, {...where, reason: `code signing configuration ${arn} only warns (${policy ?? 'Warn'}): unsigned code is still deployed`, fix: `aws lambda update-code-signing-config --code-signing-config-arn ${shellWord(arn)} --code-signing-policies UntrustedArtifactOnDeployment=Enforce --region ${f.region}`, details})
}
