import {readFile, readdir, stat} from 'node:fs/promises'
import path from 'node:path'
import {usageError} from '../core/errors.js'
import type {RecordingContext} from '../evidence/context.js'

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

export interface ImportedFile {
  file: string
  shape?: ImportShape
  kind?: string
  subject?: string
  key?: string
  problem?: string
}

/** Every .json file of the paths given (a folder is read one level deep, in name order). */
async function filesOf(paths: readonly string[]): Promise<string[]> {
  const out: string[] = []
  for (const p of paths) {
    const s = await stat(p).catch(() => undefined)
    if (!s) throw usageError('file-not-found', `Cannot read ${p}: no such file or folder.`, 'Check the path; nothing was imported.')
    if (s.isFile()) out.push(p)
    else for (const name of (await readdir(p)).sort()) if (/\.json$/i.test(name)) out.push(path.join(p, name))
  }
  return out
}

/**
 * Imports Lambda and IAM API outputs: each file is stored byte for byte under the artifact kind the
 * collector gives the same answer, beside the function (or role) it is about, so `load` reads it
 * as it reads a live snapshot. A file that is not JSON, or not one of the outputs it knows, is a
 * gap naming the file, and the others still land.
 */
export async function importLambdaOutputs(ctx: RecordingContext, paths: readonly string[]): Promise<{files: ImportedFile[]}> {
  const files: ImportedFile[] = []
  for (const file of await filesOf(paths)) {
    if (ctx.signal.aborted) break
    const absolute = path.resolve(file)
    const bytes = await readFile(absolute)
    const doc = safeJson(bytes.toString('utf8'))
    const shape = importShape(doc)
    if (doc === undefined || !shape) {
      const code = doc === undefined ? 'invalid-json' : 'unknown-shape'
      const problem = doc === undefined ? `${path.basename(file)} is not JSON` : `${path.basename(file)} is none of the outputs lambda-import reads (${Object.keys(LAMBDA_IMPORT_SHAPES).join(', ')}); preserve it with \`coroner evidence add\``
      await ctx.gaps.add({collector: COLLECTOR, resource: `file://${absolute}`, code, reason: problem})
      files.push({file: absolute, problem})
      continue
    }
    const kind = LAMBDA_IMPORT_SHAPES[shape]
    const subject = subjectOf(shape, doc as Record<string, unknown>)
    const arn = /^arn:aws[a-z-]*:([a-z]+):([a-z0-9-]*):(\d*):(.+)$/.exec(subject ?? '')
    const region = arn?.[2] || (shape === 'GetRole' ? 'global' : 'unknown-region')
    const resource = arn ? resourceName(arn[4]!) : 'unknown'
    const record = await ctx.run.putArtifact([kind.startsWith('iam.') ? 'iam' : 'lambda', region, resource, 'imported', path.basename(file)], bytes, {
      kind,
      contentType: 'application/json',
      source: subject ?? `file://${absolute}`,
      collector: COLLECTOR,
      ...(arn?.[2] ? {region: arn[2]} : {}),
      attributes: {importedFrom: `file://${absolute}`, originalName: path.basename(file), shape},
    })
    files.push({file: absolute, shape, kind, ...(subject === undefined ? {} : {subject}), key: record.key})
  }
  return {files}
}
