import {Args, Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {awsFlags, rowOutputFlags, storeFlag} from '../../cli/flags.js'
import type {ListView} from '../../cli/output.js'
import {renderRun} from '../../cli/render-run.js'
import {whole} from '../../cli/results/common.js'
import {artifactJson, caseShowResult} from '../../cli/results/evidence.js'
import {cellText} from '../../cli/table.js'
import {usageError} from '../../core/errors.js'
import {describeRuns, type RunDescription} from '../../evidence/case-runs.js'
import {assertCaseId} from '../../evidence/keys.js'

type Result = z.output<typeof caseShowResult>
type RunRow = Result['runs'][number]

export default class CaseShow extends CoronerCommand<Result> {
  static override summary = 'Show the runs of a case: command, parameters, who, status, artifacts and every gap with its reason'
  static override description =
    'Each run of the case as its manifest records it (or, for a run that never sealed, its custody journal): the command and its parameters, who ran it (user@host, and the AWS caller), when, how it ended, how many artifacts it wrote and every gap with its reason. With --run RUN, that one run in full: each artifact with its SHA-256, each step with its parameters and outcome, its notes, the tool, host and store, and the manifest it chains to.'
  static override args = {case: Args.string({description: 'Case id, e.g. INC-2026-0042', required: true})}
  static override flags = {
    run: Flags.string({description: 'Show this run in full (a run id, as the list gives it)'}),
    ...storeFlag,
    ...awsFlags,
    ...rowOutputFlags,
  }
  static override resultSchema = caseShowResult
  static override examples = ['<%= config.bin %> case show INC-2026-0042', '<%= config.bin %> case show INC-2026-0042 --run 20261124T120000123Z-1a2b3c']

  protected async execute(): Promise<Outcome<Result>> {
    const {args, flags} = await this.parse(CaseShow)
    const caseId = assertCaseId(args.case)
    const ctx = await this.context(flags, caseId)
    const described = await describeRuns(ctx.store, caseId, flags.run)
    if (described.length === 0) throw usageError('unknown-case', `No case ${caseId} in ${ctx.store.location}.`, 'Run `coroner case list` to see the cases there, or check --store.')
    const runs = described.map(runRow)
    const unsealed = runs.filter((r) => r.status !== 'complete').length
    return {result: {caseId, store: ctx.store.location, runs, ...whole(runs)}, ...(unsealed > 0 && flags.run === undefined ? {warnings: [`${unsealed} run(s) did not complete; see their status and gaps`]} : {})}
  }

  protected override list(r: Result): ListView {
    return {
      name: 'runs',
      rows: r.runs,
      columns: [
        {key: 'runId', header: 'run', kind: 'id', priority: 1},
        {key: 'status', priority: 1},
        {key: 'command', priority: 1},
        {key: 'parameters', priority: 4, value: (run: RunRow) => parameterText(run.parameters)},
        {key: 'user', priority: 3},
        {key: 'caller', kind: 'key', priority: 4},
        {key: 'artifacts', kind: 'number', priority: 2},
        {key: 'gaps', kind: 'number', priority: 2, value: (run: RunRow) => run.gaps.length},
        {key: 'startedAt', header: 'started', kind: 'time', priority: 3},
      ],
    }
  }

  protected render(r: Result): void {
    const only = r.runs.length === 1 ? r.runs[0] : undefined
    if (only?.detail) {
      for (const line of renderRun(only, only.detail, this.output)) this.log(line)
      return
    }
    this.log(`Case ${r.caseId} in ${cellText(r.store)}: ${r.runs.length} run(s)\n`)
    this.table(r.runs, this.list(r).columns)
    const withGaps = r.runs.filter((run) => run.gaps.length > 0)
    for (const run of withGaps) {
      this.log(`\nGaps of run ${run.runId} (${run.command ?? 'unknown command'}, ${run.gaps.length}):`)
      for (const g of run.gaps) this.log(`  [${g.code}] ${cellText(g.resource)}: ${cellText(g.reason)}`)
    }
    this.log(`\n\`coroner case show ${r.caseId} --run RUN\` shows one run in full.`)
  }
}

/** Parameters on one line: name=value, values as JSON. */
const parameterText = (p: Record<string, unknown>): string =>
  Object.entries(p)
    .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ')

function runRow(r: RunDescription): RunRow {
  return {
    runId: r.runId,
    status: r.status,
    command: r.command,
    parameters: r.parameters,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    user: r.user,
    caller: r.caller,
    artifacts: r.artifacts,
    gaps: r.gaps.map((g) => ({code: g.code, collector: g.collector, resource: g.resource, reason: g.reason, region: g.region ?? null})),
    warnings: r.warnings,
    manifestSha256: r.manifestSha256,
    detail: r.detail ? {...r.detail, artifacts: r.detail.artifacts.map(artifactJson)} : null,
  }
}
