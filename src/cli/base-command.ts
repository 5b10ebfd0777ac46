import {format} from 'node:util'
import {Command, Flags, Errors, ux} from '@oclif/core'
import {jsonText} from '../analysis/output.js'
import {AwsClientFactory} from '../aws/client-factory.js'
import {systemClock} from '../core/clock.js'
import {ExitCode, toCoronerError, type ExitCodeValue} from '../core/errors.js'
import {createLogger} from '../core/logger.js'
import {quietProgress, terminalProgress} from '../core/progress.js'
import {loadConfig, openStore, resolveStoreLocation} from '../evidence/open-store.js'
import type {RunStepOptions, RunnerEnv, SealedRun, StepCall, StepOutcome} from '../steps/runner.js'
import {runStep, runSteps} from '../steps/runner.js'
import type {AnyStep} from '../steps/step.js'
import {renderGaps} from './render-gaps.js'
import {terminalSafeLine} from './table.js'

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

/**
 * The base of every coroner command. It owns the global flags, the `--json` envelope
 * (`{status, result, warnings}` or `{status: "error", error: {code, message, hint}}`), the one
 * `catch()` that maps errors to exit codes, Ctrl-C handling, and the Context handed to the core.
 */
export abstract class CoronerCommand<T> extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    store: Flags.string({
      description: 'Evidence store: a directory, or s3://bucket/prefix. Default: $CORONER_STORE, coroner.yaml, else ./coroner-cases.',
      helpGroup: 'GLOBAL',
    }),
    profile: Flags.string({description: 'AWS profile (as in the AWS CLI).', helpGroup: 'GLOBAL', env: 'AWS_PROFILE'}),
    region: Flags.string({description: 'AWS region.', helpGroup: 'GLOBAL'}),
    'endpoint-url': Flags.string({description: 'Send AWS calls to this endpoint (an emulator or a VPC endpoint).', helpGroup: 'GLOBAL'}),
    'show-secrets': Flags.boolean({description: 'Show secret values (environment variables) instead of redacting them.', helpGroup: 'GLOBAL', default: false}),
  }

  protected readonly abort = new AbortController()
  /** Warnings the core logged while the command ran: they end up with the outcome's, in the envelope or on stderr. */
  private readonly loggedWarnings: string[] = []
  private readonly cleanups: Array<() => Promise<void> | void> = []
  private interrupted = false

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

  override async init(): Promise<void> {
    await super.init()
    const onSigint = (): void => {
      if (this.interrupted) process.exit(130)
      this.interrupted = true
      process.stderr.write('\nInterrupted: sealing what was collected (press Ctrl-C again to quit at once)…\n')
      this.abort.abort(new Error('interrupted by the user'))
    }
    process.on('SIGINT', onSigint)
    process.on('SIGTERM', onSigint)
    this.cleanups.push(() => {
      process.off('SIGINT', onSigint)
      process.off('SIGTERM', onSigint)
    })
  }

  async run(): Promise<void> {
    const outcome = await this.execute()
    const warnings = [...(outcome.warnings ?? []), ...this.loggedWarnings]
    if (this.jsonEnabled()) {
      this.logJson({status: outcome.exitCode === ExitCode.partial ? 'partial' : 'ok', result: outcome.result, warnings})
    } else {
      this.render(outcome.result)
      for (const w of warnings) this.logToStderr(`Warning: ${screenText(w)}`)
    }
    if (outcome.exitCode !== undefined && outcome.exitCode !== ExitCode.ok) this.exit(outcome.exitCode)
  }

  /** The single place errors become output and exit codes. */
  override async catch(error: Error & {exitCode?: number}): Promise<void> {
    if (error instanceof Errors.ExitError) throw error
    if (error instanceof Errors.CLIError) {
      // Flag and argument parsing errors from oclif: usage errors.
      const oclifExit = (error as Errors.CLIError).oclif?.exit
      if (this.jsonEnabled()) this.logJson({status: 'error', error: {code: 'usage', message: error.message, hint: 'See --help.'}})
      else this.logToStderr(`Error: ${screenText(error.message)}\nHint: see \`${this.config.bin} ${this.id?.replace(/:/g, ' ') ?? ''} --help\`.`)
      this.exit(oclifExit === undefined || oclifExit === 1 ? ExitCode.usage : oclifExit)
    }
    const e = toCoronerError(error)
    if (this.jsonEnabled()) {
      this.logJson({status: 'error', error: {code: e.code, message: e.message, ...(e.hint === undefined ? {} : {hint: e.hint})}})
    } else {
      this.logToStderr(`Error [${e.code}]: ${screenText(e.message)}${e.hint === undefined ? '' : `\nHint: ${screenText(e.hint)}`}`)
      if (e.exitCode === ExitCode.internal && process.env.CORONER_DEBUG) this.logToStderr(String(error.stack))
    }
    this.exit(e.exitCode)
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
    this.cleanups.push(() => aws.destroy(), () => store.close())
    const logger = createLogger((r) => {
      // A warning is part of the outcome (the --json envelope's warnings); information is for the terminal only.
      if (r.level === 'warn' || r.level === 'error') this.loggedWarnings.push(r.message)
      else if (!json) process.stderr.write(`${r.level === 'info' ? '' : `${r.level}: `}${screenText(r.message)}\n`)
    }, process.env.CORONER_DEBUG ? 'debug' : 'info')
    return {
      clock: systemClock,
      logger,
      progress: !json && process.stderr.isTTY ? terminalProgress(process.stderr) : quietProgress,
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

  /**
   * The lines every command that sealed a run ends with, the one place they are written: its gaps,
   * the run summary, the manifest, its signature, and the case head to record outside the store.
   */
  protected logRunFooter(run: RunFooterFacts, what: string): void {
    const gaps = typeof run.gaps === 'number' ? run.gaps : run.gaps.length
    if (typeof run.gaps !== 'number') for (const line of renderGaps(run.gaps)) this.log(line)
    this.log(`\nCase ${run.caseId}, run ${run.runId}: ${what}${what === '' ? '' : ', '}${run.artifacts} artifact(s), ${gaps} gap(s) (${run.status}).`)
    this.log(`Manifest ${run.manifestKey}\nManifest SHA-256 ${run.manifestSha256}`)
    if (run.signature) this.log(`Signed by ${run.signature.keyId} (public key SHA-256 ${run.signature.publicKeySha256})`)
    this.log(`Case head ${run.head} (record it in your incident ticket; \`coroner evidence verify --case ${run.caseId} --expect ${run.head}\` checks that no run was removed or replaced since)`)
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
