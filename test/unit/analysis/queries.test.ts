import {mkdtemp, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {CoronerError} from '../../../src/core/errors.js'
import {convertParameter, loadQueries, parseQuery, usedParameters} from '../../../src/analysis/queries.js'
import {neutraliseFormula, toCsv, toNdjson} from '../../../src/analysis/output.js'
import {bindQueryParameters, parseParamArgs} from '../../../src/analysis/run-query.js'

const HEADER = `-- id: demo
-- title: A demo
-- description: Finds things,
--   over two lines.
-- severity: high
-- parameters: since:timestamp=2026-01-01T00:00:00Z function:string= limit:integer=10 strict:boolean
-- attack: T1525, T1078.004
-- evidence: cloudtrail, lambda
`

describe('query registry', () => {
  it('validates every shipped query, each with a distinct id, a header and cited evidence', () => {
    const queries = loadQueries()
    expect(queries.length).toBeGreaterThanOrEqual(25)
    expect(new Set(queries.map((q) => q.id)).size).toBe(queries.length)
    for (const q of queries) {
      expect(q.title.length, q.id).toBeGreaterThan(5)
      expect(q.description.length, q.id).toBeGreaterThan(20)
      expect(q.sql, q.id).toMatch(/evidence_key/)
      expect(q.sql, q.id).toMatch(/evidence_sha256/)
      expect(q.evidence.length, q.id).toBeGreaterThan(0)
    }
  })

  it('parses a header with a continued description and typed parameters', () => {
    const {query, issues} = parseQuery(`${HEADER}SELECT $since, $function, $limit, $strict, '$notaparam' AS x -- $comment\n`, '/q/demo.sql')
    expect(issues).toEqual([])
    expect(query).toMatchObject({
      id: 'demo',
      description: 'Finds things, over two lines.',
      severity: 'high',
      attack: ['T1525', 'T1078.004'],
      evidence: ['cloudtrail', 'lambda'],
      parameters: [
        {name: 'since', type: 'timestamp', default: '2026-01-01T00:00:00Z'},
        {name: 'function', type: 'string', default: null},
        {name: 'limit', type: 'integer', default: '10'},
        {name: 'strict', type: 'boolean', default: undefined},
      ],
    })
  })

  it('reports every header problem with file, line, column and a stable code', () => {
    const text = `-- id: other-name
-- title: Broken
-- severity: severe
-- parameters: since:date= n:integer=abc bad-token
-- attack: X1234
-- evidence: cloudtrail, s3
-- colour: blue
SELECT $since, $undeclared;
SELECT 2
`
    const {query, issues} = parseQuery(text, '/q/broken.sql')
    expect(query).toBeUndefined()
    const codes = issues.map((i) => `${i.line}:${i.code}`)
    expect(codes).toEqual(
      expect.arrayContaining([
        '1:id-mismatch',
        '1:missing-description',
        '3:invalid-severity',
        '4:invalid-parameter-type',
        '4:invalid-default',
        '4:invalid-parameter',
        '4:unused-parameter',
        '5:invalid-attack',
        '6:invalid-evidence',
        '7:unknown-key',
        '8:undeclared-parameter',
        '8:multiple-statements',
      ]),
    )
    const undeclared = issues.find((i) => i.message.startsWith('$undeclared'))!
    expect(undeclared.column).toBe(16)
  })

  it('fails loading a directory with an invalid query: invalid-query, exit 4, file:line in the message', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'coroner-q-'))
    await writeFile(path.join(dir, 'good.sql'), HEADER.replace('demo', 'good').replace(/-- parameters.*\n/, '') + 'SELECT 1 AS evidence_key, 2 AS evidence_sha256\n')
    await writeFile(path.join(dir, 'bad.sql'), '-- id: bad\n-- title: Bad one\n-- severity: high\n-- evidence: logs\nSELECT 1\n')
    let error: unknown
    try {
      loadQueries(dir)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(CoronerError)
    expect((error as CoronerError).code).toBe('invalid-query')
    expect((error as CoronerError).exitCode).toBe(4)
    expect((error as CoronerError).message).toContain(`${path.join(dir, 'bad.sql')}:1:1  error  missing-description`)
  })

  it('finds $parameters outside strings and comments only', () => {
    expect(usedParameters(`SELECT '$.a', "$b", $c -- $d\n, $e`).map((u) => u.name)).toEqual(['c', 'e'])
  })

  it('converts parameter values by type and refuses wrong ones', () => {
    expect(convertParameter({name: 'n', type: 'integer'}, '42')).toBe(42)
    expect(convertParameter({name: 'b', type: 'boolean'}, 'TRUE')).toBe(true)
    expect((convertParameter({name: 't', type: 'timestamp'}, '2026-11-20') as Date).toISOString()).toBe('2026-11-20T00:00:00.000Z')
    expect((convertParameter({name: 't', type: 'timestamp'}, '2026-11-20T10:00:00+02:00') as Date).toISOString()).toBe('2026-11-20T08:00:00.000Z')
    expect(() => convertParameter({name: 'n', type: 'integer'}, '4.5')).toThrow(/parameter "n" is a integer/)
    expect(() => convertParameter({name: 't', type: 'timestamp'}, "2026'; DROP TABLE x")).toThrow(/ISO 8601/)
  })

  it('binds --param values, naming the query parameters on a wrong name or type', () => {
    const {query} = parseQuery(`${HEADER}SELECT $since, $function, $limit, $strict`, '/q/demo.sql')
    expect(() => bindQueryParameters(query!, {strict: 'true', colour: 'x'})).toThrow(/no parameter "colour".*since:timestamp=2026-01-01T00:00:00Z, function:string=, limit:integer=10, strict:boolean \(required\)/)
    expect(() => bindQueryParameters(query!, {})).toThrow(/needs --param strict/)
    expect(() => bindQueryParameters(query!, {strict: 'yes'})).toThrow(/true or false/)
    const bound = bindQueryParameters(query!, {strict: 'false', limit: '3'})
    expect(bound.shown).toEqual({since: '2026-01-01T00:00:00.000Z', function: null, limit: 3, strict: false})
    expect(parseParamArgs(['a=b=c', 'x='])).toEqual({a: 'b=c', x: ''})
    expect(() => parseParamArgs(['novalue'])).toThrow(/name=value/)
  })
})

describe('output formats', () => {
  it('neutralises spreadsheet formulas in CSV cells', () => {
    for (const s of ['=1+1', '+cmd', '-2', '@SUM(A1)', '\tx', '\rx']) expect(neutraliseFormula(s)).toBe(`'${s}`)
    expect(neutraliseFormula('plain = text')).toBe('plain = text')
    const csv = toCsv(['a', 'b', '=c'], [{a: `=HYPERLINK("http://x")`, b: 'x,y\nz', '=c': null}, {a: 1, b: {k: 'v'}, '=c': true}])
    expect(csv).toBe(`a,b,'=c\r\n"'=HYPERLINK(""http://x"")","x,y\nz",\r\n1,"{""k"":""v""}",true\r\n`)
  })

  it('writes one JSON object per line', () => {
    expect(toNdjson(['a', 'b'], [{a: 1, b: null}, {a: 'x', b: [1]}])).toBe('{"a":1,"b":null}\n{"a":"x","b":[1]}\n')
  })
})
