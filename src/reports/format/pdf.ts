import {existsSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {CoronerError} from '../../core/errors.js'
import {removeOnQuit} from '../../core/quit.js'

/** Where coroner looks for Chromium: $CORONER_CHROMIUM, else Debian's and other usual places. */
export const BROWSER_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable']

/** Launch flags for a headless browser that makes no background connection (a closed network stalls on them). */
export const HEADLESS_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/** The Chromium to print with, or an error naming what is missing and how to install it. */
export function findBrowser(given?: string): string {
  const candidates = given !== undefined ? [given] : process.env.CORONER_CHROMIUM ? [process.env.CORONER_CHROMIUM] : BROWSER_PATHS
  const found = candidates.find((p) => existsSync(p))
  if (found !== undefined) return found
  throw new CoronerError('browser-missing', `A PDF report is printed by Chromium, and there is none at ${candidates.join(', ')}.`, {
    hint: 'Install it (Debian/Ubuntu: `apt-get install chromium`), or point CORONER_CHROMIUM (or --browser) at a Chromium or Chrome binary; --format html gives the same report without one.',
  })
}

/**
 * Prints the report's HTML to PDF in headless Chromium, driven by playwright-core: a fresh
 * profile, no network (the page needs none, and its Content-Security-Policy forbids any request).
 */
export async function renderPdf(html: string, options: {browser?: string} = {}): Promise<Uint8Array> {
  const executablePath = findBrowser(options.browser)
  const {chromium} = await import('playwright-core')
  const profile = await mkdtemp(path.join(os.tmpdir(), 'coroner-pdf-'))
  const forget = removeOnQuit(profile)
  let context: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | undefined
  try {
    context = await chromium.launchPersistentContext(profile, {executablePath, headless: true, args: HEADLESS_ARGS, offline: true})
    const page = await context.newPage()
    await page.setContent(html, {waitUntil: 'load'})
    await page.emulateMedia({media: 'print'})
    return await page.pdf({format: 'A4', printBackground: true, margin: {top: '14mm', bottom: '14mm', left: '12mm', right: '12mm'}, displayHeaderFooter: false})
  } finally {
    await context?.close()
    await rm(profile, {recursive: true, force: true})
    forget()
  }
}
