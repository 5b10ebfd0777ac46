import {describe, expect, it} from 'vitest'
import {localRoot} from '../../../src/analysis/inventory.js'
import {defaultDbPath} from '../../../src/analysis/load.js'
import {redactText} from '../../../src/analysis/output.js'
import {CoronerError} from '../../../src/core/errors.js'
import {LocalDirectoryStore} from '../../../src/evidence/stores/local.js'
import type {EvidenceStore} from '../../../src/evidence/store.js'

describe('analysis inputs', () => {
  it('reads a local store from its root and sends an S3 store through evidence pull', () => {
    expect(localRoot(new LocalDirectoryStore('/tmp/evidence'), 'INC-1')).toBe('/tmp/evidence')
    const s3 = {kind: 's3', location: 's3://bucket/prefix'} as unknown as EvidenceStore
    let error: unknown
    try {
      localRoot(s3, 'INC-1')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(CoronerError)
    expect((error as CoronerError).exitCode).toBe(2)
    expect((error as CoronerError).hint).toBe('Run `coroner evidence pull --case INC-1 --to DIR` first and pass --store DIR.')
  })

  it('puts the case database under ./coroner-analysis/<case>/', () => {
    expect(defaultDbPath('INC-9', '/work')).toBe('/work/coroner-analysis/INC-9/case.duckdb')
  })

  it('redacts Lambda environment values in JSON text as [redacted:NAME], keeping the names', () => {
    const text = JSON.stringify({Environment: {Variables: {DB_PASSWORD: 'hunter2', "QU\"OTE": 'a\\"b'}}, Timeout: 3})
    const out = redactText(text)
    expect(out).not.toContain('hunter2')
    expect(JSON.parse(out)).toEqual({Environment: {Variables: {DB_PASSWORD: '[redacted:DB_PASSWORD]', 'QU"OTE': '[redacted:QU_OTE]'}}, Timeout: 3})
    expect(redactText('no secrets here')).toBe('no secrets here')
    const braces = JSON.stringify({Variables: {CONFIG: '{"db":{"password":"hunter2"}}', CLOSE: '}', OPEN: '{', KEY: 'sk-live-1'}})
    expect(JSON.parse(redactText(braces))).toEqual({Variables: {CONFIG: '[redacted:CONFIG]', CLOSE: '[redacted:CLOSE]', OPEN: '[redacted:OPEN]', KEY: '[redacted:KEY]'}})
  })
})
