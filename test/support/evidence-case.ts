import {readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {gzipSync} from 'node:zlib'
import {fixedClock} from '../../src/core/clock.js'
import {LocalDirectoryStore} from '../../src/evidence/local-store.js'
import {EvidenceRun} from '../../src/evidence/run.js'
import type {ArtifactRecord} from '../../src/evidence/manifest.js'

export const FIXTURES = path.resolve(fileURLToPath(import.meta.url), '../../fixtures')

/** The CloudTrail records of one Stratus Red Team technique's detonation log. */
export function stratusRecords(technique: string): Array<Record<string, unknown>> {
  return JSON.parse(readFileSync(path.join(FIXTURES, 'stratus', `${technique}.json`), 'utf8')) as Array<Record<string, unknown>>
}

export const gz = (text: string): Buffer => gzipSync(Buffer.from(text, 'utf8'))
export const ndjson = (items: unknown[]): string => items.map((i) => `${JSON.stringify(i)}\n`).join('')

/** One artifact to write, in the format the kind's contract gives (docs/evidence-format.md). */
export interface ArtifactSpec {
  segments: string[]
  kind: string
  body: string | Uint8Array
  source?: string
  contentType?: string
  attributes?: Record<string, unknown>
}

export const deliveryFile = (records: unknown[], name = 'trail.json.gz'): ArtifactSpec => ({
  segments: ['cloudtrail', 'us-east-1', 'archive', name],
  kind: 'cloudtrail.delivery-file',
  body: gz(JSON.stringify({Records: records})),
  contentType: 'application/json+gzip',
})

export const recordsFile = (records: unknown[], name = 'records.ndjson.gz'): ArtifactSpec => ({
  segments: ['cloudtrail', 'us-east-1', 'records', name],
  kind: 'cloudtrail.records',
  body: gz(ndjson(records)),
  contentType: 'application/x-ndjson+gzip',
})

/** LookupEvents output: each record embedded as a JSON string in CloudTrailEvent. */
export const lookupFile = (records: Array<Record<string, unknown>>, name = 'lookup.ndjson.gz'): ArtifactSpec => ({
  segments: ['cloudtrail', 'us-east-1', 'lookup-events', name],
  kind: 'cloudtrail.lookup-events',
  body: gz(
    ndjson(
      records.map((r) => ({
        EventId: r.eventID,
        EventName: r.eventName,
        ReadOnly: String(r.readOnly),
        EventTime: r.eventTime,
        EventSource: r.eventSource,
        Username: (r.userIdentity as {userName?: string} | undefined)?.userName,
        Resources: [],
        CloudTrailEvent: JSON.stringify(r),
      })),
    ),
  ),
  contentType: 'application/x-ndjson+gzip',
})

export const jsonArtifact = (kind: string, segments: string[], value: unknown, source = 'arn:aws:lambda:us-east-1:111122223333:function:payments'): ArtifactSpec => ({
  segments,
  kind,
  body: JSON.stringify(value, null, 2),
  contentType: 'application/json',
  source,
})

/** Writes a case of one run through EvidenceRun, as a collector would, and seals it. */
export async function writeCase(
  root: string,
  caseId: string,
  specs: ArtifactSpec[],
  options: {seal?: boolean; start?: string} = {},
): Promise<{store: LocalDirectoryStore; records: ArtifactRecord[]; runId: string}> {
  const store = new LocalDirectoryStore(root)
  const run = await EvidenceRun.begin({
    store,
    caseId,
    command: 'test',
    parameters: {},
    clock: fixedClock(options.start ?? '2026-11-20T10:00:00Z', 1000),
  })
  const records: ArtifactRecord[] = []
  for (const s of specs) {
    records.push(
      await run.putArtifact(s.segments, s.body, {
        kind: s.kind,
        contentType: s.contentType ?? 'application/octet-stream',
        source: s.source ?? 'test',
        collector: 'test',
        ...(s.attributes === undefined ? {} : {attributes: s.attributes}),
      }),
    )
  }
  if (options.seal !== false) await run.finish()
  return {store, records, runId: run.runId}
}
