import {GetAliasCommand, GetFunctionConfigurationCommand, UpdateAliasCommand, type UpdateAliasCommandInput} from '@aws-sdk/client-lambda'
import {defineAction, functionOf, reading, readingOptional, type Json, type PlannedCall} from './action.js'
import {asInput, lambdaClient, sendOptions} from './clients.js'
import {sameJson} from './state-diff.js'

/** Where an alias points: its version and the weights of any additional versions. */
type AliasState = {functionVersion: string | null; additionalVersionWeights: {[version: string]: number}}

const aliasOf = (facts: {[key: string]: unknown}, name: string): string => (typeof facts.alias === 'string' ? facts.alias : name.split(':').at(-1)!)

/** `pin-alias`: point an alias at one known-good version, with no weighted routing. */
export const pinAliasAction = defineAction<AliasState>({
  id: 'pin-alias',
  title: 'Pin an alias to a known-good version (no weighted routing)',
  targetType: 'alias',
  permissions: {read: ['lambda:GetAlias', 'lambda:GetFunctionConfiguration'], change: ['lambda:UpdateAlias'], undo: ['lambda:UpdateAlias']},
  notes: [
    'Does: points the alias at the version given (--to-version) and removes its weighted routing; callers that invoke the alias run that version.',
    'Does not: stop callers that invoke $LATEST or a version by its number, and does not change any version\'s code or configuration.',
  ],
  inverse: 'UpdateAlias with the version and routing configuration recorded before.',
  async read(env, target, options) {
    const {FunctionName, region} = functionOf(target)
    const client = lambdaClient(env, region)
    const Name = aliasOf(target.facts, target.name)
    const got = await reading('lambda:GetAlias', () => client.send(new GetAliasCommand({FunctionName, Name}), sendOptions(env)))
    const state: AliasState = {functionVersion: got.FunctionVersion ?? null, additionalVersionWeights: {...(got.RoutingConfig?.AdditionalVersionWeights ?? {})}}
    const {$metadata: _m, ...alias} = got
    const raw: {[k: string]: Json} = {GetAlias: JSON.parse(JSON.stringify(alias)) as Json}
    if (options.toVersion === undefined) return {state, raw}
    const version = await readingOptional('lambda:GetFunctionConfiguration', () => client.send(new GetFunctionConfigurationCommand({FunctionName, Qualifier: options.toVersion}), sendOptions(env)))
    raw.TargetVersion = version ? {Version: version.Version ?? null, CodeSha256: version.CodeSha256 ?? null, LastModified: version.LastModified ?? null} : null
    return {state, raw, facts: {toVersion: options.toVersion, toVersionCodeSha256: version?.CodeSha256 ?? null}}
  },
  intend(before, target, options, facts) {
    if (options.toVersion === undefined) return {refused: 'pin-alias needs the known-good version: give --to-version.'}
    if (options.toVersion === '$LATEST') return {refused: 'pin-alias pins a published version, not $LATEST (whose code can still change).'}
    if (facts?.toVersionCodeSha256 === null) return {refused: `Version ${options.toVersion} of ${functionOf(target).FunctionName} does not exist.`}
    return {state: {functionVersion: options.toVersion, additionalVersionWeights: {}}, notes: [`Pins ${target.name} to version ${options.toVersion} (code ${String(facts?.toVersionCodeSha256 ?? '?')}).`]}
  },
  transition(from, to, target): PlannedCall[] {
    if (to.functionVersion === null || sameJson(from, to)) return []
    const {FunctionName} = functionOf(target)
    return [{operation: 'lambda:UpdateAlias', parameters: {FunctionName, Name: aliasOf(target.facts, target.name), FunctionVersion: to.functionVersion, RoutingConfig: {AdditionalVersionWeights: to.additionalVersionWeights}}}]
  },
  execute: {
    'lambda:UpdateAlias': (env, t, p) => lambdaClient(env, t.region).send(new UpdateAliasCommand(asInput<UpdateAliasCommandInput>(p)), sendOptions(env)),
  },
})
