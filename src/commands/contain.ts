import {Args, Flags} from '@oclif/core'
import type {z} from 'zod'
import type {AnyAction} from '../actions/action.js'
import {ACTIONS} from '../actions/registry.js'
import {CoronerCommand, type Outcome} from '../cli/base-command.js'
import {caseFlag} from '../cli/case-flag.js'
import {changeFlags} from '../cli/change-flags.js'
import {confirmChanges} from '../cli/confirm.js'
import {awsFlags, resultOutputFlags, storeFlag} from '../cli/flags.js'
import {renderActionReports} from '../cli/render-contain.js'
import {containResult} from '../cli/results/contain.js'
import {storeWriteFlags} from '../cli/store-flags.js'
import {ExitCode} from '../core/errors.js'
import {assertCaseId} from '../evidence/keys.js'
import {CONTAIN_STEPS} from '../steps/contain/actions.js'
import {chooseActions, containTargets} from '../steps/contain/plan.js'
import {parseParams} from '../steps/params.js'
import type {ActionParams, ContainStepResult} from '../steps/contain/run-action.js'

export type ContainResult = z.output<typeof containResult>

export default class Contain extends CoronerCommand<ContainResult> {
  static override summary = 'Contain a compromised function: evidence first, a dry run unless --apply, every change recorded and undoable'
  static override description = `ACTION is one of ${ACTIONS.map((a) => a.id).join(', ')}; a comma list of them; or all (every action with a target among those named: pin-alias only with --alias and --to-version, deactivate-keys only with keys). Before anything changes, the targets are snapshotted into the same evidence run; each action then records the state before, the exact calls and the state read back (contain.action). Without --apply nothing is changed: the change is shown as a before → after diff and recorded as planned. With --apply on a terminal you are asked once, listing the targets (--yes skips that; off a terminal --yes is required). Undo with \`coroner undo --case X --run RUN\`. See docs/containment.md.`
  static override args = {action: Args.string({description: 'The action, a comma list of actions, or all', required: true})}
  static override flags = {
    ...changeFlags,
    case: caseFlag,
    function: Flags.string({char: 'f', description: 'Function name or ARN (repeatable); its execution role is a target of the role actions', multiple: true}),
    role: Flags.string({char: 'r', description: 'Role name or ARN (repeatable), for revoke-sessions, deny-role and tag', multiple: true}),
    'access-key': Flags.string({description: 'Access key id (repeatable), for deactivate-keys', multiple: true}),
    'from-findings': Flags.boolean({description: "deactivate-keys: also the access keys the case database's findings name", default: false}),
    db: Flags.string({description: 'Case database for --from-findings (default ./coroner-analysis/<case>/case.duckdb)'}),
    'delete-url': Flags.boolean({description: 'close-url: delete the function URL instead of requiring IAM auth (needs --irreversible)', default: false}),
    irreversible: Flags.boolean({description: 'Acknowledge that --delete-url cannot be undone', default: false}),
    'include-services': Flags.boolean({description: 'remove-public-access: also remove statements granting AWS services (breaks their triggers)', default: false}),
    alias: Flags.string({description: 'pin-alias: the alias to pin'}),
    'to-version': Flags.string({description: 'pin-alias: the known-good version to pin it to'}),
    ...storeFlag,
    ...storeWriteFlags,
    ...awsFlags,
    ...resultOutputFlags,
  }
  static override resultSchema = containResult
  static override exitCodes = {[ExitCode.partial]: 'a change failed, was not read back as intended, or a target could not be snapshotted (see the gaps)'}
  static override examples = [
    '<%= config.bin %> contain all --function payments-api --case INC-2026-0042 --region eu-west-1',
    '<%= config.bin %> contain all --function payments-api --case INC-2026-0042 --region eu-west-1 --apply',
    '<%= config.bin %> contain throttle,close-url -f payments-api -f thumbnailer --case INC-2026-0042 --apply --yes',
    '<%= config.bin %> contain deactivate-keys --access-key AKIAIOSFODNN7EXAMPLE --case INC-2026-0042 --apply',
    '<%= config.bin %> contain pin-alias -f payments-api --alias live --to-version 41 --case INC-2026-0042 --apply',
  ]

  protected async execute(): Promise<Outcome<ContainResult>> {
    const {args, flags: given} = await this.parse(Contain)
    const flags = {...given, function: given.function ?? [], role: given.role ?? [], 'access-key': given['access-key'] ?? []}
    const caseId = assertCaseId(flags.case)
    const named = {functions: flags.function.length, roles: flags.role.length, accessKeys: flags['access-key'].length + (flags['from-findings'] ? 1 : 0), alias: flags.alias !== undefined}
    const actions = chooseActions(args.action, ACTIONS, named)
    const env = await this.context(flags, caseId)
    const calls = actions.map((action) => ({action, params: paramsFor(action, flags, env.aws.defaultRegion)}))
    const steps = calls.map((c) => ({step: CONTAIN_STEPS.find((s) => s.id === c.action.id)!, input: c.params}))
    for (const s of steps) parseParams(s.step, s.input)
    const targets = await containTargets(env, calls, flags['max-resources'])
    if (flags.apply) await confirmChanges(`contain ${actions.map((a) => a.id).join(',')}`, targets, flags.yes)
    const {results, run} = await this.runSteps(env, steps, {actions: actions.map((a) => a.id), ...flags})
    const actionResults = (results as ContainStepResult[]).map((a) => ({...a, notes: [...a.notes]}))
    return this.sealedOutcome(run, {run: this.runJson(run), dryRun: !flags.apply, actions: actionResults})
  }

  protected render(r: ContainResult): void {
    for (const line of renderActionReports(r.actions, {showNotes: true})) this.log(line)
    if (r.dryRun) this.log('\nDry run: nothing was changed. Re-run with --apply to make these changes.')
    const made = r.actions.flatMap((a) => a.outcomes).filter((o) => o.record.applied).length
    this.logRunFooter(r.run, r.dryRun ? 'dry run' : `${made} change(s) made; undo with \`coroner undo --case ${r.run.caseId} --run ${r.run.runId}\``)
  }
}

type ContainFlags = {
  function: string[]
  role: string[]
  'access-key': string[]
  'from-findings': boolean
  db?: string | undefined
  apply: boolean
  'max-resources': number
  'delete-url': boolean
  irreversible: boolean
  'include-services': boolean
  alias?: string | undefined
  'to-version'?: string | undefined
}

/** The parameters of one action's step from the flags: each step's schema takes only what it uses. */
function paramsFor(action: AnyAction, f: ContainFlags, region: string): ActionParams & Record<string, unknown> {
  const common = {apply: f.apply, maxResources: f['max-resources']}
  switch (action.targetType) {
    case 'access-key':
      return {accessKeys: f['access-key'], fromFindings: f['from-findings'], ...(f.db === undefined ? {} : {db: f.db}), ...common}
    case 'role':
    case 'function-or-role':
      return {functions: f.function, roles: f.role, region, ...common}
    default:
      return {
        functions: f.function,
        region,
        ...common,
        ...(action.id === 'close-url' ? {deleteUrl: f['delete-url'], irreversible: f.irreversible} : {}),
        ...(action.id === 'remove-public-access' ? {includeServices: f['include-services']} : {}),
        ...(action.id === 'pin-alias' ? {...(f.alias === undefined ? {} : {alias: f.alias}), ...(f['to-version'] === undefined ? {} : {toVersion: f['to-version']})} : {}),
      }
  }
}
