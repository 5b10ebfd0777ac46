import {GetLayerVersionCommand, LambdaClient, type GetFunctionCommandOutput} from '@aws-sdk/client-lambda'
import type {AwsEnv} from './context.js'
import type {EvidenceRun} from '../evidence/run.js'
import {storeVerifiedPackage} from './download.js'
import type {GapLog} from '../evidence/gap-log.js'
import type {FunctionTarget} from './lambda-target.js'

/** What code collection needs from the run, and the packages stored so far (by region, function and CodeSha256). */
export interface CodeState {
  ctx: AwsEnv
  run: EvidenceRun
  gaps: GapLog
  packages: Map<string, string>
  collector: string
}

/**
 * Stores one version's deployment package, verified against its CodeSha256; versions sharing a
 * package store it once. Container image functions are recorded by image URI and digest (the
 * image itself lives in ECR). True when a package was stored.
 */
export async function collectVersionCode(
  s: CodeState,
  t: FunctionTarget,
  version: string,
  body: Omit<GetFunctionCommandOutput, '$metadata'>,
  functionArn: string | undefined,
): Promise<boolean> {
  const {ctx, run, gaps, collector} = s
  const config = body.Configuration
  const resource = `${functionArn ?? t.input}:${version}`
  if (config?.PackageType === 'Image') {
    await run.note(`${resource} is a container image function; its image is recorded by digest, not downloaded.`, {
      collector,
      resource,
      imageUri: body.Code?.ImageUri,
      resolvedImageUri: body.Code?.ResolvedImageUri,
    })
    return false
  }
  const sha = config?.CodeSha256
  const packages = s.packages
  const packageKey = `${t.region}/${t.functionName}/${sha}`
  if (sha !== undefined && packages.has(packageKey)) {
    await run.note(`${resource} shares its code package with version ${packages.get(packageKey)}; stored once.`, {collector, resource, codeSha256: sha})
    return false
  }
  const hex = sha === undefined ? 'unknown' : Buffer.from(sha, 'base64').toString('hex')
  const stored = await storeVerifiedPackage(run, gaps, ctx.signal, {
    url: body.Code?.Location,
    codeSha256: sha,
    segments: ['lambda', t.region, t.functionName, 'versions', version, 'code.zip'],
    mismatchSegments: ['lambda', t.region, t.functionName, 'versions', version, 'code.sha256-mismatch.zip'],
    meta: {
      kind: 'lambda.code',
      contentType: 'application/zip',
      source: resource,
      collector,
      region: t.region,
      attributes: {functionName: t.functionName, version, expectedSha256Hex: hex, codeSize: config?.CodeSize},
    },
    resource,
    operation: 'lambda:GetFunction Code',
  })
  if (stored && sha !== undefined) packages.set(packageKey, version)
  return stored !== undefined
}

/** Stores a layer version's metadata (GetLayerVersion) and its content, verified against its CodeSha256. */
export async function collectLayer(s: CodeState, layerVersionArn: string): Promise<void> {
  const {ctx, run, gaps, collector} = s
  const m = /^(arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):layer:([^:]+)):(\d+)$/.exec(layerVersionArn)
  if (!m) {
    await gaps.add({collector, resource: layerVersionArn, code: 'malformed-arn', reason: `Layer ARN ${JSON.stringify(layerVersionArn)} is not of the form arn:aws:lambda:<region>:<account>:layer:<name>:<version>.`})
    return
  }
  const [, layerArn, region, , layerName, version] = m as unknown as [string, string, string, string, string, string]
  const lambda = ctx.aws.client(LambdaClient, region)
  // GetLayerVersion with the layer ARN works for other accounts' layers too, like GetLayerVersionByArn.
  const got = await gaps.attempt({collector, resource: layerVersionArn, region, operation: 'lambda:GetLayerVersion'}, () =>
    lambda.send(new GetLayerVersionCommand({LayerName: layerArn, VersionNumber: Number(version)}), {abortSignal: ctx.signal}),
  )
  if (got === undefined) return
  const {$metadata: _m, ...body} = got
  const base = ['lambda', region, 'layers', layerName, version]
  await run.putArtifact([...base, 'layer.json'], JSON.stringify(body, null, 2), {
    kind: 'lambda.layer',
    contentType: 'application/json',
    source: layerVersionArn,
    collector,
    region,
    attributes: {layerName, version: Number(version), codeSha256: body.Content?.CodeSha256},
  })
  await storeVerifiedPackage(run, gaps, ctx.signal, {
    url: body.Content?.Location,
    codeSha256: body.Content?.CodeSha256,
    segments: [...base, 'content.zip'],
    mismatchSegments: [...base, 'content.sha256-mismatch.zip'],
    meta: {
      kind: 'lambda.layer-code',
      contentType: 'application/zip',
      source: layerVersionArn,
      collector,
      region,
      attributes: {layerName, version: Number(version), codeSize: body.Content?.CodeSize},
    },
    resource: layerVersionArn,
    operation: 'lambda:GetLayerVersion Content',
  })
}
