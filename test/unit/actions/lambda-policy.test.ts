import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {addPermissionFor, openness, type PolicyStatement} from '../../../src/actions/lambda-policy.js'
import {FIXTURES} from '../../support/evidence-case.js'

const OWN = '111122223333'
const FN = `arn:aws:lambda:us-east-1:${OWN}:function:payments`

/** The statement AddPermission answered in a real attack (Stratus Red Team's lambda-backdoor-function detonation). */
function backdoorStatement(): PolicyStatement {
  const records = JSON.parse(readFileSync(path.join(FIXTURES, 'stratus', 'aws.persistence.lambda-backdoor-function.json'), 'utf8')) as Array<{eventName: string; responseElements?: {statement?: string}}>
  return JSON.parse(records.find((r) => r.eventName.startsWith('AddPermission'))!.responseElements!.statement!) as PolicyStatement
}

/** A real GetPolicy answer: API Gateway invoking a function, limited by the API's ARN (cloudmapper's demo account). */
function apiGatewayStatement(): {statement: PolicyStatement; account: string} {
  const got = JSON.parse(readFileSync(path.join(FIXTURES, 'duo-labs_cloudmapper_lambda-config', 'lambda-get-policy_invpclambda.json'), 'utf8')) as {Policy: string}
  return {statement: (JSON.parse(got.Policy) as {Statement: PolicyStatement[]}).Statement[0]!, account: '653711331788'}
}

describe('which resource-policy statements open a function', () => {
  it('the backdoor AddPermission of a real attack grants everyone; an API Gateway grant limited to its API does not', () => {
    expect(openness(backdoorStatement(), '880896431042', false)).toBe('grants every principal (*)')
    const api = apiGatewayStatement()
    expect(openness(api.statement, api.account, false)).toBeUndefined()
    expect(openness(api.statement, api.account, true)).toBe('grants the service apigateway.amazonaws.com (--include-services)')
  })

  it('tells another account, an organization, a service acting for any account and the own account apart, in AWS\'s and moto\'s shapes', () => {
    const st = (s: Partial<PolicyStatement>): PolicyStatement => ({Sid: 'x', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: FN, ...s})
    expect(openness(st({Principal: {AWS: 'arn:aws:iam::444455556666:root'}}), OWN, false)).toBe('grants account 444455556666 (arn:aws:iam::444455556666:root)')
    expect(openness(st({Principal: '444455556666'}), OWN, false)).toBe('grants account 444455556666 (444455556666)')
    expect(openness(st({Principal: {AWS: `arn:aws:iam::${OWN}:role/ops`}}), OWN, false)).toBeUndefined()
    expect(openness(st({Principal: '*', Condition: {StringEquals: {'aws:PrincipalOrgID': 'o-abc123'}}}), OWN, false)).toBe('grants every principal (*), limited only to organization o-abc123')
    expect(openness(st({Principal: '*', Condition: {StringEquals: {'AWS:SourceAccount': OWN}}}), OWN, false)).toBeUndefined()
    expect(openness(st({Principal: {Service: 's3.amazonaws.com'}}), OWN, false)).toBe('grants the service s3.amazonaws.com on behalf of any account (no SourceAccount or SourceArn condition)')
    expect(openness(st({Principal: 's3.amazonaws.com', Condition: {StringEquals: {'AWS:SourceAccount': '999988887777'}}}), OWN, false)).toBe('grants the service s3.amazonaws.com on behalf of account 999988887777')
    expect(openness(st({Principal: {Service: 's3.amazonaws.com'}, Condition: {StringEquals: {'AWS:SourceAccount': OWN}, ArnLike: {'AWS:SourceArn': 'arn:aws:s3:::receipts'}}}), OWN, false)).toBeUndefined()
    expect(openness(st({Principal: {Federated: 'cognito-identity.amazonaws.com'}}), OWN, false)).toBe('grants the federated principal cognito-identity.amazonaws.com')
    expect(openness(st({Effect: 'Deny', Principal: '*'}), OWN, false)).toBeUndefined()
  })
})

describe('re-creating a removed statement with AddPermission', () => {
  it('maps every condition AddPermission can set, in AWS\'s shape', () => {
    const statement: PolicyStatement = {
      Sid: 'url',
      Effect: 'Allow',
      Principal: {AWS: 'arn:aws:iam::444455556666:root'},
      Action: 'lambda:InvokeFunctionUrl',
      Resource: `${FN}:live`,
      Condition: {StringEquals: {'lambda:FunctionUrlAuthType': 'AWS_IAM', 'aws:PrincipalOrgID': 'o-abc123', 'AWS:SourceAccount': '444455556666'}, ArnLike: {'AWS:SourceArn': 'arn:aws:execute-api:us-east-1:444455556666:abc/*'}},
    }
    expect(addPermissionFor(statement, 'payments', 'live')).toEqual({
      parameters: {
        FunctionName: 'payments',
        StatementId: 'url',
        Action: 'lambda:InvokeFunctionUrl',
        Principal: 'arn:aws:iam::444455556666:root',
        FunctionUrlAuthType: 'AWS_IAM',
        PrincipalOrgID: 'o-abc123',
        SourceAccount: '444455556666',
        SourceArn: 'arn:aws:execute-api:us-east-1:444455556666:abc/*',
        Qualifier: 'live',
      },
      lost: [],
    })
    const token = addPermissionFor({Sid: 'alexa', Effect: 'Allow', Principal: {Service: 'alexa-appkit.amazon.com'}, Action: 'lambda:InvokeFunction', Condition: {StringEquals: {'lambda:EventSourceToken': 'amzn1.ask.skill.1'}}}, 'payments', undefined)
    expect(token.parameters).toMatchObject({Principal: 'alexa-appkit.amazon.com', EventSourceToken: 'amzn1.ask.skill.1'})
    const viaUrl = addPermissionFor({Sid: 'v', Principal: '*', Action: 'lambda:InvokeFunction', Condition: {Bool: {'lambda:InvokedViaFunctionUrl': 'true'}}}, 'payments', undefined)
    expect(viaUrl.parameters.InvokedViaFunctionUrl).toBe(true)
  })

  it('names what AddPermission cannot express, so undo says it restores the statement without it', () => {
    const {lost} = addPermissionFor({Sid: 'wide', Effect: 'Allow', Principal: {AWS: ['111111111111', '222222222222']}, Action: ['lambda:InvokeFunction', 'lambda:GetFunction'], Condition: {IpAddress: {'aws:SourceIp': '203.0.113.0/24'}}}, 'payments', undefined)
    expect(lost).toEqual(['Action ["lambda:InvokeFunction","lambda:GetFunction"]', 'Principal {"AWS":["111111111111","222222222222"]}', 'Condition IpAddress aws:SourceIp'])
  })
})
