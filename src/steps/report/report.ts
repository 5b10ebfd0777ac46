import path from 'node:path'
import {z} from 'zod'
import {ensureCaseDb} from '../../analysis/case-db.js'
import {buildFindings} from '../../analysis/findings/build.js'
import {findingsPresent} from '../../analysis/findings/store.js'
import {defaultDbPath} from '../../analysis/load.js'
import {openForQuery} from '../../analysis/run-query.js'
import {usageError} from '../../core/errors.js'
import {buildReport} from '../../reports/build.js'
import {REPORT_FORMATS, reportLimits, writeReport, type WrittenReport} from '../../reports/write.js'
import {defineStep} from '../step.js'

const params = z
  .object({
    format: z.enum(REPORT_FORMATS).default('html').describe('md (GitHub/GitLab Markdown), html (one self-contained file), pdf (printed by headless Chromium), json (docs/json/report.schema.json)'),
    out: z.string().min(1).optional().describe('The file to write; default ./coroner-analysis/<case>/report.<format>'),
    db: z.string().min(1).optional().describe('The case database; default ./coroner-analysis/<case>/case.duckdb, built from the evidence when missing'),
    reload: z.boolean().default(false).describe('Rebuild the case database from the store first (a database of another store, or of older evidence, is refused otherwise)'),
    browser: z.string().min(1).optional().describe('The Chromium that prints a PDF; default $CORONER_CHROMIUM, else /usr/bin/chromium'),
    timelineRows: z.number().int().min(1).max(100_000).default(2000).describe('Timeline rows the HTML and Markdown reports hold (JSON holds every row)'),
  })
  .strict()

export interface ReportResult extends WrittenReport {
  caseId: string
  findings: number
  /** Whether every evidence object and the manifest chain verified when the report was made. */
  verified: boolean
  findingsComputed: boolean
  limits: string[]
}

/** `report`: the case as a report a responder can hand over, in Markdown, HTML, PDF or JSON. */
export const reportStep = defineStep({
  id: 'report',
  kind: 'report',
  title: 'Write the report of a case: findings, affected functions, timeline, indicators, gaps, custody and the verified manifest chain',
  command: 'report',
  params,
  records: false,
  operations: [],
  permissions: () => [],
  usesAws: () => false,
  produces: [],
  async run(ctx, p): Promise<ReportResult> {
    if (ctx.caseId === undefined) throw usageError('no-case', 'report needs a case: give --case.')
    const {dbPath} = await ensureCaseDb(ctx, ctx.caseId, p.db ?? defaultDbPath(ctx.caseId), {reload: p.reload})
    const findingsComputed = !(await findingsPresent(dbPath))
    if (findingsComputed) {
      ctx.logger.info(`No findings in ${dbPath} yet: running every rule and query first.`)
      await buildFindings({dbPath, progress: ctx.progress, signal: ctx.signal})
    }
    const db = await openForQuery(dbPath, ctx.signal)
    try {
      const built = await buildReport(db, {store: ctx.store, caseId: ctx.caseId, openRun: ctx.openRun, generatedAt: ctx.clock.now().toISOString(), showSecrets: ctx.showSecrets, findingsComputed, limits: {timelineRows: p.timelineRows}, progress: ctx.progress, signal: ctx.signal})
      const out = p.out ?? path.join(path.dirname(dbPath), `report.${p.format}`)
      const written = await writeReport(built, p.format, out, {...(p.browser === undefined ? {} : {browser: p.browser}), signal: ctx.signal, progress: ctx.progress})
      return {...written, caseId: ctx.caseId, findings: built.model.findings.length, verified: built.model.verification.ok, findingsComputed, limits: reportLimits(built, p.format)}
    } finally {
      db.close()
    }
  },
})
