import {z} from 'zod'
import type {FileAccount} from '../../collectors/cloudtrail-import.js'
import {SKIP_REASONS, type SkipClass} from '../../collectors/import-account.js'
import type {ImportAccount} from '../../collectors/import-run.js'
import type {LambdaImport} from '../../collectors/lambda-import.js'
import {count, text} from './common.js'

const skipReason = z.enum(Object.keys(SKIP_REASONS) as [keyof typeof SKIP_REASONS, ...Array<keyof typeof SKIP_REASONS>])

const skipClass = z
  .object({
    reason: skipReason,
    count,
    first: z.array(z.object({line: count.nullable(), item: count.nullable()}).strict()).describe('The first few positions, in file order (line: NDJSON, 1-based; item: index in an array or Records[])'),
    example: z.string().nullable().describe('What the first one held (for not-cloudtrail: the keys found)'),
  })
  .strict()

export const fileAccount = z
  .object({
    file: text,
    status: z.enum(['imported', 'partial', 'nothing-usable', 'malformed', 'not-cloudtrail', 'unrecognised', 'not-read', 'refused']),
    shape: z.string().nullable().describe('The shape the file was read as (delivery-file, ndjson, eventbridge, …)'),
    mappings: z.record(z.string(), count).describe('How its records were reached, with how many each way'),
    loaded: count,
    skipped: count,
    skips: z.array(skipClass),
    timeFrom: z.record(z.string(), count).describe('Records whose eventTime was taken from their wrapper, by the wrapper\'s field'),
    code: z.string().nullable(),
    reason: z.string().nullable(),
    original: z.string().nullable().describe('The evidence key of the file as it was'),
    records: z.string().nullable().describe('The evidence key of its records'),
  })
  .strict()

/** An import's account: every file and every record loaded, or counted as skipped with a reason. */
export const importAccount = z
  .object({
    files: count.describe('Every entry of the paths given, read or not'),
    read: count,
    imported: count,
    partial: count,
    nothingUsable: count,
    malformed: count,
    notCloudTrail: count,
    refused: count.describe('Entries named but not read: special files, links out of the folder, second names'),
    notRead: count.describe('Files not read because the import was interrupted'),
    interrupted: z.boolean(),
    records: count,
    skipped: count,
    skips: z.record(z.string(), count).describe('Skipped items by reason, over every file'),
    validation: z.literal('unvalidated').describe('Imported files carry no digest: nothing vouches for them'),
    perFile: z.array(fileAccount),
  })
  .strict()

const skipJson = (s: SkipClass): z.output<typeof skipClass> => ({
  reason: s.reason,
  count: s.count,
  first: s.first.map((p) => ({line: p.line ?? null, item: p.item ?? null})),
  example: s.example ?? null,
})

export const fileJson = (f: FileAccount): z.output<typeof fileAccount> => ({
  file: f.file,
  status: f.status,
  shape: f.shape ?? null,
  mappings: {...f.mappings} as Record<string, number>,
  loaded: f.loaded,
  skipped: f.skipped,
  skips: f.skips.map(skipJson),
  timeFrom: f.timeFrom ?? {},
  code: f.code ?? null,
  reason: f.reason ?? null,
  original: f.original ?? null,
  records: f.records ?? null,
})

/** An import's account as --json gives it (absent values null). */
export const importAccountJson = (a: ImportAccount): z.output<typeof importAccount> => ({
  files: a.files,
  read: a.read,
  imported: a.imported,
  partial: a.partial,
  nothingUsable: a.nothingUsable,
  malformed: a.malformed,
  notCloudTrail: a.notCloudTrail,
  refused: a.refused,
  notRead: a.notRead,
  interrupted: a.interrupted,
  records: a.records,
  skipped: a.skipped,
  skips: {...a.skips} as Record<string, number>,
  validation: a.validation,
  perFile: a.perFile.map(fileJson),
})

/** A lambda-import's account: every file imported, named as not an output it reads, refused or not reached. */
export const lambdaImportAccount = z
  .object({
    files: count.describe('Every entry of the paths given, read or not'),
    read: count,
    imported: count,
    unrecognised: count.describe('Files read that are no output lambda-import reads (not JSON, or JSON of another shape): each named in perFile, and a gap'),
    refused: count.describe('Entries named but not read: special files, links out of the folder, second names'),
    notRead: count.describe('Files not read because the import was interrupted'),
    interrupted: z.boolean(),
    perFile: z.array(fileAccount.extend({kind: z.string().nullable().describe('The artifact kind the file was kept as'), subject: z.string().nullable().describe('The ARN the output is about')}).strict()),
  })
  .strict()

/** A lambda-import's account as --json gives it (absent values null). */
export const lambdaImportJson = (a: LambdaImport): z.output<typeof lambdaImportAccount> => ({
  files: a.files,
  read: a.read,
  imported: a.imported,
  unrecognised: a.unrecognised,
  refused: a.refused,
  notRead: a.notRead,
  interrupted: a.interrupted,
  perFile: a.perFile.map((f) => ({...fileJson(f), kind: f.kind ?? null, subject: f.subject ?? null})),
})
