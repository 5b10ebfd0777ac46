import {Flags} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {storeWriteFlags} from '../../cli/store-flags.js'
import {renderGaps} from '../../cli/render-gaps.js'
import {renderTable} from '../../cli/table.js'
import {ExitCode} from '../../core/errors.js'
import {assertCaseId} from '../../evidence/keys.js'
import {collectRole, type RoleCollection} from '../../collectors/iam-role.js'
import {withEvidenceRun, type CollectionRun} from '../../collectors/run-collection.js'

export type CollectRoleResult = Omit<CollectionRun, 'artifacts'> & {roles: Array<Omit<RoleCollection, 'artifacts'> & {artifacts: number}>; artifacts: number}

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
    const caseId = assertCaseId(flags.case)
    const ctx = await this.context(flags, caseId)
    const {collected, artifacts, ...run} = await withEvidenceRun(ctx, caseId, 'collect role', {roles: flags.role}, async (r, gaps) => {
      const roles = []
      for (const role of flags.role) roles.push(await collectRole(ctx, r, gaps, role))
      return roles
    })
    const result = {...run, roles: collected.map(({artifacts: a, ...role}) => ({...role, artifacts: a.length})), artifacts: artifacts.length}
    if (run.status === 'complete') return {result}
    return {result, exitCode: ExitCode.partial, warnings: [...run.warnings, `run ended ${run.status}: ${run.gaps.length} gap(s), see the custody journal`]}
  }

  protected render(r: CollectRoleResult): void {
    this.log(renderTable(r.roles.map((role) => ({role: role.roleName, arn: role.roleArn, artifacts: role.artifacts}))))
    for (const line of renderGaps(r.gaps)) this.log(line)
    this.log(`\nCase ${r.caseId}, run ${r.runId}: ${r.roles.length} role(s), ${r.artifacts} artifact(s), ${r.gaps.length} gap(s) (${r.status}).`)
    this.log(`Manifest ${r.manifestKey}\nManifest SHA-256 ${r.manifestSha256}`)
  }
}
