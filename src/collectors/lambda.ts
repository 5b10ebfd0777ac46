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
import type {AwsContext} from './context.js'
import {mapPool} from '../core/pool.js'
import type {EvidenceRun} from '../evidence/run.js'
import type {CollectorDefinition} from './definition.js'
import {isStoreWriteFailure, rethrowStoreWriteFailure, type GapLog} from '../evidence/gap-log.js'
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
  /** As a run ends: complete, partial (gaps recorded), failed (not found, or unreadable: see message and the gap). */
  status: 'complete' | 'partial' | 'failed'
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
  ctx: AwsContext
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
export async function collectLambdaFunctions(ctx: AwsContext, options: LambdaCollectOptions): Promise<LambdaCollection> {
  const {run} = ctx
  const shared: Shared = {ctx, run, gaps: ctx.gaps, layers: new Map(), roles: new Map(), packages: new Map(), collectRoles: options.collectRoles ?? true}
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
  return {input: t.input, functionName: t.functionName, region: t.region, status: 'complete', versions: [], publishedVersions: [], aliases: [], codePackages: 0, artifacts: 0, gaps: 0}
}

const versionOrder = (a: string, b: string): number => (a === '$LATEST' ? -1 : b === '$LATEST' ? 1 : Number(a) - Number(b))

/** One function being collected: its client, its names, and what it wrote so far. */
interface FunctionRead {
  s: Shared
  t: FunctionTarget
  lambda: LambdaClient
  /** The function's name or ARN without a qualifier, as the API takes it. */
  name: string
  summary: FunctionSummary
  artifacts: number
  /** The function's own ARN once listed, else what the responder gave. */
  source: string
}

const callOf = (f: FunctionRead, operation: string, resource = f.t.input) => ({collector: COLLECTOR, resource, region: f.t.region, operation})
/** One read of the function; a failure is a gap (an interruption is passed on). */
const read = <R>(f: FunctionRead, operation: string, work: () => Promise<R>, resource?: string) => f.s.gaps.attempt(callOf(f, operation, resource), work)
/** A read where "not found" means there is none: a journal note, not a gap. */
const optional = <R>(f: FunctionRead, operation: string, what: string, resource: string, work: () => Promise<R>) => f.s.gaps.attempt(callOf(f, operation, resource), work, {notFound: what})
const opts = (f: FunctionRead) => ({abortSignal: f.s.ctx.signal})

async function put(f: FunctionRead, segments: string[], value: unknown, kind: string, source: string, attributes?: Record<string, unknown>, records?: number): Promise<void> {
  await f.s.run.putArtifact(['lambda', f.t.region, f.t.functionName, ...segments], JSON.stringify(value, null, 2), {
    kind,
    contentType: 'application/json',
    source,
    collector: COLLECTOR,
    region: f.t.region,
    ...(records === undefined ? {} : {records}),
    attributes: {functionName: f.t.functionName, ...attributes},
  })
  f.artifacts++
}

async function collectFunction(shared: Shared, t: FunctionTarget, allVersions: boolean): Promise<FunctionSummary> {
  // Functions run concurrently: this one's gaps and artifacts are counted on their own.
  const s: Shared = {...shared, gaps: shared.gaps.child()}
  const name = t.qualifier === undefined ? t.input : t.input.slice(0, -(t.qualifier.length + 1))
  const f: FunctionRead = {s, t, lambda: s.ctx.aws.client(LambdaClient, t.region), name, summary: emptySummary(t), artifacts: 0, source: t.input}
  const ended = await listVersions(f)
  if (ended) return ended
  const aliases = await readAliases(f)
  f.summary.versions = wantedVersions(f, aliases, allVersions)
  const configurations = await readVersions(f)
  summariseLatest(f, configurations)
  for (const c of configurations.values()) {
    for (const layer of c.Layers ?? []) if (layer.Arn !== undefined) sharedOnce(shared, s.layers, layer.Arn, () => collectLayer({ctx: s.ctx, run: s.run, gaps: shared.gaps, packages: s.packages, collector: COLLECTOR}, layer.Arn!))
    if (s.collectRoles && c.Role !== undefined) sharedOnce(shared, s.roles, c.Role, async () => void (await collectRole({...shared.ctx, gaps: shared.gaps}, c.Role!)))
  }
  await readQualified(f)
  await readTriggersAndLimits(f)
  return {...f.summary, status: s.gaps.gaps.length > 0 ? 'partial' : 'complete', gaps: s.gaps.gaps.length, artifacts: f.artifacts + f.summary.codePackages}
}

/** Lists the published versions into the journal; returns the summary when the function is not there (or cannot be listed). */
async function listVersions(f: FunctionRead): Promise<FunctionSummary | undefined> {
  const {s, t, summary} = f
  const published: FunctionConfiguration[] = []
  const listed = await s.gaps.attempt(
    callOf(f, 'lambda:ListVersionsByFunction'),
    async () => {
      for await (const page of paginateListVersionsByFunction({client: f.lambda}, {FunctionName: f.name})) published.push(...(page.Versions ?? []))
      return 'listed' as const
    },
    {ifNotFound: 'not-found' as const},
  )
  if (listed === undefined) return {...summary, status: 'failed', message: s.gaps.gaps.at(-1)?.reason ?? 'ListVersionsByFunction failed', gaps: s.gaps.gaps.length}
  // An existing function always lists $LATEST; an empty list (some emulators) means there is none.
  if (listed === 'not-found' || published.length === 0) {
    const message = `Lambda function ${JSON.stringify(t.input)} was not found in ${t.region}. List the functions there with \`aws lambda list-functions --region ${t.region}\`, or pass --region (or the function ARN) if it lives in another region.`
    await s.gaps.add({collector: COLLECTOR, resource: t.input, region: t.region, code: 'function-not-found', reason: message})
    return {...summary, status: 'failed', message, gaps: s.gaps.gaps.length}
  }
  summary.publishedVersions = published.map((v) => v.Version ?? '').filter((v) => v !== '').sort(versionOrder)
  // Every version's identity goes into the journal, even those not collected: a later run can fetch them.
  await s.run.note(`${t.input}: ${published.length} version(s) listed`, {
    collector: COLLECTOR,
    resource: t.input,
    versions: published.map((v) => ({Version: v.Version, CodeSha256: v.CodeSha256, LastModified: v.LastModified, RevisionId: v.RevisionId})),
  })
  // Listed ARNs carry the version as a qualifier; the function's own ARN has seven parts.
  const functionArn = published[0]?.FunctionArn?.split(':').slice(0, 7).join(':')
  if (functionArn !== undefined) summary.functionArn = functionArn
  f.source = functionArn ?? t.input
  return undefined
}

async function readAliases(f: FunctionRead): Promise<AliasConfiguration[]> {
  const aliases: AliasConfiguration[] = []
  const aliasesRead = await read(f, 'lambda:ListAliases', async () => {
    for await (const page of paginateListAliases({client: f.lambda}, {FunctionName: f.name})) aliases.push(...(page.Aliases ?? []))
    return true
  })
  if (aliasesRead) await put(f, ['aliases.json'], {Aliases: aliases}, 'lambda.aliases', f.source, {}, aliases.length)
  f.summary.aliases = aliases.map((a) => a.Name ?? '').filter((a) => a !== '')
  return aliases
}

/** $LATEST, every version an alias routes to, the qualifier asked for, and with allVersions every published one. */
function wantedVersions(f: FunctionRead, aliases: readonly AliasConfiguration[], allVersions: boolean): string[] {
  const wanted = new Set<string>(['$LATEST'])
  if (allVersions) for (const v of f.summary.publishedVersions) wanted.add(v)
  for (const a of aliases) {
    if (a.FunctionVersion !== undefined) wanted.add(a.FunctionVersion)
    for (const v of Object.keys(a.RoutingConfig?.AdditionalVersionWeights ?? {})) wanted.add(v)
  }
  if (f.t.qualifier !== undefined) {
    const aliased = aliases.find((a) => a.Name === f.t.qualifier)
    wanted.add(aliased?.FunctionVersion ?? f.t.qualifier)
  }
  return [...wanted].sort(versionOrder)
}

/** GetFunction of every wanted version, and its code package checked against CodeSha256. */
async function readVersions(f: FunctionRead): Promise<Map<string, FunctionConfiguration>> {
  const configurations = new Map<string, FunctionConfiguration>()
  for (const version of f.summary.versions) {
    const got = await read(f, 'lambda:GetFunction', () => f.lambda.send(new GetFunctionCommand({FunctionName: f.name, ...(version === '$LATEST' ? {} : {Qualifier: version})}), opts(f)), `${f.t.input}:${version}`)
    if (!got) continue
    const {$metadata: _m, ...body} = got as GetFunctionCommandOutput
    await put(f, ['versions', version, 'function.json'], body, 'lambda.function', body.Configuration?.FunctionArn ?? `${f.source}:${version}`, {version, codeSha256: body.Configuration?.CodeSha256})
    if (body.Configuration) configurations.set(version, body.Configuration)
    if (await collectVersionCode({ctx: f.s.ctx, run: f.s.run, gaps: f.s.gaps, packages: f.s.packages, collector: COLLECTOR}, f.t, version, body, f.summary.functionArn)) f.summary.codePackages++
  }
  return configurations
}

function summariseLatest(f: FunctionRead, configurations: ReadonlyMap<string, FunctionConfiguration>): void {
  const latest = configurations.get('$LATEST') ?? configurations.values().next().value
  if (!latest) return
  if (latest.Runtime !== undefined) f.summary.runtime = latest.Runtime
  if (latest.PackageType !== undefined) f.summary.packageType = latest.PackageType
  if (latest.Role !== undefined) f.summary.role = latest.Role
  const env = redactEnvironment(latest.Environment?.Variables, f.s.ctx.showSecrets)
  if (env !== undefined) f.summary.environment = env
}

/** The resource policy and the URL of the function and of each alias (none is an answer, not a gap). */
async function readQualified(f: FunctionRead): Promise<void> {
  for (const q of [undefined, ...f.summary.aliases]) {
    const where = q === undefined ? [] : ['aliases', q]
    const resource = q === undefined ? f.t.input : `${f.t.input}:${q}`
    const withQualifier = {FunctionName: f.name, ...(q === undefined ? {} : {Qualifier: q})}
    const policy = await optional(f, 'lambda:GetPolicy', 'resource-based policy', resource, () => f.lambda.send(new GetPolicyCommand(withQualifier), opts(f)))
    if (policy) {
      const {$metadata: _m, ...p} = policy
      await put(f, [...where, 'policy.json'], {...p, Policy: parsePolicy(p.Policy)}, 'lambda.policy', resource, q === undefined ? {} : {qualifier: q})
    }
    const url = await optional(f, 'lambda:GetFunctionUrlConfig', 'function URL', resource, () => f.lambda.send(new GetFunctionUrlConfigCommand(withQualifier), opts(f)))
    if (url) {
      const {$metadata: _m, ...u} = url
      await put(f, [...where, 'url-config.json'], u, 'lambda.url-config', resource, {...(q === undefined ? {} : {qualifier: q}), authType: u.AuthType})
    }
  }
}

/** Event source mappings, reserved and provisioned concurrency, code signing. */
async function readTriggersAndLimits(f: FunctionRead): Promise<void> {
  const mappings: unknown[] = []
  const mappingsRead = await read(f, 'lambda:ListEventSourceMappings', async () => {
    for await (const page of paginateListEventSourceMappings({client: f.lambda}, {FunctionName: f.name})) mappings.push(...(page.EventSourceMappings ?? []))
    return true
  })
  if (mappingsRead) await put(f, ['event-source-mappings.json'], {EventSourceMappings: mappings}, 'lambda.event-source-mappings', f.source, {}, mappings.length)

  const reserved = await read(f, 'lambda:GetFunctionConcurrency', () => f.lambda.send(new GetFunctionConcurrencyCommand({FunctionName: f.name}), opts(f)))
  const provisioned: unknown[] = []
  const provisionedRead = await read(f, 'lambda:ListProvisionedConcurrencyConfigs', async () => {
    for await (const page of paginateListProvisionedConcurrencyConfigs({client: f.lambda}, {FunctionName: f.name})) provisioned.push(...(page.ProvisionedConcurrencyConfigs ?? []))
    return true
  })
  if (reserved || provisionedRead) {
    const value = {reserved: reserved ? (reserved.ReservedConcurrentExecutions ?? null) : null, provisioned: provisionedRead ? provisioned : null}
    await put(f, ['concurrency.json'], value, 'lambda.concurrency', f.source, {complete: reserved !== undefined && provisionedRead === true})
  }

  const signing = await read(f, 'lambda:GetFunctionCodeSigningConfig', () => f.lambda.send(new GetFunctionCodeSigningConfigCommand({FunctionName: f.name}), opts(f)))
  if (signing) {
    const {$metadata: _m, ...body} = signing
    await put(f, ['code-signing.json'], body, 'lambda.code-signing', f.source)
  }
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
