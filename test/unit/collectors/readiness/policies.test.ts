import {describe, expect, it} from 'vitest'
import {broadGrants, openGrants} from '../../../../src/collectors/readiness/policies.js'

const ME = '123456789012'

describe('policy documents', () => {
  it('finds administrator, service-wildcard and NotAction grants, and nothing in a narrow policy', () => {
    const grants = broadGrants([
      {name: 'admin', document: {Statement: [{Effect: 'Allow', Action: '*', Resource: '*'}]}},
      {name: 'iam-all', document: {Statement: {Effect: 'Allow', Action: ['iam:*', 's3:GetObject'], Resource: '*'}}},
      {name: 'not-action', document: {Statement: [{Sid: 'All', Effect: 'Allow', NotAction: 'iam:*', Resource: '*'}]}},
      {name: 'deny', document: {Statement: [{Effect: 'Deny', Action: '*', Resource: '*'}]}},
      {name: 'narrow', document: {Statement: [{Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: '*'}]}},
    ])
    expect(grants.map((g) => [g.policy, g.kind])).toEqual([
      ['admin', 'administrator'],
      ['iam-all', 'wildcard-action'],
      ['not-action', 'not-action'],
    ])
  })

  it('tells public and cross-account grants from grants tied down by a condition', () => {
    const policy = {
      Statement: [
        {Sid: 'public', Effect: 'Allow', Principal: '*', Action: 'lambda:InvokeFunction'},
        {Sid: 'url', Effect: 'Allow', Principal: '*', Action: 'lambda:InvokeFunctionUrl', Condition: {StringEquals: {'lambda:FunctionUrlAuthType': 'NONE'}}},
        {Sid: 'other', Effect: 'Allow', Principal: {AWS: 'arn:aws:iam::999999999999:root'}, Action: 'lambda:InvokeFunction'},
        {Sid: 'own', Effect: 'Allow', Principal: {AWS: `arn:aws:iam::${ME}:role/caller`}, Action: 'lambda:InvokeFunction'},
        {Sid: 's3', Effect: 'Allow', Principal: {Service: 's3.amazonaws.com'}, Action: 'lambda:InvokeFunction'},
        {Sid: 's3-tied', Effect: 'Allow', Principal: {Service: 's3.amazonaws.com'}, Action: 'lambda:InvokeFunction', Condition: {ArnLike: {'AWS:SourceArn': 'arn:aws:s3:::uploads'}}},
        {Sid: 'org', Effect: 'Allow', Principal: '*', Action: 'lambda:InvokeFunction', Condition: {StringEquals: {'aws:PrincipalOrgID': 'o-abc'}}},
      ],
    }
    const open = openGrants(policy, ME)
    expect(open.public.map((g) => g.sid)).toEqual(['public', 'url'])
    expect(open.public[1]!.why).toMatch(/auth NONE/)
    expect(open.crossAccount.map((g) => g.sid)).toEqual(['other', 's3'])
  })
})
