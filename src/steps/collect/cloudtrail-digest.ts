import {stat} from 'node:fs/promises'
import path from 'node:path'
import {z} from 'zod'
import {discoverPartitions, hasTrailLayout} from '../../collectors/cloudtrail-archive.js'
import {cloudtrailDigestCollector, validateDigests, type ValidationReport} from '../../collectors/cloudtrail-digest.js'
import {loadValidationInputs} from '../../collectors/cloudtrail-keys.js'
import {openArchive, resolveArchiveLocation, type ArchiveSource} from '../../collectors/cloudtrail-source.js'
import type {AwsContext} from '../../collectors/context.js'
import {usageError} from '../../core/errors.js'
import {defineStep} from '../step.js'
import {declaredBy} from './declared.js'
import {archiveSelection, fromS3} from './cloudtrail-archive.js'

const time = z.iso.datetime({offset: true})
const params = z
  .object({
    ...archiveSelection,
    since: time.optional().describe('Validate digests from this time (ISO 8601); default all'),
    until: time.optional().describe('Validate digests up to this time (ISO 8601)'),
    publicKeys: z.array(z.string().min(1)).default([]).describe('CloudTrail public key files (PEM or DER) for offline validation instead of ListPublicKeys'),
    signatures: z.string().min(1).optional().describe('JSON file mapping digest files to their signatures, for copies without S3 metadata'),
    storeDigests: z.boolean().default(true).describe('Also store every digest byte for byte as evidence'),
    whenNoDigests: z
      .enum(['error', 'warn', 'skip'])
      .default('error')
      .describe('When the archive holds no digest: a usage error, a warning in the run, or nothing (validation only when there is something to validate)'),
  })
  .strict()
type Params = z.output<typeof params>

/** The result: the validation report, or why nothing was validated. */
export type DigestStepResult = {report: ValidationReport} | {skipped: string}

/**
 * `validate cloudtrail`, and the second step of `collect cloudtrail --archive`: each digest's
 * signature, each listed log file's hash and the chain of digests. A log file the archive step
 * already stored in the same run is checked against the hash that step recorded, not read again.
 */
export const cloudtrailDigestStep = defineStep({
  ...declaredBy(cloudtrailDigestCollector),
  kind: 'collect',
  command: 'validate cloudtrail',
  params,
  records: true,
  permissions: (p) =>
    p === undefined ? cloudtrailDigestCollector.permissions : cloudtrailDigestCollector.permissions.filter((a) => (a.startsWith('s3:') ? fromS3(p.location) : p.publicKeys.length === 0)),
  usesAws: (p) => fromS3(p.location) || p.publicKeys.length === 0,
  async prepare(_ctx, p) {
    const location = await resolveArchiveLocation(p.location)
    if (p.whenNoDigests === 'error' && !fromS3(location) && !(await stat(path.join(location, 'AWSLogs')).catch(() => undefined))) throw notATrail(location)
    // A key or signatures file that cannot be read is a usage error before anything runs.
    await loadValidationInputs(p.publicKeys, p.signatures)
    return {...p, location}
  },
  async run(ctx, p): Promise<DigestStepResult> {
    const source = openArchive(p.location, ctx.aws)
    try {
      const absent = await noDigests(ctx, source, p)
      if (absent !== undefined) {
        if (p.whenNoDigests === 'error') throw notATrail(source.location)
        if (p.whenNoDigests === 'warn') await ctx.run.warn(`--validate: ${absent}; nothing to validate.`)
        return {skipped: absent}
      }
      const inputs = await loadValidationInputs(p.publicKeys, p.signatures)
      const window = p.since !== undefined && p.until !== undefined ? {since: new Date(p.since), until: new Date(p.until)} : {}
      const report = await validateDigests(ctx, source, {...window, accounts: p.accounts, regions: p.regions, storeDigests: p.storeDigests, ...inputs})
      return {report}
    } finally {
      source.close()
    }
  },
  // What validation found (a log file altered, missing, a digest out of its chain) is a finding (exit 3).
  assess: (r) => ({findings: 'report' in r ? r.report.summary.findings : 0}),
})

/** Why the archive has nothing to validate, or undefined when it holds digest folders. */
async function noDigests(ctx: AwsContext, source: ArchiveSource, p: Params): Promise<string | undefined> {
  const trail = await hasTrailLayout(source, ctx.signal)
  if (p.whenNoDigests === 'error') return trail ? undefined : `${source.location} holds no AWSLogs/ folder`
  if (trail) {
    for (const partition of await discoverPartitions(source, p.accounts, ctx.signal)) {
      if ((await source.folders(`${partition.prefix}CloudTrail-Digest/`, ctx.signal)).length > 0) return undefined
    }
  }
  return `no CloudTrail-Digest folder under ${source.location}`
}

const notATrail = (location: string) =>
  usageError('not-a-trail-archive', `${location} holds no AWSLogs/ folder.`, 'Point at the folder or s3://bucket/prefix that contains AWSLogs/<account>/CloudTrail-Digest/.')
