import {createHash, generateKeyPairSync} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import {dayPrefixes, deliveryTime} from '../../../src/collectors/cloudtrail-archive.js'
import {digestSigningString} from '../../../src/collectors/cloudtrail-digest.js'
import {keyFingerprint, loadPublicKeyFile, parseSignaturesFile} from '../../../src/collectors/cloudtrail-keys.js'
import {MalformedInputError, checkDeliveryFile} from '../../../src/collectors/cloudtrail-records.js'
import {parseTimeSpec as parseTimeFlag} from '../../../src/core/time.js'
import {CoronerError} from '../../../src/core/errors.js'

describe('checkDeliveryFile', () => {
  const rec = (i: number) => ({eventID: `e${i}`, eventTime: `2026-11-19T10:0${i}:00Z`, eventName: 'Invoke'})

  it('counts the records of a delivery file and their time span', () => {
    expect(checkDeliveryFile(JSON.stringify({Records: [rec(1), rec(2)]}))).toEqual({records: 2, newestEventTime: '2026-11-19T10:02:00.000Z', oldestEventTime: '2026-11-19T10:01:00.000Z'})
    expect(checkDeliveryFile(`\uFEFF${JSON.stringify({Records: [rec(1)]})}`).records).toBe(1)
  })

  it('refuses a file with a record load could not give a time, naming the first and counting them', () => {
    const code = (text: string): string | undefined => {
      try {
        checkDeliveryFile(text)
      } catch (e) {
        return `${(e as MalformedInputError).code}: ${(e as Error).message}`
      }
      return undefined
    }
    expect(code(JSON.stringify({Records: [rec(1), {eventID: 'x'}, 'text', {eventTime: '2026-02-30T00:00:00Z'}]}))).toBe('record-without-eventTime: record 1: no eventTime (3 such record(s))')
    expect(code(JSON.stringify({Records: [rec(1), {eventTime: 'yesterday'}]}))).toBe('record-without-eventTime: record 1: eventTime "yesterday" is not an ISO 8601 time (1 such record(s))')
    expect(code(`{"Records": [${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}]}`)).toMatch(/^too-deep: record 0 nests deeper than 128 levels/)
    expect(code('{"Records": [')).toMatch(/^invalid-json/)
    expect(code('{"Items": []}')).toMatch(/^unknown-shape/)
    expect(code(JSON.stringify([rec(1)]))).toMatch(/^unknown-shape/)
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
