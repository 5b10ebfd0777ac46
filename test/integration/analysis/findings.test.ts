import {mkdtemp, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {AnalysisDb} from '../../../src/analysis/db.js'
import {buildFindings} from '../../../src/analysis/findings/build.js'
import {readFindings} from '../../../src/analysis/findings/store.js'
import {loadCase} from '../../../src/analysis/load.js'
import {loadQueries} from '../../../src/analysis/queries.js'
import {interruption} from '../../../src/core/errors.js'
import {terminalProgress} from '../../../src/core/progress.js'
import {coroner, type Envelope} from '../../support/cli.js'
import {deliveryFile, stratusRecords, writeCase} from '../../support/evidence-case.js'
import {writeReportCase} from '../../support/report-case.js'
import type {FindingsResult} from '../../../src/steps/analyse/findings.js'

let dir: string
let dbPath: string

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'coroner-findings-'))
  const {store, caseId} = await writeReportCase(path.join(dir, 'store'))
  dbPath = path.join(dir, 'case.duckdb')
  await loadCase(store, caseId, {dbPath})
})

afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
})

async function stored() {
  const db = await AnalysisDb.open(dbPath, {readOnly: true})
  try {
    return (await readFindings(db))!
  } finally {
    db.close()
  }
}

describe('findings', () => {
  it('folds the Sigma rules and the queries that flag one event into one finding with every reason', async () => {
    const summary = await buildFindings({dbPath})
    expect(summary.findings).toBeGreaterThan(0)
    const {findings} = await stored()
    // Stored and read back, every field as built.
    expect(findings).toEqual(summary.all)
    const overwrite = findings.find((f) => f.eventIds.includes('4672b74f-2466-4784-b3fb-5b4db904a995'))!
    expect(overwrite.reasons.map((r) => `${r.source}:${r.id}`)).toEqual(expect.arrayContaining(['query:lambda-code-overwritten', 'query:lambda-configuration-changes']))
    expect(overwrite.reasons.some((r) => r.source === 'sigma' && r.author !== null)).toBe(true)
    expect(findings.filter((f) => f.eventIds.includes('4672b74f-2466-4784-b3fb-5b4db904a995'))).toHaveLength(1)
    expect(overwrite.severity).toBe('high')
    expect(overwrite.attack).toContain('T1525')
    expect(overwrite.evidence).toEqual([{key: expect.stringMatching(/cloudtrail\/us-east-1\/archive\/trail\.json\.gz$/), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), versionId: null}])
    expect(overwrite.actor).toMatch(/^arn:aws:iam::/)
    expect(overwrite.target).toContain('stratus-red-team')
  })

  it('shows the detection queries and the fold on a terminal as they go', async () => {
    const written: string[] = []
    const progress = terminalProgress({columns: 200, write: (t: string) => written.push(t)} as unknown as NodeJS.WriteStream, () => 0, 0)
    await buildFindings({dbPath, progress})
    const lines = written.join('').split(/\r\u001B\[2K/).map((l) => l.replace(/\n$/, ''))
    const detections = loadQueries().filter((q) => q.severity !== 'info').length
    expect(detections).toBeGreaterThan(20)
    expect(lines.some((l) => l.startsWith(`detection queries: ${detections}/${detections} (100%)`))).toBe(true)
    expect(lines.some((l) => l.startsWith('detection queries: 1/'))).toBe(true)
    expect(lines.some((l) => l.startsWith('findings: folding and storing: 4/4 (100%)'))).toBe(true)
  })

  it('ranks findings by severity, grades GuardDuty findings by their own score, and gives the same ids each time', async () => {
    const first = (await stored()).findings
    const ranks = first.map((f) => ['info', 'low', 'medium', 'high', 'critical'].indexOf(f.severity))
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks)
    expect(first[0]!.title).toMatch(/CloudTrail/)
    const gd = first.find((f) => f.reasons.some((r) => r.id === 'guardduty-findings'))!
    expect(gd.severity).toBe('high')
    expect(gd.details.type).toBe('UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS')
    await buildFindings({dbPath})
    expect((await stored()).findings).toEqual(first)
  })

  it('records every check: run or not, with authors, and why a query did not run', async () => {
    const {checks} = await stored()
    const sigma = checks.filter((c) => c.kind === 'sigma')
    expect(sigma.length).toBeGreaterThan(50)
    expect(sigma.every((c) => c.file.startsWith('queries/sigma/'))).toBe(true)
    expect(sigma.filter((c) => c.file.includes('sigmahq')).every((c) => c.author !== null && c.author !== '')).toBe(true)
    expect(checks.find((c) => c.id === 'lambda-function-inventory')).toMatchObject({status: 'not-run', reason: expect.stringContaining('info')})
    expect(checks.find((c) => c.id === 'lambda-code-overwritten')).toMatchObject({status: 'ran', author: 'coroner', kept: 2, hits: 2})
  })

  it("throws a failed Sigma scan's own error, not the stopped queries', and keeps the findings already stored", async () => {
    const before = await stored()
    const missing = path.join(dir, 'no-such-rules')
    await expect(buildFindings({dbPath, rules: [missing]})).rejects.toMatchObject({code: 'rules-not-found', message: expect.stringContaining(missing)})
    expect(await stored()).toEqual(before)
    expect((await buildFindings({dbPath})).findings).toBe(before.findings.length)
  })

  it('replaces the findings and the case facts together: stopped between the two, both stay as they were', async () => {
    const facts = async () => {
      const db = await AnalysisDb.open(dbPath, {readOnly: true})
      try {
        return Number((await db.all("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'case_facts'")).rows[0]!.n) === 1 ? (await db.all('SELECT * FROM case_facts ORDER BY ALL')).rows : undefined
      } finally {
        db.close()
      }
    }
    // Rules and queries first, then the queries alone: fewer checks, so the two runs differ.
    await buildFindings({dbPath})
    const before = {findings: await stored(), facts: await facts()}
    expect(before.facts?.length).toBeGreaterThan(0)
    const stop = new AbortController()
    // The fold's third step is the findings written; the fourth, the facts counted from them.
    const progress = {task: (label: string) => {
      let steps = 0
      return {advance: () => (label.startsWith('findings: folding') && ++steps === 3 ? stop.abort(interruption('SIGINT')) : undefined), setTotal() {}, done() {}}
    }}
    await expect(buildFindings({dbPath, builtin: false, progress, signal: stop.signal})).rejects.toMatchObject({code: 'interrupted'})
    expect(await stored()).toEqual(before.findings)
    expect(await facts()).toEqual(before.facts)
    // Unstopped, the same run replaces them: its checks are the queries alone.
    await buildFindings({dbPath, builtin: false})
    expect((await stored()).checks.length).toBeLessThan(before.findings.checks.length)
    await buildFindings({dbPath})
  })

  it('leaves out queries whose evidence the case does not hold, and says so', async () => {
    const {store} = await writeCase(path.join(dir, 'ct-only'), 'INC-CT', [deliveryFile(stratusRecords('aws.defense-evasion.cloudtrail-stop'))])
    const db = path.join(dir, 'ct.duckdb')
    await loadCase(store, 'INC-CT', {dbPath: db})
    const summary = await buildFindings({dbPath: db, limit: 1})
    expect(summary.checks['not-run']).toBeGreaterThan(3)
    const handle = await AnalysisDb.open(db, {readOnly: true})
    try {
      const {checks} = (await readFindings(handle))!
      expect(checks.find((c) => c.id === 'function-log-errors')).toMatchObject({status: 'not-run', reason: 'the case holds no logs evidence'})
      expect(checks.find((c) => c.id === 'lambda-url-configs-public')).toMatchObject({status: 'not-run', reason: 'the case holds no lambda evidence'})
    } finally {
      handle.close()
    }
  })

  it("keeps each actor's rows in turn when a query has more than the limit, so one call beside the background traffic is not cut", async () => {
    const call = (id: string, second: number, arn: string) => ({
      eventVersion: '1.09', eventID: id, eventTime: `2026-11-21T10:00:${String(second).padStart(2, '0')}Z`, eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity',
      awsRegion: 'us-east-1', sourceIPAddress: '198.51.100.7', userAgent: 'TruffleHog', readOnly: true, eventType: 'AwsApiCall', recipientAccountId: '111122223333',
      userIdentity: {type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn, accountId: '111122223333'},
    })
    const background = Array.from({length: 30}, (_, i) => call(`bg-${i}`, i, 'arn:aws:iam::111122223333:user/monitor'))
    const {store} = await writeCase(path.join(dir, 'busy'), 'INC-BUSY', [deliveryFile([...background, call('stolen-key', 59, 'arn:aws:iam::111122223333:user/mallory')])])
    const db = path.join(dir, 'busy.duckdb')
    await loadCase(store, 'INC-BUSY', {dbPath: db})
    await buildFindings({dbPath: db, limit: 5})
    const handle = await AnalysisDb.open(db, {readOnly: true})
    try {
      const {findings, checks} = (await readFindings(handle))!
      expect(checks.find((c) => c.id === 'sts-caller-identity-recon')).toMatchObject({
        hits: 31, kept: 5, reason: "26 row(s) over the limit of 5 not kept as findings: each actor's rows taken in turn, at most 4 of each of the 1 busiest actor(s) kept",
      })
      const recon = findings.filter((f) => f.reasons.some((r) => r.id === 'sts-caller-identity-recon'))
      expect(recon.flatMap((f) => f.eventIds).sort()).toEqual(['bg-0', 'bg-1', 'bg-2', 'bg-3', 'stolen-key'])
      // A Sigma rule over the limit keeps each principal's hits in turn too.
      expect(checks.find((c) => c.file.endsWith('aws_sts_getcalleridentity_trufflehog.yml'))).toMatchObject({
        hits: 31, kept: 5, reason: "26 hit(s) over the limit of 5 not kept as findings: each principal's hits taken in turn, at most 4 of any one kept",
      })
      const stolen = findings.find((f) => f.eventIds.includes('stolen-key'))!
      expect(stolen.reasons.map((r) => r.file.split('/').pop())).toEqual(expect.arrayContaining(['sts-caller-identity-recon.sql', 'aws_sts_getcalleridentity_trufflehog.yml']))
    } finally {
      handle.close()
    }
  })
})

describe('coroner findings', () => {
  it('fills the table from the case and exits 3 when there are findings', async () => {
    const store = path.join(dir, 'cli-store')
    await writeReportCase(store, 'INC-CLI')
    const db = path.join(dir, 'cli.duckdb')
    const {stdout, error} = await coroner(['findings', '--case', 'INC-CLI', '--store', store, '--db', db, '--json'])
    expect(error?.oclif?.exit).toBe(3)
    const env = JSON.parse(stdout) as Envelope<FindingsResult>
    expect(env.result.caseId).toBe('INC-CLI')
    expect(env.result.bySeverity.critical).toBeGreaterThan(0)
    expect(JSON.stringify(env.result)).not.toContain('hunter2')
    const text = await coroner(['findings', '--case', 'INC-CLI', '--store', store, '--db', db, '--no-fail'])
    expect(text.error).toBeUndefined()
    expect(text.stdout).toMatch(/finding\(s\) \(\d+ critical/)
  })
})
