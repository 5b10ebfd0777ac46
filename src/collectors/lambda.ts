import {
  GetFunctionCodeSigningConfigCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  LambdaClient,
  paginateListAliases,
  paginateListEventSourceMappings,
  paginateListProvisionedConcurrencyConfigs,
  paginateListVersionsByFunction,
  type AliasConfiguration,
  type FunctionConfiguration,
  type GetFunctionCommandOutput,
} from '@aws-sdk/client-lambda'
import type {AwsEnv} from './context.js'
import {mapPool} from '../core/pool.js'
import type {EvidenceRun} from '../evidence/run.js'
import type {CollectorDefinition} from './definition.js'
import {isNotFound, isStoreWriteFailure, rethrowStoreWriteFailure, type GapLog} from '../evidence/gap-log.js'
import {collectLayer, collectVersionCode} from './lambda-code.js'
import {collectRole, iamRoleCollector} from './iam-role.js'
import {redactEnvironment} from './redact.js'
import {parseFunctionTarget, type FunctionTarget} from './lambda-target.js'

/** The Lambda API calls the collector makes; each is also the IAM action it needs. */
const LAMBDA_CALLS = [
  'lambda:ListVersionsByFunction',
  'lambda:ListAliases',
  'lambda:GetFunction',
  'lambda:GetLayerVersion',
  'lambda:GetPolicy',
  'lambda:GetFunctionUrlConfig',
  'lambda:ListEventSourceMappings',
  'lambda:GetFunctionConcurrency',
  'lambda:ListProvisionedConcurrencyConfigs',
  'lambda:GetFunctionCodeSigningConfig',
]

export const lambdaCollector: CollectorDefinition = {
  id: 'lambda',
  title: 'Lambda functions: configuration and code of each version, aliases, layers, policies, URLs, triggers, concurrency, execution role',
  operations: [...LAMBDA_CALLS, ...iamRoleCollector.operations],
  permissions: [...LAMBDA_CALLS, ...iamRoleCollector.permissions],
  produces: [
    'lambda.function',
    'lambda.code',
    'lambda.aliases',
    'lambda.policy',
    'lambda.url-config',
    'lambda.event-source-mappings',
    'lambda.concurrency',
    'lambda.code-signing',
    'lambda.layer',
    'lambda.layer-code',
    ...iamRoleCollector.produces,
  ],
}

const COLLECTOR = lambdaCollector.id

export interface LambdaCollectOptions {
  functions: readonly string[]
  /** Every published version; otherwise `$LATEST`, the versions aliases route to, and an ARN's qualifier. */
  allVersions: boolean
  /** Functions collected at once. */
  concurrency?: number
  /** Snapshot each distinct execution role too (default true). */
  collectRoles?: boolean
  /** Region of functions given by name; default: the client factory's region. ARNs carry their own. */
  region?: string | undefined
}

export interface FunctionSummary {
  input: string
  functionName: string
  region: string
  status: 'collected' | 'partial' | 'not-found' | 'failed'
  functionArn?: string
  runtime?: string
  packageType?: string
  role?: string
  versions: string[]
  publishedVersions: string[]
  aliases: string[]
  codePackages: number
  artifacts: number
  gaps: number
  /** $LATEST's environment, values redacted unless secrets were asked for. */
  environment?: Record<string, string>
  message?: string
}

export interface LambdaCollection {
  functions: FunctionSummary[]
  roles: string[]
  layers: string[]
}

/** Run-wide state shared by the functions collected in one run, so shared things are read once. */
interface Shared {
  ctx: AwsEnv
  run: EvidenceRun
  gaps: GapLog
  layers: Map<string, Promise<void>>
  roles: Map<string, Promise<void>>
  /** Code packages stored so far, by region, function and CodeSha256, with the version that stored it. */
  packages: Map<string, string>
  collectRoles: boolean
  /** A store write failure met by a layer or role shared between functions, rethrown at the end. */
  storeFailure?: {error: unknown}
}

/**
 * Snapshots Lambda functions into an evidence run, several at once; one function's failure never
 * stops another's. Everything that cannot be read becomes a gap and the run goes on.
 */
export async function collectLambdaFunctions(ctx: AwsEnv, run: EvidenceRun, gaps: GapLog, options: LambdaCollectOptions): Promise<LambdaCollection> {
  const shared: Shared = {ctx, run, gaps, layers: new Map(), roles: new Map(), packages: new Map(), collectRoles: options.collectRoles ?? true}
  const targets = options.functions.map((f) => parseFunctionTarget(f, options.region ?? ctx.aws.defaultRegion))
  const task = ctx.progress.task('collecting Lambda functions', targets.length)
  const settled = await mapPool(
    targets,
    options.concurrency ?? 4,
    async (target) => {
      try {
        return await run.step('lambda-function', {function: target.input, region: target.region, allVersions: options.allVersions}, () =>
          collectFunction(shared, target, options.allVersions),
        )
      } finally {
        task.advance()
      }
    },
    ctx.signal,
  )
  task.done()
  const functions = settled.map((s, i): FunctionSummary => {
    if (s.ok) return s.value
    const t = targets[i]!
    const message = s.error instanceof Error ? s.error.message : String(s.error)
    return {...emptySummary(t), status: 'failed', message}
  })
  await Promise.all([...shared.layers.values(), ...shared.roles.values()])
  rethrowStoreWriteFailure(settled)
  if (shared.storeFailure) throw shared.storeFailure.error
  return {functions, roles: [...shared.roles.keys()], layers: [...shared.layers.keys()]}
}

function emptySummary(t: FunctionTarget): FunctionSummary {
  return {input: t.input, functionName: t.functionName, region: t.region, status: 'collected', versions: [], publishedVersions: [], aliases: [], codePackages: 0, artifacts: 0, gaps: 0}
}

const versionOrder = (a: string, b: string): number => (a === '$LATEST' ? -1 : b === '$LATEST' ? 1 : Number(a) - Number(b))

async function collectFunction(shared: Shared, t: FunctionTarget, allVersions: boolean): Promise<FunctionSummary> {
  // Functions run concurrently: this one's gaps and artifacts are counted on their own.
  const s: Shared = {...shared, gaps: shared.gaps.child()}
  const {ctx, run, gaps} = s
  const lambda = ctx.aws.client(LambdaClient, t.region)
  const summary = emptySummary(t)
  let artifacts = 0
  const fn = t.functionName
  const name = t.qualifier === undefined ? t.input : t.input.slice(0, -(t.qualifier.length + 1))
  const base = ['lambda', t.region, fn]
  const call = (operation: string, resource = t.input) => ({collector: COLLECTOR, resource, region: t.region, operation})
  const opts = {abortSignal: ctx.signal}
  const put = async (segments: string[], value: unknown, kind: string, source: string, attributes?: Record<string, unknown>, records?: number) => {
    await run.putArtifact([...base, ...segments], JSON.stringify(value, null, 2), {
      kind,
      contentType: 'application/json',
      source,
      collector: COLLECTOR,
      region: t.region,
      ...(records === undefined ? {} : {records}),
      attributes: {functionName: fn, ...attributes},
    })
    artifacts++
  }
  /** Runs one read; a failure becomes a gap (an interruption is passed on). */
  const attempt = async <R>(operation: string, work: () => Promise<R>, resource?: string): Promise<R | undefined> => {
    try {
      return await work()
    } catch (error) {
      if (ctx.signal.aborted) throw error
      await gaps.failed(error, call(operation, resource))
      return undefined
    }
  }
  /** A read where "not found" means there is none: a journal note, not a gap. */
  const optional = async <R>(operation: string, what: string, resource: string, work: () => Promise<R>): Promise<R | undefined> => {
    try {
      return await work()
    } catch (error) {
      if (ctx.signal.aborted) throw error
      if (isNotFound(error)) await run.note(`${resource} has no ${what}.`, {collector: COLLECTOR, resource})
      else await gaps.failed(error, call(operation, resource))
      return undefined
    }
  }

  const published: FunctionConfiguration[] = []
  let notFound = false
  try {
    for await (const page of paginateListVersionsByFunction({client: lambda}, {FunctionName: name})) published.push(...(page.Versions ?? []))
  } catch (error) {
    if (ctx.signal.aborted) throw error
    if (!isNotFound(error)) {
      const gap = await gaps.failed(error, call('lambda:ListVersionsByFunction'))
      return {...summary, status: 'failed', message: gap.reason, gaps: gaps.gaps.length}
    }
    notFound = true
  }
  // An existing function always lists $LATEST; an empty list (some emulators) means there is none.
  if (notFound || published.length === 0) {
    const message = `Lambda function ${JSON.stringify(t.input)} was not found in ${t.region}. List the functions there with \`aws lambda list-functions --region ${t.region}\`, or pass --region (or the function ARN) if it lives in another region.`
    await gaps.add({collector: COLLECTOR, resource: t.input, region: t.region, code: 'function-not-found', reason: message})
    return {...summary, status: 'not-found', message, gaps: gaps.gaps.length}
  }
  summary.publishedVersions = published.map((v) => v.Version ?? '').filter((v) => v !== '').sort(versionOrder)
  // Every version's identity goes into the journal, even those not collected: a later run can fetch them.
  await run.note(`${t.input}: ${published.length} version(s) listed`, {
    collector: COLLECTOR,
    resource: t.input,
    versions: published.map((v) => ({Version: v.Version, CodeSha256: v.CodeSha256, LastModified: v.LastModified, RevisionId: v.RevisionId})),
  })
  // Listed ARNs carry the version as a qualifier; the function's own ARN has seven parts.
  const functionArn = published[0]?.FunctionArn?.split(':').slice(0, 7).join(':')
  if (functionArn !== undefined) summary.functionArn = functionArn
  const source = functionArn ?? t.input

  const aliases: AliasConfiguration[] = []
  const aliasesRead = await attempt('lambda:ListAliases', async () => {
    for await (const page of paginateListAliases({client: lambda}, {FunctionName: name})) aliases.push(...(page.Aliases ?? []))
    return true
  })
  if (aliasesRead) await put(['aliases.json'], {Aliases: aliases}, 'lambda.aliases', source, {}, aliases.length)
  summary.aliases = aliases.map((a) => a.Name ?? '').filter((a) => a !== '')

  const wanted = new Set<string>(['$LATEST'])
  if (allVersions) for (const v of summary.publishedVersions) wanted.add(v)
  for (const a of aliases) {
    if (a.FunctionVersion !== undefined) wanted.add(a.FunctionVersion)
    for (const v of Object.keys(a.RoutingConfig?.AdditionalVersionWeights ?? {})) wanted.add(v)
  }
  if (t.qualifier !== undefined) {
    const aliased = aliases.find((a) => a.Name === t.qualifier)
    wanted.add(aliased?.FunctionVersion ?? t.qualifier)
  }
  summary.versions = [...wanted].sort(versionOrder)

  const configurations = new Map<string, FunctionConfiguration>()
  for (const version of summary.versions) {
    const got = await attempt(
      'lambda:GetFunction',
      () => lambda.send(new GetFunctionCommand({FunctionName: name, ...(version === '$LATEST' ? {} : {Qualifier: version})}), opts),
      `${t.input}:${version}`,
    )
    if (!got) continue
    const {$metadata: _m, ...body} = got as GetFunctionCommandOutput
    await put(['versions', version, 'function.json'], body, 'lambda.function', body.Configuration?.FunctionArn ?? `${source}:${version}`, {version, codeSha256: body.Configuration?.CodeSha256})
    if (body.Configuration) configurations.set(version, body.Configuration)
    if (await collectVersionCode({ctx, run, gaps, packages: s.packages, collector: COLLECTOR}, t, version, body, summary.functionArn)) summary.codePackages++
  }
  const latest = configurations.get('$LATEST') ?? configurations.values().next().value
  if (latest) {
    if (latest.Runtime !== undefined) summary.runtime = latest.Runtime
    if (latest.PackageType !== undefined) summary.packageType = latest.PackageType
    if (latest.Role !== undefined) summary.role = latest.Role
    const env = redactEnvironment(latest.Environment?.Variables, ctx.showSecrets)
    if (env !== undefined) summary.environment = env
  }

  for (const c of configurations.values()) {
    for (const layer of c.Layers ?? []) if (layer.Arn !== undefined) sharedOnce(shared, s.layers, layer.Arn, () => collectLayer({ctx, run, gaps: shared.gaps, packages: s.packages, collector: COLLECTOR}, layer.Arn!))
    if (s.collectRoles && c.Role !== undefined) sharedOnce(shared, s.roles, c.Role, async () => void (await collectRole(ctx, run, shared.gaps, c.Role!)))
  }

  const qualifiers: Array<string | undefined> = [undefined, ...summary.aliases]
  for (const q of qualifiers) {
    const where = q === undefined ? [] : ['aliases', q]
    const resource = q === undefined ? t.input : `${t.input}:${q}`
    const withQualifier = {FunctionName: name, ...(q === undefined ? {} : {Qualifier: q})}
    const policy = await optional('lambda:GetPolicy', 'resource-based policy', resource, () => lambda.send(new GetPolicyCommand(withQualifier), opts))
    if (policy) {
      const {$metadata: _m, ...p} = policy
      await put([...where, 'policy.json'], {...p, Policy: parsePolicy(p.Policy)}, 'lambda.policy', resource, q === undefined ? {} : {qualifier: q})
    }
    const url = await optional('lambda:GetFunctionUrlConfig', 'function URL', resource, () => lambda.send(new GetFunctionUrlConfigCommand(withQualifier), opts))
    if (url) {
      const {$metadata: _m, ...u} = url
      await put([...where, 'url-config.json'], u, 'lambda.url-config', resource, {...(q === undefined ? {} : {qualifier: q}), authType: u.AuthType})
    }
  }

  const mappings: unknown[] = []
  const mappingsRead = await attempt('lambda:ListEventSourceMappings', async () => {
    for await (const page of paginateListEventSourceMappings({client: lambda}, {FunctionName: name})) mappings.push(...(page.EventSourceMappings ?? []))
    return true
  })
  if (mappingsRead) await put(['event-source-mappings.json'], {EventSourceMappings: mappings}, 'lambda.event-source-mappings', source, {}, mappings.length)

  const reserved = await attempt('lambda:GetFunctionConcurrency', () => lambda.send(new GetFunctionConcurrencyCommand({FunctionName: name}), opts))
  const provisioned: unknown[] = []
  const provisionedRead = await attempt('lambda:ListProvisionedConcurrencyConfigs', async () => {
    for await (const page of paginateListProvisionedConcurrencyConfigs({client: lambda}, {FunctionName: name})) provisioned.push(...(page.ProvisionedConcurrencyConfigs ?? []))
    return true
  })
  if (reserved || provisionedRead) {
    await put(
      ['concurrency.json'],
      {reserved: reserved ? (reserved.ReservedConcurrentExecutions ?? null) : null, provisioned: provisionedRead ? provisioned : null},
      'lambda.concurrency',
      source,
      {complete: reserved !== undefined && provisionedRead === true},
    )
  }

  const signing = await attempt('lambda:GetFunctionCodeSigningConfig', () => lambda.send(new GetFunctionCodeSigningConfigCommand({FunctionName: name}), opts))
  if (signing) {
    const {$metadata: _m, ...body} = signing
    await put(['code-signing.json'], body, 'lambda.code-signing', source)
  }

  return {...summary, status: gaps.gaps.length > 0 ? 'partial' : 'collected', gaps: gaps.gaps.length, artifacts: artifacts + summary.codePackages}
}

/**
 * Starts `work` once per key (a layer, a role) for the whole run; later functions share it. An
 * unexpected failure becomes a gap rather than failing the functions that share it.
 */
function sharedOnce(s: Shared, map: Map<string, Promise<void>>, key: string, work: () => Promise<void>): void {
  if (map.has(key)) return
  map.set(
    key,
    work().catch(async (error: unknown) => {
      if (s.ctx.signal.aborted) return
      if (isStoreWriteFailure(error)) {
        s.storeFailure ??= {error}
        return
      }
      await s.gaps.failed(error, {collector: COLLECTOR, resource: key, operation: 'collection'}).catch(() => {})
    }),
  )
}

/** The resource policy GetPolicy returns as a JSON string, parsed; kept as the string if it is not JSON. */
export function parsePolicy(policy: string | undefined): unknown {
  if (policy === undefined) return undefined
  try {
    return JSON.parse(policy)
  } catch {
    return policy
  }
}
