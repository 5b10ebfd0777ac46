import {
  AddPermissionCommand,
  GetPolicyCommand,
  paginateListVersionsByFunction,
  RemovePermissionCommand,
  type AddPermissionCommandInput,
  type RemovePermissionCommandInput,
} from '@aws-sdk/client-lambda'
import {parsePolicy} from '../collectors/lambda.js'
import {defineAction, functionOf, reading, readingOptional, type Json, type JsonObject, type PlannedCall} from './action.js'
import {asInput, lambdaClient, sendOptions} from './clients.js'
import {addPermissionFor, openness, type PolicyStatement} from './lambda-policy.js'
import {aliasNames, arnIsFor, qualifierOf, UNQUALIFIED} from './qualifiers.js'
import {sameJson} from './state-diff.js'

/** Resource-policy statements by qualifier (`$LATEST`: the function's own policy; else an alias or version) and Sid. */
type PolicyState = {policies: {[qualifier: string]: {[sid: string]: Json}}}


/** Whether a statement's Resource is the function (no qualifier) or the function with this qualifier; a statement without one applies. */
function appliesTo(st: PolicyStatement, qualifier: string | undefined): boolean {
  const resources = [st.Resource].flat().filter((r): r is string => typeof r === 'string')
  if (resources.length === 0) return true
  return resources.some((r) => arnIsFor(r, qualifier ?? UNQUALIFIED))
}

/** `remove-public-access`: RemovePermission for every statement that opens the function beyond its account. */
export const removePublicAccessAction = defineAction<PolicyState>({
  id: 'remove-public-access',
  title: 'Remove resource-policy statements granting *, another account or (option) any service',
  targetType: 'function',
  permissions: {
    read: ['lambda:ListAliases', 'lambda:ListVersionsByFunction', 'lambda:GetPolicy'],
    change: ['lambda:RemovePermission'],
    undo: ['lambda:AddPermission', 'lambda:RemovePermission'],
  },
  notes: [
    'Does: removes, from the policy of the function, of each alias and of each version, every statement granting * (unless limited to the function\'s own account by aws:SourceAccount), another account, a federated principal, or a service on behalf of another account or of any account; with --include-services, every service statement.',
    'Does not: stop principals of the function\'s own account whose IAM policies allow lambda:InvokeFunction (see throttle).',
    'A function URL with AuthType NONE answers anyone only while a statement grants lambda:InvokeFunctionUrl to *: this removes that statement; close-url changes the URL itself.',
    'Removing a service statement breaks the trigger it served (S3 notifications, SNS, EventBridge, API Gateway): they are kept unless they act for another or any account, or --include-services.',
  ],
  inverse: 'AddPermission for each removed statement with its principal, action, source ARN, source account, organization, URL auth type, event source token and qualifier.',
  async read(env, target) {
    const {FunctionName, region} = functionOf(target)
    const client = lambdaClient(env, region)
    const keys = [UNQUALIFIED, ...(await aliasNames(env, FunctionName, region))]
    await reading('lambda:ListVersionsByFunction', async () => {
      for await (const page of paginateListVersionsByFunction({client}, {FunctionName})) for (const v of page.Versions ?? []) if (v.Version && v.Version !== '$LATEST') keys.push(v.Version)
    })
    const state: PolicyState = {policies: {}}
    const raw: JsonObject = {}
    for (const key of keys) {
      const q = qualifierOf(key)
      const got = await readingOptional('lambda:GetPolicy', () => client.send(new GetPolicyCommand({FunctionName, ...(q === undefined ? {} : {Qualifier: q})}), sendOptions(env)))
      if (!got) continue
      const policy = parsePolicy(got.Policy) as {Statement?: unknown} | string | undefined
      raw[key] = {Policy: (policy ?? null) as Json, RevisionId: got.RevisionId ?? null}
      // A qualified policy's statements name the qualified ARN; keep only those of this qualifier
      // (moto 5.2.1 answers every qualifier with the function's own policy).
      const statements = (typeof policy === 'object' && policy !== null ? [policy.Statement].flat() : []).filter((st) => appliesTo(st as PolicyStatement, q))
      const bySid: {[sid: string]: Json} = {}
      statements.forEach((st, i) => {
        if (st !== null && typeof st === 'object') bySid[(st as PolicyStatement).Sid ?? `#${i}`] = st as Json
      })
      if (Object.keys(bySid).length > 0) state.policies[key] = bySid
    }
    return {state, raw: {GetPolicy: raw}, facts: {account: target.facts.account ?? target.arn?.split(':')[4] ?? null}}
  },
  intend(before, target, options, facts) {
    const own = (facts?.account ?? target.facts.account ?? null) as string | null
    const notes: string[] = []
    const policies: PolicyState['policies'] = {}
    for (const [key, statements] of Object.entries(before.policies)) {
      const kept: {[sid: string]: Json} = {}
      for (const [sid, st] of Object.entries(statements)) {
        const why = openness(st as PolicyStatement, own, options.includeServices)
        if (why === undefined) {
          kept[sid] = st
          continue
        }
        notes.push(`Removes statement ${JSON.stringify(sid)} of the ${key === UNQUALIFIED ? 'function' : `${key}`} policy: it ${why}.`)
        const {lost} = addPermissionFor(st as PolicyStatement, functionOf(target).FunctionName, qualifierOf(key))
        if (lost.length > 0) notes.push(`Statement ${JSON.stringify(sid)} holds what AddPermission cannot set (${lost.join(', ')}): undo re-creates it without that.`)
      }
      if (Object.keys(kept).length > 0) policies[key] = kept
    }
    if (notes.length === 0) notes.push('No statement of the function\'s policies opens it beyond its own account.')
    return {state: {policies}, notes}
  },
  transition(from, to, target): PlannedCall[] {
    const {FunctionName} = functionOf(target)
    const calls: PlannedCall[] = []
    for (const key of [...new Set([...Object.keys(from.policies), ...Object.keys(to.policies)])].sort()) {
      const q = qualifierOf(key)
      const f = from.policies[key] ?? {}
      const t = to.policies[key] ?? {}
      const remove = Object.keys(f).filter((sid) => t[sid] === undefined || !sameJson(f[sid], t[sid]))
      const add = Object.keys(t).filter((sid) => f[sid] === undefined || !sameJson(f[sid], t[sid]))
      for (const sid of remove.sort()) calls.push({operation: 'lambda:RemovePermission', parameters: {FunctionName, StatementId: sid, ...(q === undefined ? {} : {Qualifier: q})}})
      for (const sid of add.sort()) calls.push({operation: 'lambda:AddPermission', parameters: addPermissionFor(t[sid] as PolicyStatement, FunctionName, q).parameters})
    }
    return calls
  },
  execute: {
    'lambda:RemovePermission': (env, t, p) => lambdaClient(env, t.region).send(new RemovePermissionCommand(asInput<RemovePermissionCommandInput>(p)), sendOptions(env)),
    'lambda:AddPermission': (env, t, p) => lambdaClient(env, t.region).send(new AddPermissionCommand(asInput<AddPermissionCommandInput>(p)), sendOptions(env)),
  },
})
