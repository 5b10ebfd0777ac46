import {paginateListRoleTags, TagRoleCommand, UntagRoleCommand, type TagRoleCommandInput, type UntagRoleCommandInput} from '@aws-sdk/client-iam'
import {ListTagsCommand, TagResourceCommand, UntagResourceCommand, type TagResourceCommandInput, type UntagResourceCommandInput} from '@aws-sdk/client-lambda'
import {defineAction, reading, type ActionTarget, type Json, type PlannedCall} from './action.js'
import {asInput, iamClient, lambdaClient, sendOptions} from './clients.js'

export const QUARANTINE_TAG = 'coroner:quarantine'
export const QUARANTINE_TIME_TAG = 'coroner:quarantine-time'
const KEYS = [QUARANTINE_TAG, QUARANTINE_TIME_TAG] as const

/** coroner's own tags on the resource (null: absent); the resource's other tags are kept in the raw read. */
type TagState = {tags: {[key: string]: string | null}}

const resourceArn = (t: ActionTarget): string => t.arn ?? t.name

/** `tag`: marks the function and its role `coroner:quarantine=<case>`, with the time. */
export const tagAction = defineAction<TagState>({
  id: 'tag',
  title: `Tag the function and its role ${QUARANTINE_TAG}=<case> and ${QUARANTINE_TIME_TAG}=<time>`,
  targetType: 'function-or-role',
  permissions: {
    read: ['lambda:ListTags', 'iam:ListRoleTags'],
    change: ['lambda:TagResource', 'iam:TagRole'],
    undo: ['lambda:TagResource', 'lambda:UntagResource', 'iam:TagRole', 'iam:UntagRole'],
  },
  notes: [
    `Does: tags the resource ${QUARANTINE_TAG}=<case> and ${QUARANTINE_TIME_TAG}=<time>, so that anyone looking at it (and tag-based policies or automation) can see it is under investigation.`,
    'Does not: change what the resource can do; tags alone contain nothing.',
  ],
  inverse: 'UntagResource / UntagRole of those tags (or their values recorded before, if they were already set).',
  async read(env, target) {
    const all: {[key: string]: string} = {}
    if (target.type === 'role') {
      await reading('iam:ListRoleTags', async () => {
        for await (const page of paginateListRoleTags({client: iamClient(env)}, {RoleName: target.name})) for (const t of page.Tags ?? []) if (t.Key) all[t.Key] = t.Value ?? ''
      })
    } else {
      const got = await reading('lambda:ListTags', () => lambdaClient(env, target.region).send(new ListTagsCommand({Resource: resourceArn(target)}), sendOptions(env)))
      Object.assign(all, got.Tags ?? {})
    }
    const tags: TagState['tags'] = {}
    for (const k of KEYS) tags[k] = all[k] ?? null
    return {state: {tags}, raw: {Tags: all as Json}}
  },
  intend: (_before, _target, options) => ({state: {tags: {[QUARANTINE_TAG]: options.caseId, [QUARANTINE_TIME_TAG]: options.now.toISOString()}}}),
  transition(from, to, target): PlannedCall[] {
    const set = Object.entries(to.tags).filter(([k, v]) => v !== null && from.tags[k] !== v) as Array<[string, string]>
    const unset = Object.entries(to.tags).filter(([k, v]) => v === null && from.tags[k] !== null && from.tags[k] !== undefined).map(([k]) => k)
    const calls: PlannedCall[] = []
    if (target.type === 'role') {
      if (set.length > 0) calls.push({operation: 'iam:TagRole', parameters: {RoleName: target.name, Tags: set.map(([Key, Value]) => ({Key, Value}))}})
      if (unset.length > 0) calls.push({operation: 'iam:UntagRole', parameters: {RoleName: target.name, TagKeys: unset}})
    } else {
      if (set.length > 0) calls.push({operation: 'lambda:TagResource', parameters: {Resource: resourceArn(target), Tags: Object.fromEntries(set)}})
      if (unset.length > 0) calls.push({operation: 'lambda:UntagResource', parameters: {Resource: resourceArn(target), TagKeys: unset}})
    }
    return calls
  },
  execute: {
    'lambda:TagResource': (env, t, p) => lambdaClient(env, t.region).send(new TagResourceCommand(asInput<TagResourceCommandInput>(p)), sendOptions(env)),
    'lambda:UntagResource': (env, t, p) => lambdaClient(env, t.region).send(new UntagResourceCommand(asInput<UntagResourceCommandInput>(p)), sendOptions(env)),
    'iam:TagRole': (env, _t, p) => iamClient(env).send(new TagRoleCommand(asInput<TagRoleCommandInput>(p)), sendOptions(env)),
    'iam:UntagRole': (env, _t, p) => iamClient(env).send(new UntagRoleCommand(asInput<UntagRoleCommandInput>(p)), sendOptions(env)),
  },
})
