import {describe, expect, it} from 'vitest'
import {revokeSessionsAction} from '../../../src/actions/revoke-sessions.js'
import {diffStates, differenceLine, sameJson} from '../../../src/actions/state-diff.js'
import {tagAction} from '../../../src/actions/tag.js'
import {throttleAction} from '../../../src/actions/throttle.js'

const fn = {type: 'function' as const, name: 'payments', arn: 'arn:aws:lambda:us-east-1:111122223333:function:payments', region: 'us-east-1', facts: {functionName: 'payments'}}

describe('state differences', () => {
  it('name the one entry of a keyed collection that changed, and compare objects whatever their key order', () => {
    const before = {mappings: {'u-1': {enabled: true, eventSourceArn: 'arn:q1'}, 'u-2': {enabled: false, eventSourceArn: 'arn:q2'}}}
    const after = {mappings: {'u-2': {eventSourceArn: 'arn:q2', enabled: false}, 'u-1': {eventSourceArn: 'arn:q1', enabled: false}, 'u-3': {enabled: true, eventSourceArn: 'arn:q3'}}}
    expect(diffStates(before, after).map(differenceLine)).toEqual(['mappings.u-1.enabled: true → false', 'mappings.u-3: absent → {"enabled":true,"eventSourceArn":"arn:q3"}'])
    expect(sameJson({a: 1, b: [1, {c: 2, d: 3}]}, {b: [1, {d: 3, c: 2}], a: 1})).toBe(true)
    expect(sameJson([1, 2], [2, 1])).toBe(false)
    expect(diffStates({reservedConcurrency: 0}, {reservedConcurrency: 0})).toEqual([])
  })
})

describe('transitions are the change and the inverse alike', () => {
  it('throttle: back to no reserved concurrency is DeleteFunctionConcurrency, to a number PutFunctionConcurrency', () => {
    expect(throttleAction.transition({reservedConcurrency: 0}, {reservedConcurrency: null}, fn)).toEqual([{operation: 'lambda:DeleteFunctionConcurrency', parameters: {FunctionName: 'payments'}}])
    expect(throttleAction.transition({reservedConcurrency: 0}, {reservedConcurrency: 50}, fn)).toEqual([{operation: 'lambda:PutFunctionConcurrency', parameters: {FunctionName: 'payments', ReservedConcurrentExecutions: 50}}])
    expect(throttleAction.transition({reservedConcurrency: 0}, {reservedConcurrency: 0}, fn)).toEqual([])
  })

  it('tag: removes only the tags that were absent before, and puts back a value that was there', () => {
    const tagged = {tags: {'coroner:quarantine': 'INC-2', 'coroner:quarantine-time': '2026-11-20T10:00:00.000Z'}}
    expect(tagAction.transition(tagged, {tags: {'coroner:quarantine': 'INC-1', 'coroner:quarantine-time': null}}, fn)).toEqual([
      {operation: 'lambda:TagResource', parameters: {Resource: fn.arn, Tags: {'coroner:quarantine': 'INC-1'}}},
      {operation: 'lambda:UntagResource', parameters: {Resource: fn.arn, TagKeys: ['coroner:quarantine-time']}},
    ])
  })

  it('revoke-sessions: an undo waits until the role\'s maximum session duration has passed since the cutoff', () => {
    const after = {policyName: 'AWSRevokeOlderSessions', document: {Version: '2012-10-17', Statement: [{Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: {DateLessThan: {'aws:TokenIssueTime': '2026-11-20T10:00:00Z'}}}]}}
    const record = {at: '2026-11-20T10:00:01.000Z', facts: {maxSessionDuration: 7200}, before: {policyName: 'AWSRevokeOlderSessions', document: null}, after}
    expect(revokeSessionsAction.undoWait!(record, new Date('2026-11-20T11:59:59Z'))).toMatch(/can stay valid until 2026-11-20T12:00:00.000Z \(the role's maximum session duration, 7200 s\)/)
    expect(revokeSessionsAction.undoWait!(record, new Date('2026-11-20T12:00:00Z'))).toBeUndefined()
    // A role whose maximum is unknown waits the longest IAM allows, 12 hours.
    expect(revokeSessionsAction.undoWait!({...record, facts: {}}, new Date('2026-11-20T21:00:00Z'))).toMatch(/43200 s/)
  })
})
