import {describe, expect, it} from 'vitest'
import {redactSecrets, toCsv} from '../../../src/analysis/output.js'

describe('toCsv', () => {
  it('neutralises formulas in text cells and leaves numbers and booleans as they are', () => {
    const csv = toCsv(['text', 'n', 'b', 'json'], [
      {text: '=HYPERLINK("http://x")', n: -42, b: false, json: {a: 1}},
      {text: '-2+3', n: -0.5, b: true, json: null},
      {text: '@SUM(A1)', n: 7, b: null, json: ['=x']},
    ])
    expect(csv.split('\r\n')).toEqual([
      'text,n,b,json',
      `"'=HYPERLINK(""http://x"")",-42,false,"{""a"":1}"`,
      `'-2+3,-0.5,true,`,
      `'@SUM(A1),7,,"[""=x""]"`,
      '',
    ])
  })
})

describe('redactSecrets', () => {
  it('hides environment values nested in lists and structs, and in a Variables struct or map, each named', () => {
    const text = JSON.stringify({Variables: {TOKEN: 'hunter2'}})
    const row = redactSecrets({
      list: [text, 'plain'],
      struct: {environment: text, n: 3},
      parsed: {Variables: {TOKEN: 'hunter2', EMPTY: null}},
      map: {Variables: [{key: 'TOKEN', value: 'hunter2'}]},
      keys: ['TOKEN'],
      n: 1,
    })
    expect(JSON.stringify(row)).not.toContain('hunter2')
    expect(row).toEqual({
      list: ['{"Variables":{"TOKEN":"[redacted:TOKEN]"}}', 'plain'],
      struct: {environment: '{"Variables":{"TOKEN":"[redacted:TOKEN]"}}', n: 3},
      parsed: {Variables: {TOKEN: '[redacted:TOKEN]', EMPTY: null}},
      map: {Variables: [{key: 'TOKEN', value: '[redacted:TOKEN]'}]},
      keys: ['TOKEN'],
      n: 1,
    })
  })
})
