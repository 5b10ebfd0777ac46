import {createHash} from 'node:crypto'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {loadCase} from '../../../src/analysis/load.js'
import {findQuery, loadQueries} from '../../../src/analysis/queries.js'
import {openForQuery, runNamedQuery, runSql} from '../../../src/analysis/run-query.js'
import {coroner, type Envelope} from '../../support/cli.js'
import {gz, jsonArtifact, lookupFile, stratusRecords, writeCase, type ArtifactSpec} from '../../support/evidence-case.js'
import {tempDir} from '../../support/temp.js'

const sha = (s: string): string => createHash('sha256').update(s).digest('hex')

/** A delivery file as the archive collector stores it: gzip bytes, and the SHA-256 of the inflated file in its attributes (what digests list). */
function delivered(records: unknown[], name: string): ArtifactSpec & {inflatedSha256: string} {
  const text = JSON.stringify({Records: records})
  return {segments: ['cloudtrail', 'us-east-1', 'archive', name], kind: 'cloudtrail.delivery-file', body: gz(text), contentType: 'application/json+gzip', attributes: {uncompressedSha256: sha(text)}, inflatedSha256: sha(text)}
}

describe('CloudTrail duplicates are folded by content, never by eventID alone', () => {
  it('keeps a record planted under the eventID of a real StopLogging, marks both, and the tampering query, hunt and findings still see the real one', async () => {
    const dir = await tempDir()
    const stop = stratusRecords('aws.defense-evasion.cloudtrail-stop')
    const real = stop.find((r) => r.eventName === 'StopLogging')!
    // The intruder's copy: same eventID, a harmless name, in a file that sorts first.
    const planted = delivered([{...real, eventName: 'DescribeTrails', readOnly: true}], '0-planted.json.gz')
    const trail = delivered(stop, 'trail.json.gz')
    // The same record again from LookupEvents, its keys in another order: the same content, folded.
    const reordered = Object.fromEntries(Object.entries(real).reverse())
    const validation = jsonArtifact('cloudtrail.validation', ['cloudtrail', 'validation', 'cloudtrail-validation.json'], {
      schema: 'coroner.cloudtrail-validation/v1',
      digests: [{key: 'AWSLogs/1/CloudTrail-Digest/us-east-1/d.json.gz', status: 'valid'}],
      logFiles: [{key: 'AWSLogs/1/CloudTrail/us-east-1/trail.json.gz', digest: 'AWSLogs/1/CloudTrail-Digest/us-east-1/d.json.gz', status: 'ok', expectedSha256: trail.inflatedSha256}],
    })
    const store = path.join(dir, 'store')
    const {store: evidence} = await writeCase(store, 'INC-DUP', [planted, trail, lookupFile([reordered as Record<string, unknown>]), validation])
    const dbPath = path.join(dir, 'case.duckdb')
    await loadCase(evidence, 'INC-DUP', {dbPath})

    const db = await openForQuery(dbPath)
    try {
      const versions = await runSql(db, 'SELECT event_name, conflict, copies, digest_validated, artifact_key AS evidence_key, artifact_sha256 AS evidence_sha256 FROM cloudtrail_events WHERE event_id = $id ORDER BY event_name', {id: String(real.eventID)})
      expect(versions.rows.map((r) => [r.event_name, r.conflict, r.copies, r.digest_validated])).toEqual([
        ['DescribeTrails', true, 1, null],
        ['StopLogging', true, 2, true],
      ])
      const others = await runSql(db, 'SELECT count(*) AS n, max(artifact_key) AS evidence_key, max(artifact_sha256) AS evidence_sha256 FROM cloudtrail_events WHERE conflict AND event_id <> $id', {id: String(real.eventID)})
      expect(others.rows[0]!.n).toBe(0)
      const queries = loadQueries()
      const tampering = await runNamedQuery(db, findQuery(queries, 'cloudtrail-tampering'))
      expect(tampering.rows.map((r) => [r.action, r.event_id])).toContainEqual(['StopLogging', real.eventID])
      const conflicting = await runNamedQuery(db, findQuery(queries, 'cloudtrail-conflicting-records'))
      expect(conflicting.rows.map((r) => [r.action, r.digest_validated, r.versions])).toEqual([
        ['cloudtrail.amazonaws.com:StopLogging', true, 2],
        ['cloudtrail.amazonaws.com:DescribeTrails', null, 2],
      ])
      const copies = await runSql(db, 'SELECT copies, contents, list_transform(artifact_keys, k -> split_part(k, \'/\', -1)) AS files, artifact_keys[1] AS evidence_key, artifact_sha256s[1] AS evidence_sha256 FROM cloudtrail_duplicates WHERE event_id = $id', {id: String(real.eventID)})
      expect(copies.rows).toEqual([expect.objectContaining({copies: 3, contents: 2, files: ['0-planted.json.gz', 'trail.json.gz', 'lookup.ndjson.gz']})])
    } finally {
      db.close()
    }

    const hunt = await coroner(['hunt', '--case', 'INC-DUP', '--store', store, '--db', dbPath, '--json'])
    const hits = (JSON.parse(hunt.stdout) as Envelope<{hits: Array<{rule: {title: string}; eventId: string | null; eventName: string | null}>}>).result.hits
    expect(hits.filter((h) => h.eventId === real.eventID).map((h) => h.eventName)).toContain('StopLogging')
    const findings = await coroner(['findings', '--case', 'INC-DUP', '--store', store, '--db', dbPath, '--json'])
    expect(findings.error?.oclif?.exit, findings.stdout).toBe(3)
    const after = await openForQuery(dbPath)
    try {
      const rows = (await after.all('SELECT CAST(to_json(f) AS VARCHAR) AS row FROM findings f')).rows.map((r) => String(r.row))
      const conflict = rows.filter((r) => r.includes('"cloudtrail-conflicting-records"'))
      expect(conflict.length).toBeGreaterThan(0)
      expect(conflict.every((r) => r.includes(String(real.eventID)))).toBe(true)
    } finally {
      after.close()
    }
  })
})
