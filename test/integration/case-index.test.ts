import {PutObjectCommand, type S3Client} from '@aws-sdk/client-s3'
import {readManifest} from '../../src/evidence/cases.js'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {sealedSlices} from '../../src/collectors/logs.js'
import {fixedClock} from '../../src/core/clock.js'
import {indexCase} from '../../src/evidence/case-index.js'
import {openStore} from '../../src/evidence/open-store.js'
import {EvidenceRun} from '../../src/evidence/run.js'
import type {EvidenceStore} from '../../src/evidence/store.js'
import {verifyCase} from '../../src/evidence/verify.js'
import {motoAws, resetMoto} from '../support/moto.js'
import {lockedBucket, rawS3} from '../support/s3.js'

const BUCKET = 'evidence-index'
const GROUP = '/aws/lambda/payments-api'
const HOUR = 3_600_000
const slice = (start: number) => ({
  kind: 'logs.events',
  contentType: 'application/x-ndjson+gzip',
  source: `logs:us-east-1:${GROUP}`,
  collector: 'logs',
  region: 'us-east-1',
  records: 3,
  attributes: {logGroupName: GROUP, startTime: start, endTime: start + HOUR},
})

let s3: S3Client
let st: EvidenceStore
beforeEach(async () => {
  await resetMoto()
  s3 = rawS3()
  await lockedBucket(s3, BUCKET, 'GOVERNANCE', 1)
  st = await openStore(`s3://${BUCKET}`, {aws: motoAws()})
})
afterEach(async () => {
  await st.close()
  s3.destroy()
})

describe('the case index: one view of a case for verify and every --resume', () => {
  it('collect logs --resume trusts the manifest as first written, not a version laid over it, as verify does', async () => {
    const t0 = Date.UTC(2026, 10, 20, 8)
    const run = await EvidenceRun.begin({store: st, caseId: 'INC-IDX', command: 'collect logs', parameters: {}, clock: fixedClock('2026-11-20T10:00:00Z', 1000)})
    const sealedSlice = await run.putArtifact(['logs', 'us-east-1', GROUP, 'events_a.ndjson.gz'], 'three events', slice(t0))
    const sealed = await run.finish()
    // A manifest laid over the sealed one claims another hour was collected, with bytes no one stored.
    const sealedManifest = await readManifest(st, sealed.manifestKey)
    const forged = {...sealedManifest, artifacts: [{...sealedManifest.artifacts[0]!, sha256: '0'.repeat(64), attributes: {...slice(t0 + HOUR).attributes}}]}
    await s3.send(new PutObjectCommand({Bucket: BUCKET, Key: sealed.manifestKey, Body: JSON.stringify(forged), ChecksumAlgorithm: 'SHA256'}))

    const index = await indexCase(st, 'INC-IDX')
    expect(index.runs).toHaveLength(1)
    expect(index.runs[0]!.objects.get(sealed.manifestKey)).toHaveLength(2)

    const resumable = await sealedSlices(st, 'INC-IDX', GROUP, 'us-east-1')
    expect([...resumable.keys()]).toEqual([`${t0}-${t0 + HOUR}`])
    expect(resumable.get(`${t0}-${t0 + HOUR}`)).toMatchObject({key: sealedSlice.key, sha256: sealedSlice.sha256, runId: run.runId})

    // verify reads the same first-written manifest, and names the one laid over it.
    const v = await verifyCase(st, 'INC-IDX')
    expect(v.artifacts.map((a) => [a.key, a.status])).toEqual([[sealedSlice.key, 'ok']])
    expect(v.runs[0]!.problems).toEqual([expect.stringMatching(/a newer version .+ lies over it$/)])
  })
})
