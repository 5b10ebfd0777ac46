import {describe, expect, it} from 'vitest'
import {parseS3Location} from '../../../../../src/evidence/stores/s3/store.js'
import {collectorPermissionStatements, iamPolicy} from '../../../../../src/aws/iam-policy.js'
import {storePermissionStatements} from '../../../../../src/evidence/stores/s3/permissions.js'

describe('S3 store locations', () => {
  it('splits bucket and prefix, and refuses what is not a bucket', () => {
    expect(parseS3Location('s3://evidence-bucket')).toEqual({bucket: 'evidence-bucket', prefix: ''})
    expect(parseS3Location('s3://evidence-bucket/')).toEqual({bucket: 'evidence-bucket', prefix: ''})
    expect(parseS3Location('s3://evidence-bucket/team/a/')).toEqual({bucket: 'evidence-bucket', prefix: 'team/a/'})
    for (const bad of ['s3://', 's3://B', 's3://Upper-Case', 's3://ok-bucket/../x', 's3://ok-bucket/a//b']) {
      expect(() => parseS3Location(bad), bad).toThrow(expect.objectContaining({exitCode: 2}))
    }
  })
})

describe('store permissions', () => {
  it('scopes object actions to the prefix and never grants deletion or bypass', () => {
    const st = storePermissionStatements('s3://evidence-bucket/ir', {kmsKey: 'arn:aws:kms:eu-west-1:111122223333:key/k'})
    expect(st.map((s) => s.Sid)).toEqual(['EvidenceWriteOnceAndRead', 'EvidenceListVersions', 'EvidenceBucketLock', 'EvidenceKms'])
    expect(st[0]!.Resource).toBe('arn:aws:s3:::evidence-bucket/ir/*')
    const all = st.flatMap((s) => s.Action)
    expect(all).not.toContain('s3:PutObjectLegalHold')
    expect(all.filter((a) => /Delete|Bypass|PutBucket/.test(a))).toEqual([])
    expect(storePermissionStatements('./local')).toEqual([])
    const init = storePermissionStatements('s3://evidence-bucket', {init: true, hold: true})
    expect(init[0]!.Action).toContain('s3:PutObjectLegalHold')
    expect(init.find((s) => s.Sid === 'EvidenceBucketInit')!.Action).toContain('s3:PutBucketObjectLockConfiguration')
    expect(init.find((s) => s.Sid === 'EvidenceListVersions')!.Condition).toBeUndefined()
  })

  it('lets a store sign with a KMS key, local or S3: GetPublicKey and Sign on that key alone', () => {
    const key = 'arn:aws:kms:eu-west-1:111122223333:key/signing'
    const signing = {Sid: 'EvidenceSigning', Effect: 'Allow', Action: ['kms:GetPublicKey', 'kms:Sign'], Resource: key}
    expect(storePermissionStatements('./local', {signKmsKey: key})).toEqual([signing])
    expect(storePermissionStatements('s3://evidence-bucket', {signKmsKey: key}).at(-1)).toEqual(signing)
    expect(storePermissionStatements('s3://evidence-bucket').map((s) => s.Sid)).not.toContain('EvidenceSigning')
  })

  it('adds one statement per collector from its declared permissions', () => {
    const policy = iamPolicy([
      ...storePermissionStatements('s3://evidence-bucket'),
      ...collectorPermissionStatements([{id: 'lambda', title: 'Lambda', operations: [], permissions: ['lambda:GetFunction', 'lambda:GetPolicy', 'lambda:GetFunction'], produces: []}]),
    ])
    expect(policy.Statement.at(-1)).toEqual({Sid: 'Collectorlambda', Effect: 'Allow', Action: ['lambda:GetFunction', 'lambda:GetPolicy'], Resource: '*'})
  })
})
