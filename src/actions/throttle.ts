import {
  DeleteFunctionConcurrencyCommand,
  GetFunctionConcurrencyCommand,
  PutFunctionConcurrencyCommand,
  type DeleteFunctionConcurrencyCommandInput,
  type PutFunctionConcurrencyCommandInput,
} from '@aws-sdk/client-lambda'
import {defineAction, functionOf, reading, type PlannedCall} from './action.js'
import {asInput, lambdaClient, sendOptions} from './clients.js'

/** Reserved concurrency: a number, or null when the function draws on the account's unreserved pool. */
type ThrottleState = {reservedConcurrency: number | null}

/** `throttle`: reserved concurrency 0, so Lambda runs no new invocation of the function. */
export const throttleAction = defineAction<ThrottleState>({
  id: 'throttle',
  title: 'Throttle the function: reserved concurrency 0',
  targetType: 'function',
  permissions: {
    read: ['lambda:GetFunctionConcurrency'],
    change: ['lambda:PutFunctionConcurrency'],
    undo: ['lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency'],
  },
  notes: [
    'Does: sets reserved concurrency to 0; Lambda starts no new invocation of the function (synchronous callers get TooManyRequestsException, 429).',
    'Does not: stop invocations already running; they run to their timeout.',
    'Does not: drop events. Asynchronous events are retried for up to six hours (then go to the on-failure destination or dead-letter queue, if any); SQS messages return to the queue when their visibility timeout ends (and reach its dead-letter queue after maxReceiveCount); stream records are retried until they expire.',
    'Does not: revoke the credentials the function already handed out (see revoke-sessions, deny-role).',
    'Fails while provisioned concurrency is configured on a version or alias: remove it first.',
  ],
  inverse: 'PutFunctionConcurrency with the reserved value recorded before, or DeleteFunctionConcurrency when there was none.',
  async read(env, target) {
    const {FunctionName, region} = functionOf(target)
    const got = await reading('lambda:GetFunctionConcurrency', () => lambdaClient(env, region).send(new GetFunctionConcurrencyCommand({FunctionName}), sendOptions(env)))
    // GetFunction leaves out a reserved concurrency of 0 (and moto does the same): GetFunctionConcurrency does not.
    const reserved = got.ReservedConcurrentExecutions ?? null
    return {state: {reservedConcurrency: reserved}, raw: {GetFunctionConcurrency: {ReservedConcurrentExecutions: reserved}}}
  },
  intend: () => ({state: {reservedConcurrency: 0}}),
  transition(from, to, target): PlannedCall[] {
    if (from.reservedConcurrency === to.reservedConcurrency) return []
    const {FunctionName} = functionOf(target)
    if (to.reservedConcurrency === null) return [{operation: 'lambda:DeleteFunctionConcurrency', parameters: {FunctionName}}]
    return [{operation: 'lambda:PutFunctionConcurrency', parameters: {FunctionName, ReservedConcurrentExecutions: to.reservedConcurrency}}]
  },
  execute: {
    'lambda:PutFunctionConcurrency': (env, t, p) => lambdaClient(env, t.region).send(new PutFunctionConcurrencyCommand(asInput<PutFunctionConcurrencyCommandInput>(p)), sendOptions(env)),
    'lambda:DeleteFunctionConcurrency': (env, t, p) => lambdaClient(env, t.region).send(new DeleteFunctionConcurrencyCommand(asInput<DeleteFunctionConcurrencyCommandInput>(p)), sendOptions(env)),
  },
})
