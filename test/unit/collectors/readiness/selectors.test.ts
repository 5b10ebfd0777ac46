import {describe, expect, it} from 'vitest'
import {lambdaInvokeCoverage, managementCoverage, s3DataCoverage} from '../../../../src/collectors/readiness/selectors.js'

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:payments-api'
const data = (type: string, extra: object[] = []) => ({Name: 'data', FieldSelectors: [{Field: 'eventCategory', Equals: ['Data']}, {Field: 'resources.type', Equals: [type]}, ...extra]})

describe('event selectors, classic and advanced', () => {
  it('a trail without selectors records every management event and no data event', () => {
    expect(managementCoverage({}, true)).toBe('all')
    expect(managementCoverage({EventSelectors: [], AdvancedEventSelectors: []}, false)).toBe('all')
    expect(s3DataCoverage({}, true)).toBe('none')
    expect(lambdaInvokeCoverage({}, FN)).toBe('none')
  })

  it('classic selectors: read/write type, management events excluded or filtered, all buckets or some, all functions or one', () => {
    expect(managementCoverage({EventSelectors: [{ReadWriteType: 'ReadOnly', IncludeManagementEvents: true}]}, true)).toBe('all')
    expect(managementCoverage({EventSelectors: [{ReadWriteType: 'ReadOnly', IncludeManagementEvents: true}]}, false)).toBe('none')
    expect(managementCoverage({EventSelectors: [{ReadWriteType: 'All', IncludeManagementEvents: false}]}, true)).toBe('none')
    expect(managementCoverage({EventSelectors: [{ReadWriteType: 'All', ExcludeManagementEventSources: ['kms.amazonaws.com']}]}, true)).toBe('partial')
    const s3 = (values: string[], rw = 'All') => ({EventSelectors: [{ReadWriteType: rw, DataResources: [{Type: 'AWS::S3::Object', Values: values}]}]})
    expect(s3DataCoverage(s3(['arn:aws:s3']), true)).toBe('all')
    expect(s3DataCoverage(s3(['arn:aws:s3:::']), false)).toBe('all')
    expect(s3DataCoverage(s3(['arn:aws:s3:::receipts/']), true)).toBe('partial')
    expect(s3DataCoverage(s3(['arn:aws:s3'], 'WriteOnly'), true)).toBe('none')
    expect(s3DataCoverage(s3(['arn:aws:s3'], 'WriteOnly'), false)).toBe('all')
    const fn = (values: string[], rw = 'All') => ({EventSelectors: [{ReadWriteType: rw, DataResources: [{Type: 'AWS::Lambda::Function', Values: values}]}]})
    expect(lambdaInvokeCoverage(fn(['arn:aws:lambda']), FN)).toBe('all')
    expect(lambdaInvokeCoverage(fn([FN]), FN)).toBe('all')
    expect(lambdaInvokeCoverage(fn([`${FN}-other`]), FN)).toBe('none')
    // Invoke is a write event: a read-only selector does not record it.
    expect(lambdaInvokeCoverage(fn(['arn:aws:lambda'], 'ReadOnly'), FN)).toBe('none')
  })

  it('advanced selectors: category, resource type, readOnly, ARN filters and event-name exclusions', () => {
    const mgmt = {AdvancedEventSelectors: [{FieldSelectors: [{Field: 'eventCategory', Equals: ['Management']}]}]}
    expect(managementCoverage(mgmt, true)).toBe('all')
    expect(managementCoverage(mgmt, false)).toBe('all')
    const writeOnly = {AdvancedEventSelectors: [{FieldSelectors: [{Field: 'eventCategory', Equals: ['Management']}, {Field: 'readOnly', Equals: ['false']}]}]}
    expect(managementCoverage(writeOnly, true)).toBe('none')
    expect(managementCoverage(writeOnly, false)).toBe('all')
    const noKms = {AdvancedEventSelectors: [{FieldSelectors: [{Field: 'eventCategory', Equals: ['Management']}, {Field: 'eventSource', NotEquals: ['kms.amazonaws.com']}]}]}
    expect(managementCoverage(noKms, true)).toBe('partial')

    expect(s3DataCoverage({AdvancedEventSelectors: [data('AWS::S3::Object')]}, true)).toBe('all')
    expect(s3DataCoverage({AdvancedEventSelectors: [data('AWS::S3::Object', [{Field: 'readOnly', Equals: ['true']}])]}, false)).toBe('none')
    expect(s3DataCoverage({AdvancedEventSelectors: [data('AWS::S3::Object', [{Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::receipts/']}])]}, true)).toBe('partial')
    expect(s3DataCoverage({AdvancedEventSelectors: [data('AWS::DynamoDB::Table')]}, true)).toBe('none')

    expect(lambdaInvokeCoverage({AdvancedEventSelectors: [data('AWS::Lambda::Function')]}, FN)).toBe('all')
    expect(lambdaInvokeCoverage({AdvancedEventSelectors: [data('AWS::Lambda::Function', [{Field: 'resources.ARN', StartsWith: [FN]}])]}, FN)).toBe('all')
    expect(lambdaInvokeCoverage({AdvancedEventSelectors: [data('AWS::Lambda::Function', [{Field: 'resources.ARN', Equals: ['arn:aws:lambda:us-east-1:123456789012:function:other']}])]}, FN)).toBe('none')
    expect(lambdaInvokeCoverage({AdvancedEventSelectors: [data('AWS::Lambda::Function', [{Field: 'eventName', NotEquals: ['Invoke']}])]}, FN)).toBe('none')
    expect(lambdaInvokeCoverage({AdvancedEventSelectors: [data('AWS::Lambda::Function', [{Field: 'readOnly', Equals: ['true']}])]}, FN)).toBe('none')
    // The best of several selectors counts.
    expect(lambdaInvokeCoverage({AdvancedEventSelectors: [data('AWS::S3::Object'), data('AWS::Lambda::Function')]}, FN)).toBe('all')
  })
})
