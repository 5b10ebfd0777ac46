import {z} from 'zod'
import {count, listCount, nullableSha256, nullableTime, result, sha256, text} from './common.js'

const codePackage = z
  .object({
    version: text,
    previousVersion: z.string().nullable(),
    status: text.describe('read, partial or unreadable'),
    entries: count.nullable(),
    indicators: count,
    anomalies: count,
    verified: z.boolean().nullable(),
    evidenceKey: text,
    evidenceSha256: nullableSha256,
  })
  .strict()

export const codeLsResult = result({
  function: text,
  version: z.string().nullable(),
  packages: z.array(codePackage),
  files: z.array(
    z
      .object({
        path: text,
        type: text,
        size: z.number().nullable(),
        mode: z.string().nullable(),
        modified: nullableTime,
        sha256: nullableSha256,
        content: z.string().nullable(),
        language: z.string().nullable(),
        indicators: count.nullable(),
        note: z.string().nullable(),
      })
      .strict(),
  ),
  anomalies: z.array(z.object({anomaly: text, path: z.string().nullable(), entryIndex: z.number().nullable(), detail: z.string().nullable()}).strict()),
  ...listCount,
})

const packageRef = z
  .object({functionName: text, region: z.string().nullable(), version: text, artifactKey: text, artifactSha256: sha256, versionId: z.string().nullable(), status: text, verified: z.boolean()})
  .strict()
const fileChange = z
  .object({
    path: text,
    change: z.enum(['added', 'removed', 'changed']),
    oldSha256: nullableSha256,
    newSha256: nullableSha256,
    oldSize: z.number().nullable(),
    newSize: z.number().nullable(),
    content: z.string().nullable(),
    entryIndex: z.object({old: z.number().nullable(), new: z.number().nullable()}).strict(),
  })
  .strict()

export const codeDiffResult = result({
  functionName: text,
  region: z.string().nullable(),
  from: packageRef,
  to: packageRef,
  newIndicators: z.array(z.object({path: text, line: z.number(), column: z.number(), kind: text, value: text, detail: z.string().nullable()}).strict()),
  files: z.object({added: z.array(fileChange), removed: z.array(fileChange), changed: z.array(fileChange)}).strict(),
  unchanged: count,
  patches: z.array(z.object({path: text, change: z.enum(['added', 'changed']), patch: z.string().nullable(), note: z.string().nullable()}).strict()),
  notDiffed: count.describe('Changed text files past the limit of files diffed'),
})

export const codeShowResult = result({
  function: text,
  version: text,
  path: text,
  type: text,
  size: count,
  sha256: nullableSha256,
  content: z.enum(['text', 'binary']).nullable(),
  text: z.string().nullable().describe('The text, environment values [redacted:NAME] unless --show-secrets; cut at 4 MiB (cut says so)'),
  cut: z.boolean(),
  binary: z.object({kind: text, head: text, strings: z.array(text)}).strict().nullable(),
  linkTarget: z.string().nullable(),
  evidenceKey: text,
  evidenceSha256: sha256,
})
