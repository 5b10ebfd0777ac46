import {Flags} from '@oclif/core'
import type {z} from 'zod'
import {CoronerCommand, type Outcome} from '../../cli/base-command.js'
import {caseFlag} from '../../cli/case-flag.js'
import {awsFlags, rowOutputFlags, secretsFlag, storeFlag} from '../../cli/flags.js'
import type {ListView} from '../../cli/output.js'
import {collectLambdaResult} from '../../cli/results/collect.js'
import {whole} from '../../cli/results/common.js'
import {storeWriteFlags} from '../../cli/store-flags.js'
import {ExitCode} from '../../core/errors.js'
import {assertCaseId} from '../../evidence/keys.js'
import {lambdaStep} from '../../steps/collect/lambda.js'

type Result = z.output<typeof collectLambdaResult>
type Fn = Result['functions'][number]

export default class CollectLambda extends CoronerCommand<Result> {
  static override summary = 'Snapshot Lambda functions: every collected version\'s configuration and code, aliases, layers, policies, URLs, triggers, concurrency and execution role'
  static override description =
    'Read-only. By default collects $LATEST and every version an alias routes to (add --all-versions for every published version). Each code package is downloaded and stored only if it matches the CodeSha256 AWS reports; a mismatch is recorded loudly and the bytes are kept, marked unverified. Environment variable values are stored in the evidence but redacted here unless --show-secrets.'
  static override flags = {
    function: Flags.string({char: 'f', description: 'Function name or ARN (repeatable)', required: true, multiple: true}),
    'all-versions': Flags.boolean({description: 'Collect every published version, not only $LATEST and the aliased ones', default: false}),
    case: caseFlag,
    'no-role': Flags.boolean({description: 'Do not snapshot the execution roles', default: false}),
    concurrency: Flags.integer({description: 'Functions collected at once', default: 4, min: 1, max: 16}),
    ...storeFlag,
    ...storeWriteFlags,
    ...awsFlags,
    ...rowOutputFlags,
    ...secretsFlag,
  }
  static override resultSchema = collectLambdaResult
  static override exitCodes = {[ExitCode.partial]: 'something could not be collected (see the gaps)'}
  static override examples = [
    '<%= config.bin %> collect lambda --function payments-api --case INC-2026-0042 --region eu-west-1',
    '<%= config.bin %> collect lambda -f arn:aws:lambda:us-east-1:123456789012:function:thumbnailer -f resize --all-versions --case INC-2026-0042',
  ]

  protected async execute(): Promise<Outcome<Result>> {
    const {flags} = await this.parse(CollectLambda)
    const caseId = assertCaseId(flags.case)
    const env = await this.context(flags, caseId)
    const params = {functions: flags.function, region: env.aws.defaultRegion, allVersions: flags['all-versions'], concurrency: flags.concurrency, collectRoles: !flags['no-role']}
    const {result, run} = await this.runStep(env, lambdaStep, params)
    const functions: Fn[] = result.functions.map(({gaps, ...f}) => ({
      ...f,
      functionArn: f.functionArn ?? null,
      runtime: f.runtime ?? null,
      packageType: f.packageType ?? null,
      role: f.role ?? null,
      gapCount: gaps,
      environment: f.environment ?? null,
      message: f.message ?? null,
    }))
    return this.sealedOutcome(run, {run: this.runJson(run), functions, roles: result.roles, layers: result.layers, ...whole(functions)})
  }

  protected override list(r: Result): ListView {
    return {
      name: 'functions',
      rows: r.functions,
      columns: [
        {key: 'functionName', header: 'function', priority: 1},
        {key: 'region', priority: 3},
        {key: 'status', priority: 1},
        {key: 'versions', priority: 2, value: (f: Fn) => f.versions.join(',')},
        {key: 'aliases', priority: 3, value: (f: Fn) => f.aliases.join(',')},
        {key: 'codePackages', header: 'packages', kind: 'number', priority: 2},
        {key: 'artifacts', kind: 'number', priority: 2},
        {key: 'gapCount', header: 'gaps', kind: 'number', priority: 1},
        {key: 'environment', priority: 4, value: (f: Fn) => (f.environment === null ? '' : Object.entries(f.environment).map(([k, v]) => `${k}=${v}`).join(' '))},
      ],
    }
  }

  protected render(r: Result): void {
    this.table(r.functions, this.list(r).columns)
    this.logRunFooter(r.run, `${r.functions.length} function(s), ${r.roles.length} role(s), ${r.layers.length} layer(s)`)
  }
}
