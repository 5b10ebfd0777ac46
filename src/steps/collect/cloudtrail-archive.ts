import {z} from 'zod'
import {cloudtrailArchiveCollector, collectArchive, hasTrailLayout, importRecordFiles} from '../../collectors/cloudtrail-archive.js'
import {openArchive, resolveArchiveLocation} from '../../collectors/cloudtrail-source.js'
import {usageError} from '../../core/errors.js'
import {defineStep} from '../step.js'
import {declaredBy} from './declared.js'

/** Which part of a trail archive a step reads: the same fields for collecting and for validating it. */
export const archiveSelection = {
  location: z.string().min(1).describe('s3://bucket/prefix, or a local folder holding AWSLogs/ (or plain CloudTrail JSON files)'),
  accounts: z.array(z.string().min(1)).default([]).describe('Accounts to read; default all'),
  regions: z.array(z.string().min(1)).default([]).describe('Regions to read; default all'),
}

export const fromS3 = (location: string): boolean => location.startsWith('s3://')

const time = z.iso.datetime({offset: true})
const params = z
  .object({
    ...archiveSelection,
    since: time.describe('Start of the window (ISO 8601)'),
    until: time.describe('End of the window (ISO 8601)'),
    concurrency: z.number().int().min(1).default(16).describe('Files downloaded and stored at once'),
  })
  .strict()

/**
 * `collect cloudtrail --archive`: a trail's log files for a window, stored byte for byte, each
 * with the SHA-256 of its inflated bytes (what digest validation checks). A folder without
 * AWSLogs/ is read as plain CloudTrail JSON files.
 */
export const cloudtrailArchiveStep = defineStep({
  ...declaredBy(cloudtrailArchiveCollector),
  kind: 'collect',
  command: 'collect cloudtrail',
  params,
  records: true,
  permissions: (p) => (p === undefined || fromS3(p.location) ? cloudtrailArchiveCollector.permissions : []),
  usesAws: (p) => fromS3(p.location),
  async prepare(_ctx, p) {
    if (Date.parse(p.since) > Date.parse(p.until)) throw usageError('invalid-window', `--since ${p.since} is after --until ${p.until}.`, 'Swap them.')
    return {...p, location: await resolveArchiveLocation(p.location)}
  },
  async run(ctx, p) {
    const source = openArchive(p.location, ctx.aws)
    try {
      if (!(await hasTrailLayout(source, ctx.signal))) return importRecordFiles(ctx, source)
      return await collectArchive(ctx, source, {since: new Date(p.since), until: new Date(p.until), accounts: p.accounts, regions: p.regions, concurrency: p.concurrency})
    } finally {
      source.close()
    }
  },
})
