import {format} from 'node:util'
import {Command, Errors, ux, type Interfaces} from '@oclif/core'
import type {z} from 'zod'
import {jsonText} from '../analysis/output.js'
import {AwsClientFactory} from '../aws/client-factory.js'
import {systemClock} from '../core/clock.js'
import type {Row} from '../analysis/db.js'
import {CoronerError, ExitCode, interruption, toCoronerError, type ExitCodeValue} from '../core/errors.js'
import {createLogger} from '../core/logger.js'
import {progressFor} from '../core/progress.js'
import {quitNow} from '../core/quit.js'
import {loadConfig, openStore, resolveStoreLocation} from '../evidence/open-store.js'
import type {RunStepOptions, RunnerEnv, SealedRun, StepCall, StepOutcome} from '../steps/runner.js'
import {runStep, runSteps} from '../steps/runner.js'
import type {AnyStep} from '../steps/step.js'
import {drainOutput} from './drain.js'
import {explainParseError} from './parse-errors.js'
import {
  cutNote,
  errorEnvelope,
  limitList,
  machineRows,
  requestedFormat,
  resolveOutput,
  rowLimit,
  shownRow,
  successEnvelope,
  tableOf,
  terminalWidth,
  type ListView,
  type OutputOptions,
  type TableGap,
} from './output.js'
import {renderGaps} from './render-gaps.js'
import {firstRows, writeJson, writeLines, type RowStream} from './row-stream.js'
import type {RunJson} from './results/common.js'
import type {Column} from './table.js'
import {terminalSafe, terminalSafeLine} from './table.js'

/**
 * Everything a command prints may quote file names, keys read from a manifest and API values:
 * each line goes through the one escaping function, the line breaks (and tabs) kept.
 */
const screenText = (text: string): string => text.split('\n').map(terminalSafeLine).join('\n')

/** What a command's core work hands back: a typed result, warnings and the exit code it earns. */
export interface Outcome<T> {
  result: T
  warnings?: string[]
  exitCode?: ExitCodeValue
  /** The rows of the result's list (`list()`), read as they are written rather than held: the list itself stays empty. */
  rows?: RowStream
}

/** Values of the store write flags (src/cli/store-flags.ts), present on commands that declare them. */
export interface StoreFlagValues {
  'allow-unlocked'?: boolean | undefined
  'legal-hold'?: boolean | undefined
  'kms-key'?: string | undefined
  'lock-mode'?: string | undefined
  'retain-days'?: number | undefined
  'sign-kms-key'?: string | undefined
  'sign-key'?: string | undefined
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type FlagOutput = {[name: string]: any}

/**
 * The base of every coroner command. It owns the `--json` envelope (`{status, result, warnings}`
 * or `{status: "error", error: {code, message, hint}, warnings}`), the output formats (through
 * cli/output.ts), the one `catch()` that maps errors to output and exit codes, the wait for
 * stdout and stderr to drain before any exit, Ctrl-C handling, and the Context handed to the core.
 * Flags come in groups a command spreads (cli/flags.ts): STORE, AWS, OUTPUT.
 */
export abstract class CoronerCommand<T> extends Command {
  static override enableJsonFlag = true

  /** The schema of the command's `--json` result (cli/results): docs/json/<command>.schema.json is generated from it. */
  static resultSchema: z.ZodType | undefined

  /** The exit codes this command ends with besides 0 and 2, with what each means here (shown in its help). */
  static exitCodes: Partial<Record<ExitCodeValue, string>> = {}

  protected readonly abort = new AbortController()
  /** What the output flags ask for; read from the raw arguments until the command parses them. */
  protected output: OutputOptions = {format: 'table', limit: undefined, wide: false, columns: undefined, width: undefined}
  protected showSecrets = false
  /** Warnings the core logged while the command ran: they end up with the outcome's, in the envelope or on stderr. */
  private readonly loggedWarnings: string[] = []
  private readonly cleanups: Array<() => Promise<void> | void> = []
  private interrupted = false
  /** Whether streamed rows (runStreamed) have reached stdout: an error past that point goes to stderr alone. */
  private streaming = false
  private storeLocation: string | undefined

  /** Every line printed on stdout, made terminal-safe. */
  override log(message = '', ...args: unknown[]): void {
    super.log(screenText(args.length === 0 ? String(message) : format(message, ...args)))
  }

  /** Every line printed on stderr, made terminal-safe. */
  override logToStderr(message = '', ...args: unknown[]): void {
    super.logToStderr(screenText(args.length === 0 ? String(message) : format(message, ...args)))
  }

  /** The --json envelope, control and bidirectional characters escaped (analysis/output.ts). */
  override logJson(json: unknown): void {
    ux.stdout(jsonText(json, 2))
  }

  /** The command's work: call one core function and return its result. */
  protected abstract execute(): Promise<Outcome<T>>

  /** Human rendering of the result, on stdout. */
  protected abstract render(result: T): void

  /** The rows the command prints, when it prints rows: what --output ndjson|csv write and --limit cuts. */
  protected list(_result: T): ListView | undefined {
    return undefined
  }

  override async init(): Promise<void> {
    await super.init()
    this.output = {...this.output, format: requestedFormat(this.argv) ?? 'table'}
    const onSigint = (signal: NodeJS.Signals): void => {
      if (this.interrupted) quitNow(ExitCode.interrupted, (text) => process.stderr.write(text))
      this.interrupted = true
      process.stderr.write('\nInterrupted: stopping; a run under way is sealed with what it collected (press Ctrl-C again to quit at once)…\n')
      this.abort.abort(interruption(signal))
    }
    // A reader that goes away (`| head`) ends the output, not the command with a stack trace.
    const onPipeError = (error: NodeJS.ErrnoException): void => {
      if (error.code !== 'EPIPE') throw error
    }
    process.on('SIGINT', onSigint)
    process.on('SIGTERM', onSigint)
    process.stdout.on('error', onPipeError)
    this.cleanups.push(() => {
      process.off('SIGINT', onSigint)
      process.off('SIGTERM', onSigint)
      process.stdout.off('error', onPipeError)
    })
  }

  override jsonEnabled(): boolean {
    return super.jsonEnabled() || this.output.format === 'json' || requestedFormat(this.argv ?? []) === 'json'
  }

  protected override async parse<F extends FlagOutput, B extends FlagOutput, A extends FlagOutput>(options?: Interfaces.Input<F, B, A>, argv?: string[]): Promise<Interfaces.ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv)
    const flags = parsed.flags as FlagOutput
    const ctor = (options ?? this.ctor) as {flags?: Record<string, unknown>}
    this.output = resolveOutput(flags, terminalWidth(process.stdout), 'ndjson' in (ctor.flags ?? {}))
    this.showSecrets = flags['show-secrets'] === true
    return parsed
  }

  async run(): Promise<void> {
    const outcome = await this.execute()
    if (outcome.rows) {
      await this.runStreamed(outcome, outcome.rows)
      return
    }
    const warnings = [...(outcome.warnings ?? []), ...this.loggedWarnings]
    const view = this.list(outcome.result)
    const format = this.output.format
    if (format === 'json') {
      const result = view ? limitList(outcome.result, this.shownView(view), rowLimit(this.output)) : outcome.result
      process.stdout.write(`${jsonText(successEnvelope(outcome.exitCode, result, warnings), 2)}\n`)
    } else if ((format === 'ndjson' || format === 'csv') && view) {
      this.writeRows(format, view, outcome.result)
      for (const w of new Set(warnings)) this.logToStderr(`Warning: ${screenText(w)}`)
    } else {
      this.render(outcome.result)
      for (const w of new Set(warnings)) this.logToStderr(`Warning: ${screenText(w)}`)
    }
    await this.end(outcome.exitCode)
  }

  /**
   * `run` for rows that come as a stream: each format writes them as they are read (a table keeps
   * the rows it shows and counts the rest), and says what `--limit` cut as it does for rows held.
   */
  private async runStreamed(outcome: Outcome<T>, stream: RowStream): Promise<void> {
    const view = this.list(outcome.result)
    const show = stream.shown ? (r: Row): Row => r : (r: Row): Row => shownRow(r, this.showSecrets)
    const limit = rowLimit(this.output)
    const format = this.output.format
    const warnings = (): string[] => [...(outcome.warnings ?? []), ...this.loggedWarnings]
    const options = {limit, show, signal: this.abort.signal, started: () => (this.streaming = true)}
    try {
      if (!view) throw new CoronerError('internal', `${this.id ?? 'this command'} streamed rows but lists none.`)
      if (format === 'json') {
        await writeJson(stream, view.name, (list) => successEnvelope(outcome.exitCode, {...outcome.result, [view.name]: list.rows, total: list.total, truncated: list.truncated}, warnings()), options)
      } else if (format === 'ndjson' || format === 'csv') {
        const {kept, total} = await writeLines(format, stream, view.csv ?? view.columns.map((c) => c.key), options)
        if (kept < total) process.stderr.write(`truncated: true, ${kept} of ${total} row(s)${limit === undefined ? '' : ` (--limit ${limit})`}; --limit 0 for all\n`)
        for (const w of new Set(warnings())) this.logToStderr(`Warning: ${screenText(w)}`)
      } else {
        // As for rows held, the table redacts what it shows.
        const {rows, total} = await firstRows(stream, {...options, show: (r) => r})
        this.render({...outcome.result, [view.name]: rows, total, truncated: rows.length < total})
        for (const w of new Set(warnings())) this.logToStderr(`Warning: ${screenText(w)}`)
      }
    } finally {
      stream.close()
    }
    await this.end(outcome.exitCode)
  }

  /** NDJSON or CSV on stdout; what a --limit cut, and where recorded evidence went, on stderr. */
  private writeRows(format: 'ndjson' | 'csv', view: ListView, result: T): void {
    const limit = rowLimit(this.output)
    const total = Math.max(view.total ?? view.rows.length, view.rows.length)
    const rows = (limit === undefined ? view.rows : view.rows.slice(0, limit)).map((r) => shownRow(r, this.showSecrets))
    process.stdout.write(machineRows(format, view, rows))
    if (rows.length < total) process.stderr.write(`truncated: true, ${rows.length} of ${total} row(s)${limit === undefined ? '' : ` (--limit ${limit})`}; --limit 0 for all\n`)
    const run = (result as {run?: RunJson | null} | null)?.run
    if (run) for (const line of this.runFooterLines(run, '')) process.stderr.write(`${line}\n`)
  }

  private shownView(view: ListView): ListView {
    return {...view, rows: view.rows.map((r) => shownRow(r, this.showSecrets))}
  }

  /** Waits for stdout and stderr to take everything written (a pipe may be full), then exits with the code. */
  private async end(exitCode: ExitCodeValue | undefined): Promise<void> {
    await drainOutput()
    if (exitCode !== undefined && exitCode !== ExitCode.ok) this.exit(exitCode)
  }

  /** The single place errors become output and exit codes. */
  override async catch(error: Error & {exitCode?: number}): Promise<void> {
    if (error instanceof Errors.ExitError) throw error
    const json = this.jsonEnabled()
    if (error instanceof Errors.CLIError) {
      // Flag and argument parsing errors from oclif: usage errors, with the nearest known name suggested.
      const oclifExit = (error as Errors.CLIError).oclif?.exit
      const message = explainParseError(error, this.ctor)
      const command = `${this.config.bin} ${this.id?.replace(/:/g, ' ') ?? ''}`.trim()
      if (json) this.writeJson(errorEnvelope({code: 'usage', message, hint: `See \`${command} --help\`.`}, this.loggedWarnings))
      else process.stderr.write(`Error: ${screenText(message)}\nHint: see \`${command} --help\`.\n`)
      await drainOutput()
      this.exit(oclifExit === undefined || oclifExit === 1 ? ExitCode.usage : oclifExit)
    }
    const e = toCoronerError(error)
    if (json && !this.streaming) {
      this.writeJson(errorEnvelope(e, this.loggedWarnings))
    } else {
      // Rows already written cannot be taken back: stdout ends unfinished (a JSON envelope that does not parse), the error is on stderr.
      if (this.streaming) process.stderr.write('The output on stdout is incomplete: it stopped at the error below.\n')
      for (const w of new Set(this.loggedWarnings)) process.stderr.write(`Warning: ${screenText(w)}\n`)
      process.stderr.write(`Error [${e.code}]: ${screenText(e.message)}${e.hint === undefined ? '' : `\nHint: ${screenText(e.hint)}`}\n`)
      if (e.exitCode === ExitCode.internal && process.env.CORONER_DEBUG) process.stderr.write(`${String(error.stack)}\n`)
    }
    await drainOutput()
    this.exit(e.exitCode)
  }

  /** The --json envelope, control and bidirectional characters escaped (analysis/output.ts). */
  private writeJson(value: unknown): void {
    process.stdout.write(`${jsonText(value, 2)}\n`)
  }

  override async finally(error: Error | undefined): Promise<void> {
    for (const c of this.cleanups.reverse()) await c()
    await super.finally(error)
  }

  /** Builds the runner's environment for this invocation from the global flags and the config file. */
  protected async context(flags: GlobalFlagValues, caseId?: string): Promise<RunnerEnv> {
    const config = loadConfig()
    const json = this.jsonEnabled()
    const aws = new AwsClientFactory({
      ...(flags.profile ?? config.profile ? {profile: (flags.profile ?? config.profile)!} : {}),
      ...(flags.region ?? config.region ? {region: (flags.region ?? config.region)!} : {}),
      ...(flags['endpoint-url'] === undefined ? {} : {endpointUrl: flags['endpoint-url']}),
      ...(caseId === undefined ? {} : {caseId}),
    })
    const kmsKey = flags['kms-key'] ?? config.kmsKey
    const signKmsKey = flags['sign-kms-key'] ?? config.signKmsKey
    const signKey = flags['sign-key'] ?? config.signKey
    const store = await openStore(resolveStoreLocation(flags.store, config), {
      ...(signKmsKey === undefined ? {} : {signKmsKey}),
      ...(signKey === undefined ? {} : {signKey}),
      aws,
      allowUnlocked: flags['allow-unlocked'] ?? false,
      legalHold: flags['legal-hold'] ?? false,
      ...(kmsKey === undefined ? {} : {kmsKey}),
      ...(flags['lock-mode'] === 'COMPLIANCE' || flags['lock-mode'] === 'GOVERNANCE' ? {lockMode: flags['lock-mode']} : {}),
      ...(flags['retain-days'] === undefined ? {} : {retainDays: flags['retain-days']}),
    })
    this.storeLocation = store.location
    this.cleanups.push(() => aws.destroy(), () => store.close())
    const logger = createLogger((r) => {
      // A warning is part of the outcome (the --json envelope's warnings); information is for the terminal only.
      if (r.level === 'warn' || r.level === 'error') this.loggedWarnings.push(r.message)
      else if (!json) process.stderr.write(`${r.level === 'info' ? '' : `${r.level}: `}${screenText(r.message)}\n`)
    }, process.env.CORONER_DEBUG ? 'debug' : 'info')
    return {
      clock: systemClock,
      logger,
      progress: progressFor(process.stderr, json),
      signal: this.abort.signal,
      aws,
      store,
      showSecrets: flags['show-secrets'] ?? false,
      caseId,
      storeNamed: flags.store !== undefined || process.env.CORONER_STORE !== undefined || config.store !== undefined,
    }
  }

  /** The region calls default to (--region, coroner.yaml, the SDK's environment), known without calling AWS. */
  protected configuredRegion(flags: GlobalFlagValues): string {
    const region = flags.region ?? loadConfig().region
    return new AwsClientFactory(region === undefined ? {} : {region}).defaultRegion
  }

  /** Runs one registered step with these parameters through the runner, journalled under this command's name. */
  protected async runStep<S extends AnyStep>(env: RunnerEnv, step: S, input: unknown, options: RunStepOptions = {}): Promise<StepOutcome<S>> {
    return runStep(env, step, input, {command: this.commandName(step), ...options})
  }

  /** This command's name as the custody journal records it, e.g. `collect lambda`. */
  protected commandName(step?: AnyStep): string {
    return this.id?.replace(/:/g, ' ') ?? step?.command ?? step?.id ?? 'coroner'
  }

  /** Runs several registered steps in order inside one evidence run, journalled under this command's name. */
  protected async runSteps(env: RunnerEnv, calls: readonly StepCall[], parameters: Record<string, unknown>): Promise<{results: unknown[]; run: SealedRun}> {
    return runSteps(env, calls, {command: this.commandName(), parameters})
  }

  /** A sealed run as every command that recorded one reports it (`run` in its --json result). */
  protected runJson(run: SealedRun): RunJson {
    return {
      caseId: run.caseId,
      runId: run.runId,
      status: run.status,
      store: this.storeLocation ?? '',
      artifacts: run.artifacts,
      gaps: run.gaps.map((g) => ({code: g.code, collector: g.collector, resource: g.resource, reason: g.reason, region: g.region ?? null})),
      manifestKey: run.manifestKey,
      manifestSha256: run.manifestSha256,
      head: run.head,
      ...(run.signature === undefined ? {} : {signature: run.signature}),
    }
  }

  /**
   * The outcome of work that sealed an evidence run: exit 6 with a warning when the run ended
   * anything but complete (gaps, a failure, an interruption), the run's own warnings carried along.
   */
  protected sealedOutcome<R>(run: SealedRun, result: R, extra: {warnings?: string[]; exitCode?: ExitCodeValue} = {}): Outcome<R> {
    const warnings = [...run.warnings, ...(extra.warnings ?? [])]
    if (run.status !== 'complete') warnings.push(`run ended ${run.status}: ${run.gaps.length} gap(s), see the custody journal`)
    const exitCode = extra.exitCode ?? (run.status === 'complete' ? undefined : ExitCode.partial)
    return {result, ...(warnings.length === 0 ? {} : {warnings}), ...(exitCode === undefined ? {} : {exitCode})}
  }

  /** A table of rows for the terminal, laid out for its width, at most --limit rows (a note says what was left out). */
  protected table(rows: ReadonlyArray<Record<string, unknown>>, columns: ReadonlyArray<Column>, total?: number, gap?: TableGap): void {
    this.log(tableOf(rows.map((r) => shownRow(r, this.showSecrets)), columns, this.output, total, gap))
  }

  /** The note under a list the result holds only part of. */
  protected cutNote(shown: number, total: number, what?: string): string {
    return cutNote(shown, total, what)
  }

  /** The lines every command that sealed a run ends with: its gaps, the run, the store it went to and the manifest to record. */
  protected logRunFooter(run: RunJson, what: string): void {
    for (const line of renderGaps(run.gaps)) this.log(line)
    for (const line of this.runFooterLines(run, what)) this.log(line)
  }

  private runFooterLines(run: RunJson, what: string): string[] {
    return [
      `\nCase ${run.caseId}, run ${run.runId}: ${what}${what === '' ? '' : ', '}${run.artifacts} artifact(s), ${run.gaps.length} gap(s) (${run.status}).`,
      `Evidence store ${terminalSafe(run.store)}`,
      `Manifest ${run.manifestKey}`,
      `Manifest SHA-256 ${run.manifestSha256}`,
      ...(run.signature ? [`Signed by ${run.signature.keyId} (public key SHA-256 ${run.signature.publicKeySha256})`] : []),
      `Case head ${run.head} (record it in your incident ticket; \`coroner evidence verify --case ${run.caseId} --expect ${run.head}\` checks that no run was removed or replaced since)`,
    ]
  }
}

/** What the footer of a command that sealed a run says; `gaps` listed when given, else counted. */
export type RunFooterFacts = Pick<SealedRun, 'caseId' | 'runId' | 'status' | 'manifestKey' | 'manifestSha256' | 'artifacts' | 'head' | 'signature'> & {gaps: SealedRun['gaps'] | number}

/** The global flags (and the store write flags) a command's environment is built from. */
export type GlobalFlagValues = {
  store?: string | undefined
  profile?: string | undefined
  region?: string | undefined
  'endpoint-url'?: string | undefined
  'show-secrets'?: boolean
} & StoreFlagValues
