import type {LambdaProxy} from './lambda-proxy.js'

/** Lambda's REST routes, as `service:Operation` (the IAM action each needs). Only GETs read. */
const LAMBDA_READS: Array<[RegExp, string]> = [
  [/^\/2015-03-31\/functions\/?$/, 'lambda:ListFunctions'],
  [/^\/2015-03-31\/functions\/[^/]+\/versions$/, 'lambda:ListVersionsByFunction'],
  [/^\/2015-03-31\/functions\/[^/]+\/aliases$/, 'lambda:ListAliases'],
  [/^\/2015-03-31\/functions\/[^/]+\/policy$/, 'lambda:GetPolicy'],
  [/^\/2015-03-31\/functions\/[^/]+\/configuration$/, 'lambda:GetFunctionConfiguration'],
  [/^\/2015-03-31\/functions\/[^/]+$/, 'lambda:GetFunction'],
  [/^\/2021-10-31\/functions\/[^/]+\/url$/, 'lambda:GetFunctionUrlConfig'],
  [/^\/2015-03-31\/event-source-mappings\/?$/, 'lambda:ListEventSourceMappings'],
  [/^\/2019-09-30\/functions\/[^/]+\/concurrency$/, 'lambda:GetFunctionConcurrency'],
  [/^\/2019-09-30\/functions\/[^/]+\/provisioned-concurrency$/, 'lambda:ListProvisionedConcurrencyConfigs'],
  [/^\/2020-06-30\/functions\/[^/]+\/code-signing-config$/, 'lambda:GetFunctionCodeSigningConfig'],
  [/^\/2018-10-31\/layers\/[^/]+\/versions\/\d+$/, 'lambda:GetLayerVersion'],
  [/^\/2017-03-31\/tags\/.+$/, 'lambda:ListTags'],
]

/** JSON-protocol targets' prefixes, by service. */
const TARGET_SERVICES: Record<string, string> = {Logs_20140328: 'logs', CloudTrail_20131101: 'cloudtrail'}

/**
 * The AWS operations a proxy saw, as `service:Operation`: Lambda's REST calls by route (a code
 * download from Code.Location as `download:Code`), query-protocol calls (IAM, STS) by their Action,
 * JSON-protocol calls (CloudWatch Logs, CloudTrail) by their X-Amz-Target. A call it cannot name is
 * `unknown:METHOD /path`, so a test sees it rather than missing it.
 */
export function operationsSeen(proxy: Pick<LambdaProxy, 'calls'>): string[] {
  return proxy.calls.map((c) => {
    const path = c.url.split('?')[0]!
    if (c.action !== undefined) return `${c.action === 'GetCallerIdentity' ? 'sts' : 'iam'}:${c.action}`
    if (c.target !== undefined) {
      const [prefix, op] = c.target.split('.').slice(-2)
      return `${TARGET_SERVICES[prefix ?? ''] ?? prefix}:${op}`
    }
    if (path.startsWith('/__code/')) return 'download:Code'
    const read = c.method === 'GET' ? LAMBDA_READS.find(([re]) => re.test(path)) : undefined
    return read ? read[1] : `unknown:${c.method} ${path}`
  })
}

/** Whether an operation only reads (what every collector and playbook without --apply may call). */
export const isReadOnly = (operation: string): boolean => /^[a-z]+:(Get|List|Describe|Lookup|Filter)[A-Za-z]*$/.test(operation) || operation === 'download:Code'
