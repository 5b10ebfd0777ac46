import {Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../cli/base-command.js'
import {awsFlags, resultOutputFlags, secretsFlag, storeFlag} from '../cli/flags.js'
import {playbookRunResult} from '../cli/results/playbook.js'
import {caseFlag} from '../cli/case-flag.js'
import {approveContainment} from '../cli/approve.js'
import {changeFlags} from '../cli/change-flags.js'
import {renderActionReports, type ActionReport} from '../cli/render-contain.js'
import {paramFlag, parseParamFlags} from '../cli/param-flag.js'
import {playbookArg} from '../cli/playbook-arg.js'
import {StepList} from '../cli/step-list.js'
import {storeWriteFlags} from '../cli/store-flags.js'
import {renderTable, terminalSafe} from '../cli/table.js'
import {ExitCode, usageError} from '../core/errors.js'
import {createLogger} from '../core/logger.js'
import {redactSecrets} from '../analysis/output.js'
import {assertCaseId} from '../evidence/keys.js'
import {readPlaybook} from '../playbooks/catalog.js'
import {runPlaybook, type PlaybookRunResult} from '../playbooks/execute.js'

type Result = z.output<typeof playbookRunResult>

export default class Run extends CoronerCommand<Result> {
  static override summary = 'Run a playbook: the whole response as one evidence run of the case'
  static override description =
    "Runs each step of the playbook (a shipped id or a file) inside one evidence run: every step's start, parameters, outcome (done, gap, failed, skipped) and duration go into the custody journal. Independent steps run side by side. Containment steps change nothing unless --apply; on a terminal --apply asks once, listing the targets (--yes skips the question, and is required off a terminal). --resume RUN continues an interrupted or partial run: steps it finished are not run again. Secret values never reach a step's results or the journal; --show-secrets is given to report steps only. Exits 6 when some data could not be collected, 3 when findings were produced, 0 otherwise."
  static override args = {playbook: playbookArg}
  static override flags = {
    ...storeFlag,
    ...storeWriteFlags,
    ...awsFlags,
    ...resultOutputFlags,
    ...secretsFlag,
    case: caseFlag,
    param: paramFlag(),
    apply: changeFlags.apply,
    yes: changeFlags.yes,
    resume: Flags.string({description: 'Continue this run of the case (its run id, from `coroner case show`)'}),
    fail: Flags.boolean({description: 'Exit 3 when findings were produced (use --no-fail to exit 0)', default: true, allowNo: true}),
  }
  static override resultSchema = playbookRunResult
  static override exitCodes = {[ExitCode.findings]: 'findings were produced (unless --no-fail)', [ExitCode.partial]: 'something could not be collected, or the run did not complete'}
  static override examples = [
    '<%= config.bin %> run lambda-triage --case INC-2026-0042 --param functions=payments-api --param since=7d --region eu-west-1',
    '<%= config.bin %> run lambda-compromise --case INC-2026-0042 --param functions=payments-api --apply',
    '<%= config.bin %> run lambda-triage --case INC-2026-0042 --resume 20261120T101500123Z-1a2b3c',
  ]

  protected async execute(): Promise<Outcome<Result>> {
    const {args, flags} = await this.parse(Run)
    const caseId = assertCaseId(flags.case)
    const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true
    if (flags.apply && !flags.yes && !interactive) {
      throw usageError('confirmation-needed', '--apply off a terminal cannot ask for confirmation.', 'Add --yes to apply without asking (check `coroner playbook plan … --apply` first).')
    }
    const loaded = readPlaybook(args.playbook)
    const env = await this.context(flags, caseId)
    const list = !this.jsonEnabled() && process.stderr.isTTY ? new StepList(process.stderr) : undefined
    const logger = list ? createLogger((r) => list.log(`${r.level === 'info' ? '' : `${r.level}: `}${terminalSafe(r.message)}`)) : env.logger
    const approve = async (request: Parameters<typeof approveContainment>[0]): Promise<boolean> => {
      list?.suspend()
      try {
        return await approveContainment(request, flags.yes)
      } finally {
        list?.resume()
      }
    }
    try {
      const result = await runPlaybook(
        {...env, logger, showSecrets: false},
        {loaded, caseId, given: parseParamFlags(flags.param), apply: flags.apply, showSecrets: flags['show-secrets'], ...(flags.resume === undefined ? {} : {resume: flags.resume}), approve, ...(list ? {observer: list} : {})},
      )
      const partial = result.status !== 'complete' || result.carriedGaps.length > 0
      const exitCode = partial ? ExitCode.partial : result.findings > 0 && flags.fail ? ExitCode.findings : undefined
      const warnings = [...result.warnings, ...result.carriedGaps.map((id) => `step ${id} ended with gaps in run ${result.resumedFrom}, which this run continues`)]
      if (result.status !== 'complete') warnings.push(`run ended ${result.status}: ${result.gaps.length} gap(s), see the custody journal`)
      const offline = result.steps.filter((s) => s.cause === 'store-not-local').map((s) => s.id)
      if (offline.length > 0) warnings.push(`the analysis (${offline.join(', ')}) was not run: ${result.steps.find((s) => s.cause === 'store-not-local')!.reason}`)
      return {result: this.runResult(result), ...(warnings.length === 0 ? {} : {warnings}), ...(exitCode === undefined ? {} : {exitCode})}
    } finally {
      list?.close()
    }
  }

  /** The run as every command reports one (`run`), its steps with null for what they did not say. */
  private runResult(r: PlaybookRunResult): Result {
    return {
      run: this.runJson(r),
      playbook: r.playbook,
      apply: r.apply,
      parameters: r.parameters,
      steps: r.steps.map((s) => ({
        id: s.id,
        uses: s.uses,
        kind: s.kind,
        outcome: s.outcome,
        durationMs: s.durationMs ?? null,
        reason: s.reason ?? null,
        cause: s.cause ?? null,
        error: s.error ?? null,
        gapCount: s.gaps,
        findings: s.findings,
        carriedFrom: s.carriedFrom ?? null,
        result: s.result ?? null,
        outputs: s.outputs ?? null,
      })),
      findings: r.findings,
      resumedFrom: r.resumedFrom ?? null,
      carriedGaps: r.carriedGaps,
    }
  }

  protected render(r: Result): void {
    this.log(
      renderTable(
        r.steps.map((s) => ({
          step: s.id,
          uses: s.uses,
          outcome: s.outcome,
          seconds: s.durationMs === null ? '' : (s.durationMs / 1000).toFixed(1),
          gaps: s.gapCount || '',
          findings: s.findings || '',
          detail: s.carriedFrom ? `carried over from run ${s.carriedFrom}` : (s.reason ?? ''),
        })),
        ['step', 'uses', 'outcome', 'seconds', 'gaps', 'findings', 'detail'],
      ),
    )
    for (const line of findingLines(r)) this.log(line)
    const report = r.steps.find((s) => s.kind === 'report' && s.outcome !== 'skipped' && typeof (s.result as {path?: unknown} | undefined)?.path === 'string')
    if (report) {
      const written = report.result as {path: string; verified?: boolean}
      this.log(`\nReport: ${terminalSafe(written.path)}${written.verified === false ? ' (the evidence did NOT verify when it was made: see its verification section)' : ''}`)
    }
    const contained = r.steps.filter((s) => s.kind === 'contain' && isActionReport(s.result)).map((s) => s.result as ActionReport)
    for (const line of renderActionReports(contained, {showNotes: false})) this.log(line)
    if (!r.apply && r.steps.some((s) => s.kind === 'contain')) this.log('\nContainment ran without --apply: nothing was changed; each step recorded what it would change.')
    this.logRunFooter(r.run, `playbook ${r.playbook.id} v${r.playbook.version}${r.resumedFrom ? ` (resuming run ${r.resumedFrom})` : ''}, ${r.findings} finding(s)`)
  }
}

/** The most severe findings a findings step reported, as a table (no details: those are the account's text). */
function findingLines(r: Result): string[] {
  const step = r.steps.find((s) => s.uses === 'findings' && s.outcome !== 'skipped' && s.result !== undefined)
  const top = (step?.result as {top?: Array<{severity: string; time: string | null; title: string; actor: string | null; target: string | null}>} | undefined)?.top ?? []
  if (top.length === 0) return []
  const rows = top.slice(0, 10).map((f) => redactSecrets({severity: f.severity, time: f.time, finding: f.title, actor: f.actor, target: f.target} as never) as Record<string, unknown>)
  return ['', `Findings (${r.findings}${top.length > 10 || r.findings > top.length ? ', the most severe' : ''}; \`coroner findings --case ${r.run.caseId}\` lists them):`, renderTable(rows, ['severity', 'time', 'finding', 'actor', 'target'])]
}

const isActionReport = (v: unknown): boolean => typeof v === 'object' && v !== null && Array.isArray((v as ActionReport).outcomes) && typeof (v as ActionReport).action === 'string'
