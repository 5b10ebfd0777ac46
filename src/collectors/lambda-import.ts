import type {EvidenceRun} from '../evidence/run.js'
import type {FileAccount, FileStatus, ImportInput} from './cloudtrail-import.js'
import type {AwsContext} from './context.js'
import {fileCounts, importEach} from './import-run.js'
import {listInputs} from './import-walk.js'

/** The API outputs it recognises, each with the artifact kind the collector gives the same answer. */
export const LAMBDA_IMPORT_SHAPES = {
  GetFunction: 'lambda.function',
  GetFunctionConfiguration: 'lambda.function',
  GetPolicy: 'lambda.policy',
  GetFunctionUrlConfig: 'lambda.url-config',
  ListAliases: 'lambda.aliases',
  ListEventSourceMappings: 'lambda.event-source-mappings',
  GetLayerVersion: 'lambda.layer',
  ListFunctions: 'lambda.inventory',
  GetRole: 'iam.role',
} as const

export type ImportShape = keyof typeof LAMBDA_IMPORT_SHAPES

/** What lambda-import is: it reads files, so it declares no AWS operation (it is no collector of the registry). */
export const lambdaImportCollector = {
  id: 'lambda-import',
  title: 'Lambda and IAM API outputs handed over as files (aws lambda get-function, get-policy, get-function-url-config, iam get-role, …), kept byte for byte under the kinds the collector gives them',
  produces: [...new Set(Object.values(LAMBDA_IMPORT_SHAPES))] as readonly string[],
}

const COLLECTOR = lambdaImportCollector.id
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/** Which API output a document is, by the fields only that output has; undefined for anything else. */
export function importShape(doc: unknown): ImportShape | undefined {
  if (!isObject(doc)) return undefined
  if (isObject(doc.Configuration) && str(doc.Configuration.FunctionArn)) return 'GetFunction'
  if (isObject(doc.Role) && str(doc.Role.Arn) && str(doc.Role.RoleName)) return 'GetRole'
  if (doc.Policy !== undefined && (typeof doc.Policy === 'string' || isObject(doc.Policy))) return 'GetPolicy'
  if (str(doc.FunctionUrl) && str(doc.AuthType)) return 'GetFunctionUrlConfig'
  if (Array.isArray(doc.Aliases)) return 'ListAliases'
  if (Array.isArray(doc.EventSourceMappings)) return 'ListEventSourceMappings'
  if (Array.isArray(doc.Functions)) return 'ListFunctions'
  if (str(doc.LayerVersionArn) && isObject(doc.Content)) return 'GetLayerVersion'
  if (str(doc.FunctionArn) && str(doc.FunctionName) && (str(doc.Runtime) || str(doc.PackageType) || str(doc.CodeSha256))) return 'GetFunctionConfiguration'
  return undefined
}

/** The ARN the output is about (the function, layer or role), where it names one. */
function subjectOf(shape: ImportShape, doc: Record<string, unknown>): string | undefined {
  const cfg = isObject(doc.Configuration) ? doc.Configuration : doc
  switch (shape) {
    case 'GetFunction':
    case 'GetFunctionConfiguration':
    case 'GetFunctionUrlConfig':
      return str(cfg.FunctionArn)
    case 'GetPolicy': {
      const policy = typeof doc.Policy === 'string' ? safeJson(doc.Policy) : doc.Policy
      const statements = isObject(policy) ? policy.Statement : undefined
      const first = Array.isArray(statements) ? statements[0] : statements
      return isObject(first) ? str(first.Resource) : undefined
    }
    case 'ListAliases':
      return str((doc.Aliases as unknown[]).map((a) => (isObject(a) ? a.AliasArn : undefined)).find(str))?.split(':').slice(0, 7).join(':')
    case 'ListEventSourceMappings':
      return str((doc.EventSourceMappings as unknown[]).map((m) => (isObject(m) ? m.FunctionArn : undefined)).find(str))
    case 'GetLayerVersion':
      return str(doc.LayerVersionArn)
    case 'GetRole':
      return str((doc.Role as Record<string, unknown>).Arn)
    case 'ListFunctions':
      return undefined
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** The name in an ARN's resource part: `function:name[:qualifier]`, `layer:name:version`, `role/path/name`. */
const resourceName = (resource: string): string => (resource.includes('/') ? resource.split('/').at(-1)! : (resource.split(':')[1] ?? resource))

/** What became of one file: a FileAccount, with the kind it was kept as and what it is about. */
export interface ImportedFile extends FileAccount {
  /** The artifact kind it was kept as; its `shape` is the API output it is (GetFunction, GetPolicy, …). */
  kind?: string
  subject?: string
}

/** Every file of the paths given counted: imported, not an output it reads (named, with why), refused, or not reached. */
export interface LambdaImport {
  files: number
  read: number
  imported: number
  /** Read, and no output lambda-import reads: not JSON, or JSON of another shape. */
  unrecognised: number
  refused: number
  notRead: number
  interrupted: boolean
  perFile: ImportedFile[]
}

async function bytesOf(input: ImportInput): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of await input.open()) chunks.push(Buffer.from(chunk))
  return Buffer.concat(chunks)
}

/** One file read: kept byte for byte under the kind the collector gives the same answer, or named as not an output it reads. */
async function importOutput(run: EvidenceRun, input: ImportInput): Promise<ImportedFile> {
  const bytes = await bytesOf(input)
  const doc = safeJson(bytes.toString('utf8').replace(/^\uFEFF/, ''))
  const shape = importShape(doc)
  const none = {file: input.uri, loaded: 0, skipped: 0, skips: []}
  if (doc === undefined) return {...none, status: 'unrecognised', code: 'invalid-json', reason: 'not JSON'}
  if (!shape) return {...none, status: 'unrecognised', code: 'unknown-shape', reason: `JSON of none of the outputs lambda-import reads (${Object.keys(LAMBDA_IMPORT_SHAPES).join(', ')}); preserve it with \`coroner evidence add\``}
  const kind = LAMBDA_IMPORT_SHAPES[shape]
  const subject = subjectOf(shape, doc as Record<string, unknown>)
  const arn = /^arn:aws[a-z-]*:([a-z]+):([a-z0-9-]*):(\d*):(.+)$/.exec(subject ?? '')
  const region = arn?.[2] || (shape === 'GetRole' ? 'global' : 'unknown-region')
  const resource = arn ? resourceName(arn[4]!) : 'unknown'
  const record = await run.putArtifact([kind.startsWith('iam.') ? 'iam' : 'lambda', region, resource, 'imported', input.name], bytes, {
    kind,
    contentType: 'application/json',
    source: subject ?? `file://${input.uri}`,
    collector: COLLECTOR,
    ...(arn?.[2] ? {region: arn[2]} : {}),
    attributes: {importedFrom: `file://${input.uri}`, originalName: input.name, shape},
  })
  return {...none, status: 'imported', loaded: 1, shape, kind, ...(subject === undefined ? {} : {subject}), original: record.key}
}

/**
 * Imports Lambda and IAM API outputs: each file is stored byte for byte under the artifact kind the
 * collector gives the same answer, beside the function (or role) it is about, so `load` reads it
 * as it reads a live snapshot. Every entry of the paths given is accounted for as CloudTrail
 * imports are (the same walk and journal): a file that is not JSON, or not one of the outputs it
 * knows (a licence beside them), is named with why and is a gap; special files and links out of
 * the folder are refused, named; the others still land.
 */
export async function importLambdaOutputs(ctx: AwsContext, paths: readonly string[]): Promise<LambdaImport> {
  const entries = await listInputs(paths)
  await ctx.run.note('lambda-import listed', {paths, entries: entries.length})
  const {perFile, interrupted} = await importEach(ctx, entries, {collector: COLLECTOR, note: 'lambda-import', title: 'Importing Lambda and IAM outputs', unit: 'output(s)', read: importOutput})
  if (interrupted) await ctx.run.note('lambda-import interrupted', {files: entries.length})
  const count = (status: FileStatus): number => perFile.filter((f) => f.status === status).length
  return {...fileCounts(perFile, interrupted), unrecognised: count('unrecognised'), perFile}
}
