import {Flags} from '@oclif/core'
import {z} from 'zod'
import {CoronerCommand, type Outcome} from '../cli/base-command.js'
import {resultOutputFlags, storeFlag} from '../cli/flags.js'
import {result} from '../cli/results/common.js'
import {usageError} from '../core/errors.js'
import {collectorPermissionStatements, iamPolicy} from '../aws/iam-policy.js'
import {storePermissionStatements} from '../evidence/stores/s3/permissions.js'
import {ACTION_IDS} from '../actions/action.js'
import {containmentPermissionStatements} from '../actions/permissions.js'
import {COLLECTORS, collectorsById} from '../steps/registry.js'
import {readinessCollector} from '../collectors/readiness/definition.js'
import {loadConfig, resolveStoreLocation} from '../evidence/open-store.js'
import {paramFlag, parseParamFlags} from '../cli/param-flag.js'
import {readPlaybook} from '../playbooks/catalog.js'
import {playbookPermissionStatements} from '../playbooks/permissions.js'

/** The policy document keeps IAM's own names (Version, Statement, …): it is pasted into AWS as it is. */
const permissionsResult = result({
  policy: z
    .object({
      Version: z.literal('2012-10-17'),
      Statement: z.array(
        z
          .object({Sid: z.string(), Effect: z.literal('Allow'), Action: z.array(z.string()), Resource: z.union([z.string(), z.array(z.string())]), Condition: z.record(z.string(), z.record(z.string(), z.union([z.string(), z.array(z.string())]))).optional()})
          .strict(),
      ),
    })
    .strict(),
})

type Result = z.output<typeof permissionsResult>

export default class Permissions extends CoronerCommand<Result> {
  static override summary = 'Print the least-privilege IAM policy coroner needs'
  static override description =
    'Prints an IAM policy document (JSON): for an S3 store, scoped to the evidence bucket and prefix (write each object once, read its versions and lock state back, list versions); with --collector, the read-only actions each named collector calls; with --readiness, those of the readiness audit; with --action, what each containment action needs to look its targets up, snapshot them, read, change and undo them (the only write actions coroner ever asks for); with --playbook, every action a run of that playbook needs (read-only actions in one statement, containment actions in another). Makes no AWS call.'
  static override flags = {
    hold: Flags.boolean({description: 'Include what `evidence hold` needs (s3:PutObjectLegalHold)', default: false}),
    init: Flags.boolean({description: 'Include what `evidence init` needs to create and configure the bucket', default: false}),
    collector: Flags.string({description: 'Include the read-only actions of this collector (repeatable; `all` for every one)', multiple: true, options: [...COLLECTORS.map((c) => c.id), 'all']}),
    action: Flags.string({description: 'Include what this containment action needs, to apply and to undo it (repeatable; `all` for every one)', multiple: true, options: [...ACTION_IDS, 'all']}),
    'kms-key': Flags.string({description: 'KMS key ARN the store encrypts with (adds kms:GenerateDataKey and kms:Decrypt)'}),
    'sign-kms-key': Flags.string({description: 'KMS key ARN manifests are signed with (adds kms:GetPublicKey and kms:Sign). Default: signKmsKey in coroner.yaml.'}),
    readiness: Flags.boolean({description: 'Include the read-only actions `coroner readiness` calls', default: false}),
    playbook: Flags.string({description: 'Include what a run of this playbook needs (a shipped id or a file): its read-only actions, and its containment actions apart'}),
    param: paramFlag('A parameter of the --playbook run, as name=value (repeatable): a branch its parameters leave out needs nothing'),
    ...storeFlag,
    ...resultOutputFlags,
  }
  static override resultSchema = permissionsResult
  static override examples = [
    '<%= config.bin %> permissions --store s3://acme-ir-evidence/cases-2026',
    '<%= config.bin %> permissions --store s3://acme-ir-evidence --hold --init > policy.json',
    '<%= config.bin %> permissions --store s3://acme-ir-evidence --collector all',
    '<%= config.bin %> permissions --readiness',
    '<%= config.bin %> permissions --action throttle --action revoke-sessions',
    '<%= config.bin %> permissions --playbook lambda-triage --store s3://acme-ir-evidence',
  ]

  protected async execute(): Promise<Outcome<Result>> {
    const {flags} = await this.parse(Permissions)
    const config = loadConfig()
    const location = resolveStoreLocation(flags.store, config)
    const kmsKey = flags['kms-key'] ?? config.kmsKey
    const signKmsKey = flags['sign-kms-key'] ?? config.signKmsKey
    const statements = [
      ...storePermissionStatements(location, {hold: flags.hold, init: flags.init, ...(kmsKey === undefined ? {} : {kmsKey}), ...(signKmsKey === undefined ? {} : {signKmsKey})}),
      ...collectorPermissionStatements(collectorsById(flags.collector ?? []).map((c) => ({id: c.id, permissions: c.permissions()}))),
      ...collectorPermissionStatements(flags.readiness ? [readinessCollector] : []),
      ...containmentPermissionStatements(flags.action ?? []),
      ...(flags.playbook === undefined ? [] : playbookPermissionStatements(readPlaybook(flags.playbook), this.configuredRegion(flags), parseParamFlags(flags.param))),
    ]
    if (statements.length === 0) {
      if (flags.playbook !== undefined) return {result: {policy: iamPolicy([])}, warnings: [`playbook ${flags.playbook} calls no AWS API and ${location} is a local directory: no IAM permission is needed`]}
      throw usageError('not-an-s3-store', `${location} is a local directory: the evidence store needs no IAM permissions.`, 'Give --store s3://bucket/prefix, --collector ID for what collecting needs, --readiness for the audit, --action ID for containment, or --playbook ID for a playbook run.')
    }
    return {result: {policy: iamPolicy(statements)}}
  }

  protected render(r: Result): void {
    this.log(JSON.stringify(r.policy, null, 2))
  }
}
