import {GetAccessKeyLastUsedCommand, paginateListAccessKeys, UpdateAccessKeyCommand, type AccessKeyMetadata, type UpdateAccessKeyCommandInput} from '@aws-sdk/client-iam'
import {CoronerError} from '../core/errors.js'
import {defineAction, reading, type Json, type PlannedCall} from './action.js'
import {asInput, iamClient, sendOptions} from './clients.js'

/** An access key's owner and status (Active or Inactive). */
type KeyState = {userName: string | null; status: string | null}

/** `deactivate-keys`: UpdateAccessKey Inactive for each named access key. */
export const deactivateKeysAction = defineAction<KeyState>({
  id: 'deactivate-keys',
  title: 'Deactivate IAM access keys (UpdateAccessKey Inactive)',
  targetType: 'access-key',
  permissions: {
    read: ['iam:GetAccessKeyLastUsed', 'iam:ListAccessKeys'],
    change: ['iam:UpdateAccessKey'],
    undo: ['iam:UpdateAccessKey'],
  },
  notes: [
    'Does: makes each key Inactive; AWS refuses every request signed with it.',
    'Does not: delete the key (it stays as evidence, and can be made Active again).',
    'Does not: end sessions already obtained with the key (GetSessionToken, AssumeRole): they last until they expire; use revoke-sessions on the roles it assumed.',
    'Does not: touch the user\'s other keys, console password or permissions.',
  ],
  inverse: 'UpdateAccessKey Active.',
  async read(env, target) {
    const iam = iamClient(env)
    const used = await reading('iam:GetAccessKeyLastUsed', () => iam.send(new GetAccessKeyLastUsedCommand({AccessKeyId: target.name}), sendOptions(env)))
    const userName = used.UserName ?? (typeof target.facts.userName === 'string' ? target.facts.userName : undefined)
    const keys: AccessKeyMetadata[] = []
    await reading('iam:ListAccessKeys', async () => {
      for await (const page of paginateListAccessKeys({client: iam}, userName === undefined ? {} : {UserName: userName})) keys.push(...(page.AccessKeyMetadata ?? []))
    })
    const key = keys.find((k) => k.AccessKeyId === target.name)
    // Named as AWS names its own "there is none", so the gap is `not-found`.
    if (!key) throw Object.assign(new CoronerError('access-key-not-listed', `Access key ${target.name} is not among the keys of user ${userName ?? '(unknown)'}.`), {name: 'AccessKeyNotFound'})
    const raw = JSON.parse(JSON.stringify({GetAccessKeyLastUsed: {UserName: used.UserName, AccessKeyLastUsed: used.AccessKeyLastUsed}, ListAccessKeys: keys})) as {[k: string]: Json}
    return {state: {userName: userName ?? null, status: key.Status ?? null}, raw, facts: {userName: userName ?? null}}
  },
  intend: (before) => ({state: {...before, status: 'Inactive'}}),
  transition(from, to, target): PlannedCall[] {
    if (from.status === to.status || to.status === null) return []
    return [{operation: 'iam:UpdateAccessKey', parameters: {...(to.userName === null ? {} : {UserName: to.userName}), AccessKeyId: target.name, Status: to.status}}]
  },
  execute: {
    'iam:UpdateAccessKey': (env, _t, p) => iamClient(env).send(new UpdateAccessKeyCommand(asInput<UpdateAccessKeyCommandInput>(p)), sendOptions(env)),
  },
})
