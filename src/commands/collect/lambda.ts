import {Flags} from '@oclif/core'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {storeWriteFlags} from '../../cli/store-flags.js'
import {renderTable} from '../../cli/table.js'
import {assertCaseId} from '../../evidence/keys.js'
import type {SealedRun} from '../../steps/runner.js'
import type {ResultOf} from '../../steps/step.js'
import {lambdaStep} from '../../steps/collect/lambda.js'

export type CollectLambdaResult = SealedRun & ResultOf<typeof lambdaStep>

export default class CollectLambda extends CoronerCommand<CollectLambdaResult> {
  static override summary = 'Snapshot Lambda functions: every collected version\'s configuration and code, aliases, layers, policies, URLs, triggers, concurrency and execution role'
  static override description =
    'Read-only. By default collects $LATEST and every version an alias routes to (add --all-versions for every published version). Each code package is downloaded and stored only if it matches the CodeSha256 AWS reports; a mismatch is recorded loudly and the bytes are kept, marked unverified. Environment variable values are stored in the evidence but redacted here unless --show-secrets.'
  static override flags = {
    ...storeWriteFlags,
    function: Flags.string({char: 'f', description: 'Function name or ARN (repeatable)', required: true, multiple: true}),
    'all-versions': Flags.boolean({description: 'Collect every published version, not only $LATEST and the aliased ones', default: false}),
    case: caseFlag,
    'no-role': Flags.boolean({description: 'Do not snapshot the execution roles', default: false}),
    concurrency: Flags.integer({description: 'Functions collected at once', default: 4, min: 1, max: 16}),
  }
  static override examples = [
    '<%= config.bin %> collect lambda --function payments-api --case INC-2026-0042 --region eu-west-1',
    '<%= config.bin %> collect lambda -f arn:aws:lambda:us-east-1:123456789012:function:thumbnailer -f resize --all-versions --case INC-2026-0042',
  ]

  protected async execute(): Promise<Outcome<CollectLambdaResult>> {
    const {flags} = await this.parse(CollectLambda)
    const caseId = assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const params = {functions: flags.function, region: env.aws.defaultRegion, allVersions: flags['all-versions'], concurrency: flags.concurrency, collectRoles: !flags['no-role']}
    const {result, run} = await this.runStep(env, lambdaStep, params)
    return this.sealedOutcome(run, {...run, ...result})
  }

  protected render(r: CollectLambdaResult): void {
    this.log(
      renderTable(
        r.functions.map((f) => ({
          function: f.functionName,
          region: f.region,
          status: f.status,
          versions: f.versions.join(','),
          aliases: f.aliases.join(','),
          packages: f.codePackages,
          artifacts: f.artifacts,
          gaps: f.gaps,
          environment: f.environment === undefined ? '' : Object.entries(f.environment).map(([k, v]) => `${k}=${v}`).join(' '),
        })),
      ),
    )
    this.logRunFooter(r, `${r.functions.length} function(s), ${r.roles.length} role(s), ${r.layers.length} layer(s)`)
  }
}
