import {describe, expect, it} from 'vitest'
import {toCsv} from '../../../src/analysis/output.js'

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
