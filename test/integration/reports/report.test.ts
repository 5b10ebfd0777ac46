import {copyFile, readFile, readdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {Ajv2020} from 'ajv/dist/2020.js'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {AnalysisDb} from '../../../src/analysis/db.js'
import {reportJsonSchema} from '../../../src/reports/model.js'
import {indexCase} from '../../../src/evidence/case-index.js'
import {coroner, type Envelope} from '../../support/cli.js'
import {HOSTILE, SECRET, writeReportCase} from '../../support/report-case.js'
import {md as mdText} from '../../../src/reports/format/escape.js'
import {normalise, renderFixture, reportFixture} from '../../support/report-fixture.js'
import {rewrite} from '../../support/tamper-case.js'
import {openForQuery} from '../../../src/analysis/run-query.js'
import {buildReport} from '../../../src/reports/build.js'
import {reportLimits, writeReport} from '../../../src/reports/write.js'
import {terminalProgress} from '../../../src/core/progress.js'
import {objectsToRead} from '../../../src/evidence/verify.js'
import type {ReportResult} from '../../../src/steps/report/report.js'
import type {z} from 'zod'
import type {reportResult} from '../../../src/cli/results/analysis.js'

const root = path.resolve(fileURLToPath(import.meta.url), '../../../..')
const golden = (name: string): string => path.join(root, 'test', 'fixtures', 'reports', name)

let f: Awaited<ReturnType<typeof reportFixture>>
const out: Record<string, string> = {}

beforeAll(async () => {
  f = await reportFixture()
  for (const format of ['md', 'html', 'json'] as const) out[format] = (await renderFixture(f, format)).text
})
afterAll(() => f?.cleanup())

describe('report golden files (times and ids normalised)', () => {
  for (const format of ['md', 'html', 'json'] as const) {
    it(`${format} matches test/fixtures/reports/report.${format}`, async () => {
      const text = normalise(out[format]!, f.dir)
      if (process.env.UPDATE_GOLDEN) await writeFile(golden(`report.${format}`), text)
      expect(text).toBe(await readFile(golden(`report.${format}`), 'utf8'))
    })
  }
})

describe('report', () => {
  it('gives the same bytes for the same case, apart from the generation time', async () => {
    for (const format of ['md', 'html', 'json'] as const) {
      const again = (await renderFixture(f, format, {generatedAt: '2027-01-01T12:34:56.789Z'})).text
      const same = again.replaceAll('2027-01-01T12:34:56.789Z', '2026-11-21T00:00:00.000Z').replaceAll('2027-01-01T12\\:34\\:56.789Z', '2026-11-21T00\\:00\\:00.000Z')
      expect(same, format).toBe(out[format])
      expect(again).not.toBe(out[format])
    }
  })

  it('validates against the committed JSON Schema, which is the one the model gives', async () => {
    const committed = JSON.parse(await readFile(path.join(root, 'docs', 'json', 'report.schema.json'), 'utf8')) as Record<string, unknown>
    expect(committed, 'docs/json/report.schema.json is stale: run `npm run schemas`').toEqual(reportJsonSchema())
    const validate = new Ajv2020({strict: false, allErrors: true}).compile(committed)
    const report = JSON.parse(out.json!) as {timeline: {rows: unknown[]; total: number}; findings: unknown[]}
    expect(validate(report), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true)
    expect(report.timeline.rows).toHaveLength(report.timeline.total)
    expect(validate({...report, findings: [{id: 1}]})).toBe(false)
  })

  it('holds everything a responder hands over: findings with their evidence, functions and what changed, gaps, checks with authors, the chain', () => {
    const r = JSON.parse(out.json!) as Record<string, any>
    expect(r.findings[0].severity).toBe('critical')
    expect(r.findings.every((x: any) => x.evidence.every((e: any) => /^[0-9a-f]{64}$/.test(e.sha256)))).toBe(true)
    const fn = r.functions.find((x: any) => x.name === 'payments')
    expect(fn.versions.map((v: any) => v.version)).toEqual(['1', '$LATEST'])
    expect(fn.changes[0].fields).toEqual(expect.arrayContaining([{field: 'code SHA-256', before: 'b2xkLWNvZGU=', after: 'abc='}, {field: 'runtime', before: 'nodejs18.x', after: 'nodejs20.x'}]))
    expect(r.gaps).toEqual([expect.objectContaining({code: 'access-denied', meaning: expect.stringContaining('proves nothing')})])
    expect(r.checks.filter((c: any) => c.kind === 'sigma' && c.status === 'ran').every((c: any) => c.author)).toBe(true)
    expect(r.manifests).toHaveLength(2)
    expect(r.manifests[1].previousSha256).toBe(r.manifests[0].manifestSha256)
    expect(r.verification).toMatchObject({ok: true, problems: []})
    expect(r.timeline.relevant.length).toBeGreaterThan(0)
    expect(r.timeline.relevant.every((x: any) => x.source !== 'custody')).toBe(true)
    expect(r.indicators.find((i: any) => i.type === 'ip' && i.value === '203.0.113.66')).toMatchObject({events: 1, inFindings: 1})
    expect(r.keyTimes.firstSuspicious.time).toBe('2024-07-30T21:57:20.000Z')
  })

  it('shows attacker text as text in Markdown: no HTML, no links, no reordering characters', () => {
    const md = out.md!
    for (const bad of ['<script', '<img', '](javascript', 'javascript:', '\u202E']) expect(md, bad).not.toContain(bad)
    expect(md).toContain('&lt;script&gt;window.\\_\\_pwned = 1&lt;/script&gt;')
    expect(md).toContain('\\[click me\\]\\(javascript\\:window.\\_\\_pwned=3\\)')
    expect(md).toContain('invoice\\\\u202egpj.exe')
  })

  it('shows attacker text as text in HTML, with one script of its own and a policy that forbids any request', () => {
    const html = out.html!
    expect(html.match(/<script/g)).toHaveLength(1)
    expect(html).not.toContain('<img')
    expect(html).not.toContain('\u202E')
    expect(html).toContain('&lt;img src=x onerror=&quot;window.__pwned = 2&quot;&gt;')
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[^']+'; script-src 'sha256-[^']+';/)
    expect(html).not.toMatch(/(src|href)="(?!#)/)
  })

  it('redacts Lambda environment values everywhere unless told to show secrets', async () => {
    for (const format of ['md', 'html', 'json'] as const) expect(out[format], format).not.toContain(SECRET)
    expect(out.json).toContain('password=[redacted:DB_PASSWORD]')
    expect(out.html).toContain('password=[redacted:DB_PASSWORD]')
    const shown = (await renderFixture(f, 'json', {showSecrets: true})).text
    expect(shown).toContain(`password=${SECRET}`)
    expect(JSON.parse(shown).secretsRedacted).toBe(false)
  })

  it('redacts a secret held in a finding (its title, actor, target, details) by value, as [redacted:NAME], in every format', async () => {
    const db = path.join(f.dir, 'with-secret-finding.duckdb')
    await copyFile(f.dbPath, db)
    const handle = await AnalysisDb.open(db)
    await handle.run(`UPDATE findings SET title = title || ' (${SECRET})', actor = 'svc-${SECRET}', target = lower('${SECRET}'), details = '{"message":"password=${SECRET}"}'
      WHERE finding_id = (SELECT finding_id FROM findings ORDER BY seq LIMIT 1)`)
    handle.close()
    for (const format of ['md', 'html', 'json'] as const) {
      const text = (await renderFixture(f, format, {dbPath: db})).text
      expect(text.toLowerCase(), format).not.toContain(SECRET.toLowerCase())
      expect(text, format).toContain(format === 'md' ? mdText('[redacted:DB_PASSWORD]') : '[redacted:DB_PASSWORD]')
    }
    const r = JSON.parse((await renderFixture(f, 'json', {dbPath: db})).text) as {findings: Array<{actor: string; target: string; details: Record<string, unknown>}>}
    expect(r.findings[0]).toMatchObject({actor: 'svc-[redacted:DB_PASSWORD]', target: '[redacted:DB_PASSWORD]', details: {message: 'password=[redacted:DB_PASSWORD]'}})
    expect((await renderFixture(f, 'json', {dbPath: db, showSecrets: true})).text).toContain(`svc-${SECRET}`)
  })

  it('renders containment actions and readiness checks when the case database holds them', async () => {
    const db = path.join(f.dir, 'with-containment.duckdb')
    await copyFile(f.dbPath, db)
    const handle = await AnalysisDb.open(db)
    await handle.run(`INSERT INTO containment_actions (run_id, schema, action, target_type, target_name, region, applied, status, verified, "at", before, after, notes)
      VALUES ('r1', 'coroner.contain/v1', 'throttle', 'function', 'payments', 'us-east-1', true, 'applied', true, TIMESTAMPTZ '2024-08-02T10:00:00Z',
        '{"ReservedConcurrentExecutions":5}', '{"ReservedConcurrentExecutions":0}', '"stops new invocations"')`)
    await handle.run(`INSERT INTO readiness_checks (check_id, status, reason) VALUES ('cloudtrail-multi-region', 'fail', '${HOSTILE.script}')`)
    handle.close()
    const r = JSON.parse((await renderFixture(f, 'json', {dbPath: db})).text)
    expect(r.containment.actions).toEqual([expect.objectContaining({action: 'throttle', target: 'payments', applied: true, before: '{"ReservedConcurrentExecutions":5}', after: '{"ReservedConcurrentExecutions":0}'})])
    expect(r.keyTimes.containment.time).toMatch(/^2024-08-02T10:00:00/)
    expect(r.keyTimes.timeToContain).toBe('2d 12h 2m')
    expect(r.sections[0]).toMatchObject({id: 'readiness_checks', total: 1})
    const html = (await renderFixture(f, 'html', {dbPath: db})).text
    expect(html).toContain('{&quot;ReservedConcurrentExecutions&quot;:5} → {&quot;ReservedConcurrentExecutions&quot;:0}')
    expect(html).toContain('&lt;script&gt;window.__pwned = 1&lt;/script&gt;</td>')
  })

  it('caps what HTML and Markdown hold and says so; JSON keeps every row', async () => {
    const db = await openForQuery(f.dbPath)
    try {
      const built = await buildReport(db, {...f.options, generatedAt: 'x', showSecrets: false, findingsComputed: false, limits: {timelineRows: 3, custodyLines: 2}})
      expect(built.model.timeline.rows).toHaveLength(3)
      expect(built.model.limits.join('\n')).toMatch(/first 3 of \d+ rows here; the JSON report and the case database \(view timeline\)/)
      expect(built.model.limits.join('\n')).toMatch(/Custody journal: the first 2 of/)
      let n = 0
      for await (const _ of built.fullTimeline()) n++
      expect(n).toBe(built.model.timeline.total)
      // The JSON holds every row: its limits are the other cuts, and the command's notes for it are the same.
      const file = path.join(f.dir, 'capped.json')
      await writeReport(built, 'json', file)
      const json = JSON.parse(await readFile(file, 'utf8')) as {limits: string[]; timeline: {rows: unknown[]; total: number}}
      expect(json.timeline.rows).toHaveLength(json.timeline.total)
      expect(json.timeline.total).toBeGreaterThan(3)
      expect(json.limits.join('\n')).not.toMatch(/timeline lists/)
      expect(json.limits.join('\n')).toMatch(/Custody journal: the first 2 of/)
      expect(reportLimits(built, 'json')).toEqual(json.limits)
      expect(reportLimits(built, 'html')).toEqual(built.model.limits)
      expect(out.html).not.toMatch(/timeline lists its first/)
    } finally {
      db.close()
    }
  })

  it('shows the build stages, the verification and the JSON rows written on a terminal', async () => {
    const db = await openForQuery(f.dbPath)
    try {
      const written: string[] = []
      const progress = terminalProgress({columns: 200, write: (t: string) => written.push(t)} as unknown as NodeJS.WriteStream, () => 0, 0)
      const built = await buildReport(db, {...f.options, generatedAt: 'x', showSecrets: false, findingsComputed: false, progress})
      const file = path.join(f.dir, 'progress.json')
      await writeReport(built, 'json', file, {progress})
      const lines = written.join('').split(/\r\u001B\[2K/).map((l) => l.replace(/\n$/, ''))
      const [objects] = objectsToRead(await indexCase(f.options.store, f.options.caseId))
      const total = built.model.timeline.total
      expect(lines.some((l) => l.startsWith(`building the report of ${f.options.caseId}: 7/7 (100%)`))).toBe(true)
      expect(lines.some((l) => l.startsWith(`verifying ${f.options.caseId}: ${objects}/${objects} (100%)`))).toBe(true)
      expect(lines.some((l) => l.startsWith(`writing progress.json: ${total}/${total} (100%)`))).toBe(true)
    } finally {
      db.close()
    }
  })

  it('refuses to write a JSON report whose timeline holds other than the rows it counts, and leaves no file', async () => {
    const db = await openForQuery(f.dbPath)
    try {
      const built = await buildReport(db, {...f.options, generatedAt: 'x', showSecrets: false, findingsComputed: false})
      built.model.timeline.total += 1
      const file = path.join(f.dir, 'miscounted', 'report.json')
      await expect(writeReport(built, 'json', file)).rejects.toThrow(`The timeline gave ${built.model.timeline.total - 1} row(s) where the report counts ${built.model.timeline.total}; the JSON report was not written.`)
      expect(await readdir(path.dirname(file))).toEqual([])
    } finally {
      db.close()
    }
  })
  it('writes the JSON timeline DuckDB made as the rows themselves would be written, redacted the same, and the rows are the timeline view\'s', async () => {
    const {buildReport} = await import('../../../src/reports/build.js')
    const {jsonText} = await import('../../../src/analysis/output.js')
    const copy = path.join(f.dir, 'plain-secret.duckdb')
    await copyFile(f.dbPath, copy)
    const rw = await AnalysisDb.open(copy)
    // A line with the secret and nothing JSON escapes: the text DuckDB writes holds the secret as it is.
    // Around it, in the same piece, lines DuckDB writes unescaped that jsonText escapes, the secret
    // in capitals, and a line with an escape.
    const lines = [`token ${SECRET} sent`, 'plain line', `rtl ${HOSTILE.rtl} and \u2028 and \u007F`, `TOKEN ${SECRET.toUpperCase()}`, 'a "quoted" \\ line', 'plain again']
    for (const [i, message] of lines.entries()) {
      await rw.run(`INSERT INTO log_events (time, log_group, message, function_name, artifact_key) VALUES ($time, '/aws/lambda/payments', $message, 'payments', 'k')`, {time: `2024-08-01T14:02:0${i}Z`, message})
    }
    rw.close()
    const db = await AnalysisDb.open(copy, {readOnly: true})
    try {
      for (const showSecrets of [false, true]) {
        const built = await buildReport(db, {...f.options, generatedAt: 'x', showSecrets, findingsComputed: false})
        const objects: string[] = []
        for await (const r of built.fullTimeline()) objects.push(jsonText(r))
        const texts: string[] = []
        let pieces = 0
        for await (const piece of built.fullTimelineJson('\n')) {
          const split = piece.text.split('\n')
          expect(piece.rows).toBe(split.length)
          texts.push(...split)
          pieces++
        }
        expect(texts).toEqual(objects)
        expect(pieces).toBeLessThan(texts.length)
        expect(texts.some((t) => t.includes(`token ${SECRET} sent`))).toBe(showSecrets)
        expect(texts.some((t) => t.includes(`TOKEN ${SECRET.toUpperCase()}`))).toBe(showSecrets)
        expect(texts.some((t) => t.includes('invoice\\u202egpj.exe and \\u2028 and \\u007f'))).toBe(true)
        expect(texts.some((t) => t.includes('"findings":["F-'))).toBe(true)
      }
      const view = (await db.all(`SELECT strftime(time, '%Y-%m-%dT%H:%M:%S.%gZ') AS time, source, actor, action, target, source_ip AS "sourceIp", detail, evidence_key AS "evidenceKey", evidence_sha256 AS "evidenceSha256", event_id AS "eventId"
        FROM timeline ORDER BY time NULLS LAST, source, evidence_key, event_id, action, target, detail`)).rows
      const built = await buildReport(db, {...f.options, generatedAt: 'x', showSecrets: true, findingsComputed: false})
      const streamed: unknown[] = []
      for await (const {severity: _s, findings: _f, ...r} of built.fullTimeline()) streamed.push(r)
      expect(streamed).toEqual(view)
    } finally {
      db.close()
    }
  })

  it('reads accounts, regions and indicators from the facts the findings recorded, the same as computing them from the records', async () => {
    const {readCaseFacts} = await import('../../../src/analysis/report/case-facts.js')
    const copy = path.join(f.dir, 'no-facts.duckdb')
    await copyFile(f.dbPath, copy)
    const stored = await AnalysisDb.open(f.dbPath, {readOnly: true})
    const older = await AnalysisDb.open(copy)
    try {
      expect(Number((await stored.all('SELECT count(*) AS n FROM case_facts')).rows[0]?.n)).toBeGreaterThan(0)
      const fromTable = await readCaseFacts(stored, true, 100)
      await older.run('DROP TABLE case_facts')
      expect(await readCaseFacts(older, true, 100)).toEqual(fromTable)
      expect(fromTable.regions.length).toBeGreaterThan(0)
      expect(fromTable.accounts.length).toBeGreaterThan(0)
      expect(fromTable.indicators.some((i) => i.type === 'ip' && Number(i.inFindings) > 0)).toBe(true)
      expect(Object.values(fromTable.totals).every((n) => n >= 1)).toBe(true)
    } finally {
      stored.close()
      older.close()
    }
  })
})

describe('coroner report', () => {
  it('runs the findings first when there are none, writes the file and prints its hash', async () => {
    const store = path.join(f.dir, 'cli-store')
    await writeReportCase(store, 'INC-CLI')
    const file = path.join(f.dir, 'cli', 'INC-CLI.md')
    const {stdout, error} = await coroner(['report', '--case', 'INC-CLI', '--store', store, '--db', path.join(f.dir, 'cli.duckdb'), '--format', 'md', '--out', file, '--json'])
    expect(error).toBeUndefined()
    const r = (JSON.parse(stdout) as Envelope<z.output<typeof reportResult>>).result
    expect(r).toMatchObject({caseId: 'INC-CLI', format: 'md', path: file, verified: true, findingsComputed: true})
    expect(r.findingCount).toBeGreaterThan(3)
    expect(await readFile(file, 'utf8')).toContain('# Incident report INC-CLI')
  })

  it('re-verifies the evidence when it reports: an artifact altered after the load is named in the report, never called verified', async () => {
    const root = path.join(f.dir, 'damaged-store')
    const {store, caseId} = await writeReportCase(root, 'INC-DAMAGED')
    const args = ['report', '--case', caseId, '--store', root, '--db', path.join(f.dir, 'damaged.duckdb'), '--format', 'md', '--json']
    const clean = await coroner([...args, '--out', path.join(f.dir, 'damaged', 'before.md')])
    expect((JSON.parse(clean.stdout) as Envelope<ReportResult>).result.verified).toBe(true)
    const {objects} = await indexCase(store, caseId).then((i) => i.runs[1]!)
    const altered = [...objects.keys()].find((k) => k.endsWith('guardduty-finding.json'))!
    await rewrite(path.join(root, altered), (b) => Buffer.concat([b, Buffer.from(' ')]))
    const file = path.join(f.dir, 'damaged', 'after.md')
    const damaged = await coroner([...args, '--out', file])
    expect((JSON.parse(damaged.stdout) as Envelope<ReportResult>).result.verified).toBe(false)
    const md = await readFile(file, 'utf8')
    expect(md).toContain('**PROBLEMS FOUND** (artifacts: 13 ok, 1 altered)')
    expect(md).toContain(`altered\\: ${altered.replaceAll('_', '\\_')} \\(size `)
  })

  it('names the missing browser for a PDF and how to install it', async () => {
    const store = path.join(f.dir, 'cli-store')
    const {stdout, error} = await coroner(['report', '--case', 'INC-CLI', '--store', store, '--db', path.join(f.dir, 'cli.duckdb'), '--format', 'pdf', '--browser', '/nonexistent/chromium', '--json'])
    expect(error?.oclif?.exit).toBe(2)
    const e = (JSON.parse(stdout) as Envelope<never>).error!
    expect(e.code).toBe('browser-missing')
    expect(e.message).toContain('/nonexistent/chromium')
    expect(e.hint).toContain('apt-get install chromium')
  })
})
