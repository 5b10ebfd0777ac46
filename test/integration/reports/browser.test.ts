import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {copyFile, mkdtemp, readFile, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {chromium, type BrowserContext} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {AnalysisDb} from '../../../src/analysis/db.js'
import {HEADLESS_ARGS} from '../../../src/reports/format/pdf.js'
import {HOSTILE, SECRET} from '../../support/report-case.js'
import {renderFixture, reportFixture} from '../../support/report-fixture.js'

const BROWSER = process.env.CORONER_CHROMIUM ?? '/usr/bin/chromium'
const hasBrowser = existsSync(BROWSER)
const hasPdftotext = (() => {
  try {
    execFileSync('pdftotext', ['-v'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
})()

let f: Awaited<ReturnType<typeof reportFixture>>
let context: BrowserContext
let profile: string
let file: string

beforeAll(async () => {
  if (!hasBrowser) return
  f = await reportFixture()
  file = (await renderFixture(f, 'html')).file
  profile = await mkdtemp(path.join(os.tmpdir(), 'coroner-chromium-'))
  context = await chromium.launchPersistentContext(profile, {executablePath: BROWSER, headless: true, args: HEADLESS_ARGS})
})

afterAll(async () => {
  await context?.close()
  if (profile) await rm(profile, {recursive: true, force: true})
  await f?.cleanup()
})

describe.skipIf(!hasBrowser)(`the HTML report in headless Chromium${hasBrowser ? '' : ` (skipped: no Chromium at ${BROWSER}; .ci/run installs it)`}`, () => {
  it('draws the chart, sorts and filters the timeline, runs no planted script and fetches nothing', async () => {
    const page = await context.newPage()
    const requests: string[] = []
    const violations: string[] = []
    page.on('request', (r) => requests.push(r.url()))
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused/i.test(m.text())) violations.push(m.text())
    })
    await page.goto(pathToFileURL(file).href)

    // The chart: an SVG with bars and points.
    expect(await page.locator('figure.chart svg .mark-rect path').count()).toBeGreaterThan(0)
    expect(await page.locator('figure.chart svg .mark-symbol path').count()).toBeGreaterThan(0)
    // The style sheet and the script were admitted by their hashes.
    expect(await page.evaluate(() => getComputedStyle(document.body).fontSize)).toBe('14px')
    expect(await page.locator('#timeline-table th button').count()).toBe(9)

    const times = () => page.locator('#timeline-table tbody tr:not([hidden]) td:first-child').allTextContents()
    const before = await times()
    expect(before).toEqual([...before].sort())
    await page.locator('#timeline-table th button', {hasText: 'time'}).click()
    await page.locator('#timeline-table th button', {hasText: 'time'}).click()
    const descending = await times()
    expect(descending).toEqual([...before].sort().reverse())
    expect(await page.locator('#timeline-table th[aria-sort=descending]').count()).toBe(1)

    await page.locator('#filter-source').selectOption('logs')
    const logs = await page.locator('#timeline-table tbody tr:not([hidden])').count()
    expect(logs).toBeGreaterThan(0)
    expect(logs).toBeLessThan(before.length)
    expect(await page.locator('#filter-count').textContent()).toBe(String(logs))
    await page.locator('#filter-source').selectOption('')
    await page.locator('#filter-text').fill('203.0.113.66')
    expect(await page.locator('#timeline-table tbody tr:not([hidden])').count()).toBe(1)
    await page.locator('#filter-text').fill('')
    await page.locator('#filter-severity').selectOption('critical')
    expect(await page.locator('#timeline-table tbody tr:not([hidden]) td.sev-critical').count()).toBe(await page.locator('#timeline-table tbody tr:not([hidden])').count())

    // The planted markup is text on the page, and did nothing.
    expect(await page.evaluate(() => (window as unknown as {__pwned?: number}).__pwned)).toBeUndefined()
    expect(await page.locator('body img, body iframe, main script').count()).toBe(0)
    const text = await page.locator('main').innerText()
    for (const s of [HOSTILE.script, HOSTILE.img, HOSTILE.link]) expect(text).toContain(s)
    expect(text).toContain('invoice\\u202egpj.exe')
    expect(text).not.toContain('\u202E')
    expect(await page.locator('a[href^="javascript"]').count()).toBe(0)
    await page.locator('#filter-text').fill(HOSTILE.link)
    expect(await page.evaluate(() => (window as unknown as {__pwned?: number}).__pwned)).toBeUndefined()

    expect(requests).toEqual([pathToFileURL(file).href])
    expect(violations).toEqual([])
    await page.close()
  })

  it.skipIf(!hasPdftotext)(`prints a PDF whose text holds the case id and the first finding, a secret in it only as [redacted:NAME]${hasPdftotext ? '' : ' (skipped: no pdftotext; .ci/run installs poppler-utils)'}`, async () => {
    const db = path.join(f.dir, 'pdf-secret.duckdb')
    await copyFile(f.dbPath, db)
    const handle = await AnalysisDb.open(db)
    await handle.run(`UPDATE findings SET actor = 'svc-${SECRET}' WHERE finding_id = (SELECT finding_id FROM findings ORDER BY seq LIMIT 1)`)
    handle.close()
    const {file: pdf} = await renderFixture(f, 'pdf', {dbPath: db})
    const bytes = await readFile(pdf)
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], {encoding: 'utf8'}).replace(/\s+/g, ' ')
    expect(text).toContain('INC-REPORT')
    const json = JSON.parse((await renderFixture(f, 'json')).text) as {findings: Array<{title: string}>}
    expect(text).toContain(json.findings[0]!.title)
    expect(text).not.toContain(SECRET)
    expect(text.replace(/ /g, '')).toContain('svc-[redacted:DB_PASSWORD]')
  })
})
