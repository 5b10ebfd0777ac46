import {Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {awsFlags, rowOutputFlags, storeFlag} from '../../cli/flags.js'
import type {ListView} from '../../cli/output.js'
import {collectRoleResult} from '../../cli/results/collect.js'
import {whole} from '../../cli/results/common.js'
import {storeWriteFlags} from '../../cli/store-flags.js'
import {ExitCode} from '../../core/errors.js'
import {assertCaseId} from '../../evidence/keys.js'
import {iamRoleStep} from '../../steps/collect/role.js'

type Result = z.output<typeof collectRoleResult>

export default class CollectRole extends CoronerCommand<Result> {
  static override summary = 'Snapshot IAM roles: trust policy, inline policies and attached managed policies with their default versions'
  static override description = 'Read-only. `collect lambda` already snapshots each function\'s execution role; use this for any other role (one a suspect assumed, for instance).'
  static override flags = {
    role: Flags.string({char: 'r', description: 'Role name or ARN (repeatable)', required: true, multiple: true}),
    case: caseFlag,
    ...storeFlag,
    ...storeWriteFlags,
    ...awsFlags,
    ...rowOutputFlags,
  }
  static override resultSchema = collectRoleResult
  static override exitCodes = {[ExitCode.partial]: 'something could not be collected (see the gaps)'}
  static override examples = ['<%= config.bin %> collect role --role payments-exec --case INC-2026-0042']

  protected async execute(): Promise<Outcome<Result>> {
    const {flags} = await this.parse(CollectRole)
    const env = await this.context(flags, assertCaseId(flags.case))
    const {result, run} = await this.runStep(env, iamRoleStep, {roles: flags.role})
    const roles = result.roles.map((r) => ({roleName: r.roleName, roleArn: r.roleArn ?? null, artifacts: r.artifacts}))
    return this.sealedOutcome(run, {run: this.runJson(run), roles, ...whole(roles)})
  }

  protected override list(r: Result): ListView {
    return {
      name: 'roles',
      rows: r.roles,
      columns: [
        {key: 'roleName', header: 'role', priority: 1},
        {key: 'roleArn', header: 'arn', kind: 'key', priority: 2},
        {key: 'artifacts', kind: 'number', priority: 1},
      ],
    }
  }

  protected render(r: Result): void {
    this.table(r.roles, this.list(r).columns)
    this.logRunFooter(r.run, `${r.roles.length} role(s)`)
  }
}
