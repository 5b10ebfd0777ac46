import {createHash, generateKeyPairSync} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import {dayPrefixes, deliveryTime} from '../../../src/collectors/cloudtrail-archive.js'
import {digestSigningString} from '../../../src/collectors/cloudtrail-digest.js'
import {keyFingerprint, loadPublicKeyFile, parseSignaturesFile} from '../../../src/collectors/cloudtrail-keys.js'
import {MalformedInputError, parseRecords} from '../../../src/collectors/cloudtrail-records.js'
import {parseTimeSpec as parseTimeFlag} from '../../../src/core/time.js'
import {CoronerError} from '../../../src/core/errors.js'

describe('parseRecords', () => {
  const rec = (i: number) => ({eventID: `e${i}`, eventTime: `2026-11-19T10:0${i}:00Z`, eventName: 'Invoke'})

  it('reads delivery files, bare arrays, saved LookupEvents output and NDJSON', () => {
    expect(parseRecords(JSON.stringify({Records: [rec(1), rec(2)]}))).toMatchObject({shape: 'delivery-file', rejected: [], newestEventTime: '2026-11-19T10:02:00.000Z', oldestEventTime: '2026-11-19T10:01:00.000Z'})
    expect(parseRecords(JSON.stringify([rec(1)])).shape).toBe('array')
    const lookup = parseRecords(JSON.stringify({Events: [{EventId: 'e1', CloudTrailEvent: JSON.stringify(rec(1))}]}))
    expect(lookup).toMatchObject({shape: 'lookup-events', records: [rec(1)]})
    expect(parseRecords(`${JSON.stringify(rec(1))}\n${JSON.stringify(rec(2))}\n`)).toMatchObject({shape: 'ndjson', records: [rec(1), rec(2)]})
  })

  it('rejects records without a usable eventTime, keeping the others', () => {
    const parsed = parseRecords(JSON.stringify({Records: [rec(1), {eventID: 'x'}, 'text', {eventTime: 'yesterday'}]}))
    expect(parsed.records).toHaveLength(1)
    expect(parsed.rejected).toEqual([
      {index: 1, reason: 'no valid eventTime'},
      {index: 2, reason: 'not a JSON object'},
      {index: 3, reason: 'no valid eventTime'},
    ])
  })

  it('names invalid JSON and unknown shapes', () => {
    expect(() => parseRecords('{"Records": [')).toThrow(MalformedInputError)
    try {
      parseRecords('{"Records": [')
    } catch (e) {
      expect((e as MalformedInputError).code).toBe('invalid-json')
    }
    expect(() => parseRecords('{"Items": []}')).toThrow(/neither/)
  })
})

describe('archive layout helpers', () => {
  it('lists every UTC day of a window', () => {
    expect(dayPrefixes(new Date('2026-02-27T23:00:00Z'), new Date('2026-03-01T00:30:00Z'))).toEqual(['2026/02/27/', '2026/02/28/', '2026/03/01/'])
  })

  it('reads the delivery time from CloudTrail and digest file names', () => {
    expect(deliveryTime('AWSLogs/1/CloudTrail/us-east-1/2026/11/19/1_CloudTrail_us-east-1_20261119T1005Z_abc.json.gz')?.toISOString()).toBe('2026-11-19T10:05:00.000Z')
    expect(deliveryTime('1_CloudTrail-Digest_us-east-1_t_us-east-1_20261119T100512Z.json.gz')?.toISOString()).toBe('2026-11-19T10:05:12.000Z')
    expect(deliveryTime('notes.json')).toBeUndefined()
  })

  it('parses ISO times and ages for --since/--until', () => {
    const now = new Date('2026-11-20T12:00:00Z')
    expect(parseTimeFlag('36h', now, '--since').toISOString()).toBe('2026-11-19T00:00:00.000Z')
    expect(parseTimeFlag('7d', now, '--since').toISOString()).toBe('2026-11-13T12:00:00.000Z')
    expect(parseTimeFlag('2026-11-01', now, '--since').toISOString()).toBe('2026-11-01T00:00:00.000Z')
    expect(() => parseTimeFlag('last tuesday', now, '--since')).toThrow(CoronerError)
  })
})

describe('digest signing inputs', () => {
  it('builds the signing string with "null" for the first digest of a chain', () => {
    const inflated = Buffer.from('{"a":1}')
    const doc = {digestEndTime: '2026-11-19T10:00:00Z', digestS3Bucket: 'b', digestS3Object: 'AWSLogs/1/CloudTrail-Digest/x.json.gz', previousDigestSignature: null}
    const hash = createHash('sha256').update(inflated).digest('hex')
    expect(digestSigningString(doc, inflated)).toBe(`2026-11-19T10:00:00Z\nb/AWSLogs/1/CloudTrail-Digest/x.json.gz\n${hash}\nnull`)
    expect(digestSigningString({...doc, previousDigestSignature: 'abcd'}, inflated).endsWith('\nabcd')).toBe(true)
  })

  it('loads RSA public keys as PEM, DER and base64, with the same fingerprint', () => {
    const {publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048})
    const pkcs1 = publicKey.export({type: 'pkcs1', format: 'der'})
    const fingerprint = createHash('md5').update(pkcs1).digest('hex')
    const forms = [
      Buffer.from(publicKey.export({type: 'pkcs1', format: 'pem'}) as string),
      Buffer.from(publicKey.export({type: 'spki', format: 'pem'}) as string),
      pkcs1,
      publicKey.export({type: 'spki', format: 'der'}),
      Buffer.from(pkcs1.toString('base64')),
    ]
    for (const f of forms) expect(loadPublicKeyFile(f, 'k').fingerprint).toBe(fingerprint)
    expect(keyFingerprint(publicKey)).toBe(fingerprint)
    const ec = generateKeyPairSync('ec', {namedCurve: 'P-256'}).publicKey.export({type: 'spki', format: 'pem'}) as string
    expect(() => loadPublicKeyFile(Buffer.from(ec), 'ec.pem')).toThrow(/not an RSA public key/)
  })

  it('reads a --signatures map of strings or {signature} objects', () => {
    expect(parseSignaturesFile('{"a.json.gz": "ab", "b.json.gz": {"signature": "cd"}}', 's.json')).toEqual({'a.json.gz': 'ab', 'b.json.gz': 'cd'})
    expect(() => parseSignaturesFile('[1]', 's.json')).toThrow(/JSON object/)
    expect(() => parseSignaturesFile('{"a": 1}', 's.json')).toThrow(/neither a hex string/)
  })
})
