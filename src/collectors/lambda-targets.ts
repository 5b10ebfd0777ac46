import {LambdaClient, ListTagsCommand, paginateListFunctions, type FunctionConfiguration} from '@aws-sdk/client-lambda'
import {mapPool} from '../core/pool.js'
import {rethrowStoreWriteFailure} from '../evidence/gap-log.js'
import type {AwsContext} from './context.js'
import type {CollectorDefinition} from './definition.js'

export const lambdaTargetsCollector: CollectorDefinition = {
  id: 'lambda-targets',
  title: 'Which functions a playbook works on: names and ARNs as given, tag selectors and * resolved with ListFunctions and ListTags',
  operations: ['lambda:ListFunctions', 'lambda:ListTags'],
  permissions: ['lambda:ListFunctions', 'lambda:ListTags'],
  produces: ['lambda.inventory'],
}

const COLLECTOR = lambdaTargetsCollector.id

/** One way of naming functions: by name, by ARN, by tag (`tag:team=payments`, `tag:team`), or `*` for all. */
export type Selector =
  | {kind: 'name'; text: string; name: string}
  | {kind: 'arn'; text: string; arn: string; region: string}
  | {kind: 'tag'; text: string; key: string; value?: string}
  | {kind: 'all'; text: string}

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/
const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$/

/** A selector as written, or undefined when it is none of the four forms. */
export function parseSelector(text: string): Selector | undefined {
  if (text === '*' || text === 'all') return {kind: 'all', text}
  if (text.startsWith('tag:')) {
    const [key, ...rest] = text.slice(4).split('=')
    if (key === undefined || key === '') return undefined
    return rest.length === 0 ? {kind: 'tag', text, key} : {kind: 'tag', text, key, value: rest.join('=')}
  }
  const arn = FUNCTION_ARN.exec(text)
  if (arn) return {kind: 'arn', text, arn: text, region: arn[1]!}
  return FUNCTION_NAME.test(text) ? {kind: 'name', text, name: text} : undefined
}

export const SELECTOR_HELP = 'a function name, a function ARN, tag:KEY=VALUE (or tag:KEY), or * for every function in the regions'

/** Whether resolving these selectors needs AWS (tags and * do; names and ARNs do not). */
export const selectorsNeedAws = (selectors: readonly string[]): boolean => selectors.some((s) => {
  const kind = parseSelector(s)?.kind
  return kind === 'tag' || kind === 'all'
})

export interface TargetsRequest {
  selectors: readonly string[]
  regions?: readonly string[] | undefined
  concurrency?: number
}

export interface TargetsResult {
  /**
   * What to hand the steps that take functions (with `region`): a function found in `region` by
   * its name, one elsewhere by its ARN, names and ARNs given as they were.
   */
  functions: string[]
  /** Where bare names are looked up: the first region. */
  region: string
  regions: string[]
  selectors: Array<{selector: string; kind: Selector['kind']; matched: string[]}>
}

/**
 * Resolves selectors to functions. Names and ARNs are taken as given, without a call; tag selectors
 * and `*` list every function of each region (ListFunctions, and ListTags per function for tags),
 * and that listing is kept as evidence (`lambda.inventory`). A region that cannot be listed is a gap.
 */
export async function resolveTargets(ctx: AwsContext, request: TargetsRequest): Promise<TargetsResult> {
  const selectors = request.selectors.map((s) => parseSelector(s)!)
  const regions = request.regions && request.regions.length > 0 ? [...new Set(request.regions)] : [ctx.aws.defaultRegion]
  const needsTags = selectors.some((s) => s.kind === 'tag')
  const listed = selectors.some((s) => s.kind === 'tag' || s.kind === 'all') ? await listRegions(ctx, regions, needsTags, request.concurrency ?? 4) : []
  const out: TargetsResult = {functions: [], region: regions[0]!, regions, selectors: []}
  for (const s of selectors) {
    const matched =
      s.kind === 'name' ? [s.name] : s.kind === 'arn' ? [s.arn] : listed.filter((f) => s.kind === 'all' || matchesTag(f.tags, s.key, s.value)).map((f) => (f.region === out.region ? f.name : f.arn))
    out.selectors.push({selector: s.text, kind: s.kind, matched})
    for (const m of matched) if (!out.functions.includes(m)) out.functions.push(m)
  }
  for (const s of out.selectors) if (s.matched.length === 0) await ctx.run.note(`selector ${s.selector} matched no function in ${regions.join(', ')}`, {collector: COLLECTOR, selector: s.selector})
  return out
}

interface ListedFunction {
  arn: string
  name: string
  region: string
  tags: Record<string, string> | undefined
}

const matchesTag = (tags: Record<string, string> | undefined, key: string, value: string | undefined): boolean =>
  tags !== undefined && Object.hasOwn(tags, key) && (value === undefined || tags[key] === value)

async function listRegions(ctx: AwsContext, regions: readonly string[], withTags: boolean, concurrency: number): Promise<ListedFunction[]> {
  const all: ListedFunction[] = []
  for (const region of regions) {
    const lambda = ctx.aws.client(LambdaClient, region)
    const functions = await ctx.gaps.attempt({collector: COLLECTOR, resource: `functions in ${region}`, region, operation: 'lambda:ListFunctions'}, async () => {
      const found: FunctionConfiguration[] = []
      for await (const page of paginateListFunctions({client: lambda}, {})) found.push(...(page.Functions ?? []))
      return found
    })
    if (!functions) continue
    const tags: Record<string, Record<string, string>> = {}
    if (withTags) {
      const settled = await mapPool(
        functions.filter((f) => f.FunctionArn !== undefined),
        concurrency,
        async (f) => {
          const got = await ctx.gaps.attempt({collector: COLLECTOR, resource: f.FunctionArn!, region, operation: 'lambda:ListTags'}, () =>
            lambda.send(new ListTagsCommand({Resource: f.FunctionArn!}), {abortSignal: ctx.signal}),
          )
          if (got) tags[f.FunctionArn!] = got.Tags ?? {}
        },
        ctx.signal,
      )
      rethrowStoreWriteFailure(settled)
    }
    await ctx.run.putArtifact(['lambda', region, 'inventory.json'], JSON.stringify({Region: region, Functions: functions, ...(withTags ? {Tags: tags} : {})}, null, 2), {
      kind: 'lambda.inventory',
      contentType: 'application/json',
      source: `lambda:ListFunctions ${region}`,
      collector: COLLECTOR,
      region,
      records: functions.length,
    })
    for (const f of functions) if (f.FunctionArn !== undefined) all.push({arn: f.FunctionArn, name: f.FunctionName ?? f.FunctionArn, region, tags: tags[f.FunctionArn]})
  }
  return all
}
