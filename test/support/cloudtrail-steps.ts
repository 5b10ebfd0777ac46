import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import type {DigestPublicKey} from '../../src/collectors/cloudtrail-keys.js'
import type {LookupFilter} from '../../src/collectors/cloudtrail-lookup.js'
import {runStep, type RunnerEnv} from '../../src/steps/runner.js'
import {collectCloudTrailArchive, collectCloudTrailLookup, type CloudTrailRunResult} from '../../src/steps/collect/cloudtrail.js'
import {cloudtrailDigestStep} from '../../src/steps/collect/cloudtrail-digest.js'
import {cloudtrailImportStep} from '../../src/steps/collect/cloudtrail-import.js'
import type {ValidationReport} from '../../src/collectors/cloudtrail-digest.js'
import {tempDir} from './temp.js'

/**
 * Requests as tests write them (dates, key objects, a signatures map), turned into the JSON
 * parameters the CloudTrail steps take (ISO times, files) and run through the runner, as the
 * commands run them.
 */
type Env = Omit<RunnerEnv, 'caseId'>

interface Keys {
  publicKeys?: readonly DigestPublicKey[]
  signatures?: Readonly<Record<string, string>>
}

async function keyFiles(keys: Keys): Promise<{publicKeys: string[]; signatures?: string}> {
  const dir = await tempDir('coroner-keys-')
  const publicKeys: string[] = []
  for (const [i, k] of (keys.publicKeys ?? []).entries()) {
    const file = path.join(dir, `key-${i}.pem`)
    await writeFile(file, k.key.export({type: 'spki', format: 'pem'}) as string)
    publicKeys.push(file)
  }
  if (keys.signatures === undefined) return {publicKeys}
  const signatures = path.join(dir, 'signatures.json')
  await writeFile(signatures, JSON.stringify(keys.signatures))
  return {publicKeys, signatures}
}

export type CloudTrailRequest =
  | {mode: 'lookup'; since?: Date; until?: Date; regions: readonly string[]; filters: readonly LookupFilter[]; ratePerSecond?: number; burst?: number; chunkEvents?: number; resume?: boolean}
  | ({mode: 'archive'; location: string; since: Date; until: Date; accounts?: readonly string[]; regions?: readonly string[]; concurrency?: number; validate?: boolean} & Keys)

/** `collect cloudtrail`, LookupEvents or archive, as the command runs it. */
export async function collectCloudTrail(env: Env, caseId: string, r: CloudTrailRequest): Promise<CloudTrailRunResult> {
  const runEnv = {...env, caseId}
  if (r.mode === 'lookup') {
    return collectCloudTrailLookup(runEnv, {
      ...(r.since ? {since: r.since.toISOString()} : {}),
      ...(r.until ? {until: r.until.toISOString()} : {}),
      regions: r.regions.length > 0 || r.resume ? [...r.regions] : [env.aws.defaultRegion],
      filters: [...r.filters],
      ...(r.ratePerSecond === undefined ? {} : {ratePerSecond: r.ratePerSecond}),
      ...(r.burst === undefined ? {} : {burst: r.burst}),
      ...(r.chunkEvents === undefined ? {} : {chunkEvents: r.chunkEvents}),
      resume: r.resume ?? false,
    })
  }
  return collectCloudTrailArchive(runEnv, {
    location: r.location,
    since: r.since.toISOString(),
    until: r.until.toISOString(),
    accounts: [...(r.accounts ?? [])],
    regions: [...(r.regions ?? [])],
    ...(r.concurrency === undefined ? {} : {concurrency: r.concurrency}),
    ...(r.validate === undefined ? {} : {validate: r.validate}),
    ...(await keyFiles(r)),
  })
}

/** `validate cloudtrail`: stored in the case when one is named, else in a scratch run. */
export async function validateCloudTrail(env: Env, r: {location: string} & Keys, caseId?: string): Promise<{report: ValidationReport; runId?: string}> {
  const params = {location: r.location, ...(await keyFiles(r)), storeDigests: caseId !== undefined}
  const {result, run} = await runStep({...env, caseId}, cloudtrailDigestStep, params, {scratch: caseId === undefined})
  if (!('report' in result)) throw new Error(`no validation: ${result.skipped}`)
  return {report: result.report, ...(caseId === undefined ? {} : {runId: run.runId})}
}

/** `import cloudtrail`: the import step in a run of its own; the run's figures beside the import's. */
export async function importCloudTrail(env: Env, caseId: string, paths: readonly string[]) {
  const {result, run} = await runStep({...env, caseId}, cloudtrailImportStep, {paths: [...paths]})
  return {...run, ...result}
}
