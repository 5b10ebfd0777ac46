import {
  CreateFunctionUrlConfigCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  UpdateFunctionUrlConfigCommand,
  type CreateFunctionUrlConfigCommandInput,
  type DeleteFunctionUrlConfigCommandInput,
  type UpdateFunctionUrlConfigCommandInput,
} from '@aws-sdk/client-lambda'
import {defineAction, functionOf, readingOptional, type Json, type JsonObject, type PlannedCall} from './action.js'
import {asInput, lambdaClient, sendOptions} from './clients.js'
import {aliasNames, arnIsFor, qualifierParam, UNQUALIFIED} from './qualifiers.js'
import {sameJson} from './state-diff.js'

type Url = {functionUrl: string | null; authType: string | null; cors: Json}
/** Function URLs by qualifier: `$LATEST` for the function's own, else the alias name. */
type UrlState = {urls: {[qualifier: string]: Url}}


/** `close-url`: the function URL needs IAM-signed requests (AuthType AWS_IAM), or with --delete-url is deleted. */
export const closeUrlAction = defineAction<UrlState>({
  id: 'close-url',
  title: 'Close the function URL: AuthType AWS_IAM (or, with --delete-url --irreversible, delete it)',
  targetType: 'function',
  permissions: {
    read: ['lambda:ListAliases', 'lambda:GetFunctionUrlConfig'],
    change: ['lambda:UpdateFunctionUrlConfig', 'lambda:DeleteFunctionUrlConfig'],
    undo: ['lambda:UpdateFunctionUrlConfig', 'lambda:CreateFunctionUrlConfig'],
  },
  notes: [
    'Does: sets AuthType AWS_IAM on every function URL of the function and its aliases; anonymous requests get 403 Forbidden. CORS is left as it was.',
    'Does not: stop callers that sign their requests with credentials allowed lambda:InvokeFunctionUrl (see remove-public-access), nor invocations by other means (see throttle).',
    'Does not: change the URL, which stays known to whoever used it.',
    'With --delete-url (and --irreversible) the URL is deleted instead: irreversible, since AWS never gives the same URL back.',
  ],
  inverse: 'UpdateFunctionUrlConfig with the AuthType and CORS recorded before; a deleted URL cannot be brought back.',
  async read(env, target) {
    const {FunctionName, region} = functionOf(target)
    const client = lambdaClient(env, region)
    const keys = [UNQUALIFIED, ...(await aliasNames(env, FunctionName, region))]
    const state: UrlState = {urls: {}}
    const raw: JsonObject = {}
    for (const key of keys) {
      const got = await readingOptional('lambda:GetFunctionUrlConfig', () => client.send(new GetFunctionUrlConfigCommand({FunctionName, ...qualifierParam(key)}), sendOptions(env)))
      // A qualified URL's FunctionArn carries the qualifier (moto 5.2.1 answers every qualifier with the function's own URL).
      if (!got || (got.FunctionArn !== undefined && !arnIsFor(got.FunctionArn, key))) continue
      const {$metadata: _m, ...body} = got
      raw[key] = JSON.parse(JSON.stringify(body)) as Json
      state.urls[key] = {functionUrl: got.FunctionUrl ?? null, authType: got.AuthType ?? null, cors: (JSON.parse(JSON.stringify(got.Cors ?? null)) as Json) ?? null}
    }
    return {state, raw: {GetFunctionUrlConfig: raw}}
  },
  intend(before, _target, options) {
    if (Object.keys(before.urls).length === 0) return {state: before, notes: ['The function has no function URL.']}
    if (options.deleteUrl) return {state: {urls: {}}, notes: ['Irreversible: the URL is deleted and AWS never gives the same URL back.']}
    const urls: UrlState['urls'] = {}
    for (const [key, u] of Object.entries(before.urls)) urls[key] = {...u, authType: 'AWS_IAM'}
    return {state: {urls}}
  },
  transition(from, to, target): PlannedCall[] {
    const {FunctionName} = functionOf(target)
    const calls: PlannedCall[] = []
    for (const key of [...new Set([...Object.keys(from.urls), ...Object.keys(to.urls)])].sort()) {
      const f = from.urls[key]
      const t = to.urls[key]
      if (f && !t) calls.push({operation: 'lambda:DeleteFunctionUrlConfig', parameters: {FunctionName, ...qualifierParam(key)}})
      else if (!f && t) calls.push({operation: 'lambda:CreateFunctionUrlConfig', parameters: {FunctionName, ...qualifierParam(key), AuthType: t.authType ?? 'AWS_IAM', ...(t.cors === null ? {} : {Cors: t.cors})}})
      else if (f && t && (f.authType !== t.authType || !sameJson(f.cors, t.cors))) {
        calls.push({operation: 'lambda:UpdateFunctionUrlConfig', parameters: {FunctionName, ...qualifierParam(key), AuthType: t.authType ?? 'AWS_IAM', ...(sameJson(f.cors, t.cors) ? {} : {Cors: t.cors ?? {}})}})
      }
    }
    return calls
  },
  irreversible({before, after}) {
    const gone = Object.keys(before?.urls ?? {}).filter((k) => after !== null && after.urls[k] === undefined)
    if (gone.length === 0) return undefined
    return `The function URL (${gone.join(', ')}) was deleted: AWS never gives the same URL back. Create a new one with \`aws lambda create-function-url-config\` if the function needs one.`
  },
  execute: {
    'lambda:UpdateFunctionUrlConfig': (env, t, p) => lambdaClient(env, t.region).send(new UpdateFunctionUrlConfigCommand(asInput<UpdateFunctionUrlConfigCommandInput>(p)), sendOptions(env)),
    'lambda:DeleteFunctionUrlConfig': (env, t, p) => lambdaClient(env, t.region).send(new DeleteFunctionUrlConfigCommand(asInput<DeleteFunctionUrlConfigCommandInput>(p)), sendOptions(env)),
    'lambda:CreateFunctionUrlConfig': (env, t, p) => lambdaClient(env, t.region).send(new CreateFunctionUrlConfigCommand(asInput<CreateFunctionUrlConfigCommandInput>(p)), sendOptions(env)),
  },
})
