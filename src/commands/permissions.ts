import {Flags} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../cli/base-command.js'
import {usageError} from '../core/errors.js'
import {iamPolicy, storePermissionStatements, type IamPolicy} from '../aws/store-permissions.js'
import {loadConfig, resolveStoreLocation} from '../evidence/open-store.js'

export default class Permissions extends CoronerCommand<IamPolicy> {
  static override summary = 'Print the least-privilege IAM policy coroner needs'
  static override description =
    'Prints an IAM policy document (JSON) scoped to the evidence bucket and prefix: write each object once, read its versions and lock state back, list versions. Makes no AWS call.'
  static override flags = {
    hold: Flags.boolean({description: 'Include what `evidence hold` needs (s3:PutObjectLegalHold)', default: false}),
    init: Flags.boolean({description: 'Include what `evidence init` needs to create and configure the bucket', default: false}),
    'kms-key': Flags.string({description: 'KMS key ARN the store encrypts with (adds kms:GenerateDataKey and kms:Decrypt)'}),
  }
  static override examples = ['<%= config.bin %> permissions --store s3://acme-ir-evidence/cases-2026', '<%= config.bin %> permissions --store s3://acme-ir-evidence --hold --init > policy.json']

  protected async execute(): Promise<Outcome<IamPolicy>> {
    const {flags} = await this.parse(Permissions)
    const config = loadConfig()
    const location = resolveStoreLocation(flags.store, config)
    const kmsKey = flags['kms-key'] ?? config.kmsKey
    const statements = storePermissionStatements(location, {hold: flags.hold, init: flags.init, ...(kmsKey === undefined ? {} : {kmsKey})})
    if (statements.length === 0) {
      throw usageError('not-an-s3-store', `${location} is a local directory: the evidence store needs no IAM permissions.`, 'Give --store s3://bucket/prefix.')
    }
    return {result: iamPolicy(statements)}
  }

  protected render(policy: IamPolicy): void {
    this.log(JSON.stringify(policy, null, 2))
  }
}
