import {paginateListEventSourceMappings, UpdateEventSourceMappingCommand, type EventSourceMappingConfiguration, type UpdateEventSourceMappingCommandInput} from '@aws-sdk/client-lambda'
import type {AwsEnv} from '../collectors/context.js'
import {defineAction, functionOf, reading, type Json, type PlannedCall} from './action.js'
import {asInput, lambdaClient, sendOptions} from './clients.js'
import {aliasNames} from './qualifiers.js'

type Mapping = {eventSourceArn: string | null; functionArn: string | null; enabled: boolean}
/** The function's event source mappings (its own and its aliases'), by UUID. */
type TriggerState = {mappings: {[uuid: string]: Mapping}}

/** Disabled and Disabling are off; every other state (Enabled, Enabling, Creating, Updating) polls or will. */
const isEnabled = (state: string | undefined): boolean => state !== 'Disabled' && state !== 'Disabling'

async function listMappings(env: AwsEnv, functionName: string, region: string): Promise<EventSourceMappingConfiguration[]> {
  const client = lambdaClient(env, region)
  const qualifiers = [functionName, ...(await aliasNames(env, functionName, region)).map((a) => `${functionName}:${a}`)]
  const byUuid = new Map<string, EventSourceMappingConfiguration>()
  for (const q of qualifiers) {
    await reading('lambda:ListEventSourceMappings', async () => {
      for await (const page of paginateListEventSourceMappings({client}, {FunctionName: q})) for (const m of page.EventSourceMappings ?? []) if (m.UUID) byUuid.set(m.UUID, m)
    })
  }
  return [...byUuid.values()].sort((a, b) => (a.UUID! < b.UUID! ? -1 : 1))
}

/** `disable-triggers`: every event source mapping of the function Enabled=false; none is deleted. */
export const disableTriggersAction = defineAction<TriggerState>({
  id: 'disable-triggers',
  title: 'Disable every event source mapping of the function (SQS, Kinesis, DynamoDB, Kafka, MQ, DocumentDB)',
  targetType: 'function',
  permissions: {
    read: ['lambda:ListAliases', 'lambda:ListEventSourceMappings'],
    change: ['lambda:UpdateEventSourceMapping'],
    undo: ['lambda:UpdateEventSourceMapping'],
  },
  notes: [
    'Does: sets Enabled=false on every event source mapping of the function and its aliases; Lambda stops polling those sources.',
    'Does not: delete a mapping. Disabling keeps its configuration and its stream position; deleting would lose both.',
    'Does not: stop sources that push to the function through its resource policy (S3, SNS, EventBridge, API Gateway, the function URL): see remove-public-access, close-url and throttle.',
    'Messages and records stay in their source: SQS messages are kept until their retention period ends; stream records until they expire.',
  ],
  inverse: 'Enabled=true on the mappings it disabled (mappings that were already disabled stay so).',
  async read(env, target) {
    const {FunctionName, region} = functionOf(target)
    const mappings = await listMappings(env, FunctionName, region)
    const state: TriggerState = {mappings: {}}
    for (const m of mappings) state.mappings[m.UUID!] = {eventSourceArn: m.EventSourceArn ?? null, functionArn: m.FunctionArn ?? null, enabled: isEnabled(m.State)}
    return {state, raw: {EventSourceMappings: JSON.parse(JSON.stringify(mappings)) as Json}}
  },
  intend(before) {
    const mappings: TriggerState['mappings'] = {}
    for (const [uuid, m] of Object.entries(before.mappings)) mappings[uuid] = {...m, enabled: false}
    return {state: {mappings}, ...(Object.keys(mappings).length === 0 ? {notes: ['The function has no event source mappings.']} : {})}
  },
  transition(from, to): PlannedCall[] {
    return Object.entries(to.mappings)
      .filter(([uuid, m]) => from.mappings[uuid] !== undefined && from.mappings[uuid].enabled !== m.enabled)
      .map(([uuid, m]) => ({operation: 'lambda:UpdateEventSourceMapping', parameters: {UUID: uuid, Enabled: m.enabled}}))
  },
  execute: {
    'lambda:UpdateEventSourceMapping': (env, t, p) => lambdaClient(env, t.region).send(new UpdateEventSourceMappingCommand(asInput<UpdateEventSourceMappingCommandInput>(p)), sendOptions(env)),
  },
})
