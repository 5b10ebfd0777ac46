import {Flags} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {storeWriteFlags} from '../../cli/store-flags.js'
import {renderTable} from '../../cli/table.js'
import {assertCaseId} from '../../evidence/keys.js'
import type {SealedRun} from '../../steps/runner.js'
import type {ResultOf} from '../../steps/step.js'
import {iamRoleStep} from '../../steps/collect/role.js'

export type CollectRoleResult = SealedRun & ResultOf<typeof iamRoleStep>

export default class CollectRole extends CoronerCommand<CollectRoleResult> {
  static override summary = 'Snapshot IAM roles: trust policy, inline policies and attached managed policies with their default versions'
  static override description = 'Read-only. `collect lambda` already snapshots each function\'s execution role; use this for any other role (one a suspect assumed, for instance).'
  static override flags = {
    ...storeWriteFlags,
    role: Flags.string({char: 'r', description: 'Role name or ARN (repeatable)', required: true, multiple: true}),
    case: caseFlag,
  }
  static override examples = ['<%= config.bin %> collect role --role payments-exec --case INC-2026-0042']

  protected async execute(): Promise<Outcome<CollectRoleResult>> {
    const {flags} = await this.parse(CollectRole)
    const env = await this.context(flags, assertCaseId(flags.case))
    const {result, run} = await this.runStep(env, iamRoleStep, {roles: flags.role})
    return this.sealedOutcome(run, {...run, ...result})
  }

  protected render(r: CollectRoleResult): void {
    this.log(renderTable(r.roles.map((role) => ({role: role.roleName, arn: role.roleArn, artifacts: role.artifacts}))))
    this.logRunFooter(r, `${r.roles.length} role(s)`)
  }
}
