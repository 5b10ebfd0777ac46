import {paginateListAliases} from '@aws-sdk/client-lambda'
import type {AwsEnv} from '../collectors/context.js'
import {reading} from './action.js'
import {lambdaClient} from './clients.js'

/** The key a state gives the function's own (unqualified) URL or policy; any other key is an alias or version. */
export const UNQUALIFIED = '$LATEST'

/** The `Qualifier` a state key stands for: none for the function itself. */
export const qualifierOf = (key: string): string | undefined => (key === UNQUALIFIED ? undefined : key)

/** `{Qualifier}` for the call parameters of a state key, or nothing for the function itself. */
export const qualifierParam = (key: string): {Qualifier?: string} => (key === UNQUALIFIED ? {} : {Qualifier: key})

/**
 * Whether a Lambda ARN names the function itself (for the key `$LATEST`) or the function with this
 * qualifier: what AWS answers for a qualified URL or policy names the qualified ARN.
 */
export function arnIsFor(arn: string, key: string): boolean {
  const parts = arn.split(':')
  return key === UNQUALIFIED ? parts.length === 7 : parts.length === 8 && parts[7] === key
}

/** The names of the function's aliases (ListAliases, every page). */
export async function aliasNames(env: AwsEnv, functionName: string, region: string): Promise<string[]> {
  const names: string[] = []
  await reading('lambda:ListAliases', async () => {
    for await (const page of paginateListAliases({client: lambdaClient(env, region)}, {FunctionName: functionName})) for (const a of page.Aliases ?? []) if (a.Name) names.push(a.Name)
  })
  return names
}
