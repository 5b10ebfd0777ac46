import {describe, expect, it} from 'vitest'
import type {Row} from '../../../src/analysis/db.js'
import {csvCell, redactDeep, redactSecrets, redactText, rowRedactor, toCsv} from '../../../src/analysis/output.js'
import {escapeControls} from '../../../src/core/text.js'

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

describe('toCsv of text an attacker wrote', () => {
  it('shows every control and bidirectional character as \\uXXXX, wherever it stands, and keeps line breaks and tabs', () => {
    const unsafe = [...Array(0x20).keys(), ...Array.from({length: 0x21}, (_, i) => 0x7f + i), 0x61c, 0x200e, 0x200f, ...Array.from({length: 7}, (_, i) => 0x2028 + i), 0x2066, 0x2067, 0x2068, 0x2069]
    for (const code of unsafe) {
      const ch = String.fromCharCode(code)
      const line = toCsv(['t'], [{t: `a${ch}b`}]).slice('t\r\n'.length)
      if (ch === '\n') expect(line).toBe('"a\nb"\r\n')
      else if (ch === '\t') expect(line).toBe('a\tb\r\n')
      else {
        expect(line, code.toString(16)).toBe(`a${escapeControls(ch)}b\r\n`)
        expect(escapeControls(ch), code.toString(16)).toMatch(/^\\u[0-9a-f]{4}$/)
      }
    }
    expect(toCsv(['t'], [{t: 'plain text, "quoted"'}])).toBe('t\r\n"plain text, ""quoted"""\r\n')
  })
})

describe('redactDeep', () => {
  it('hands on what holds nothing to hide as it is, copies what changes, and never changes its input', () => {
    const text = (s: string): string => s.replaceAll('hunter2', '[redacted:TOKEN]')
    const clean = {a: 'x', n: 1, nested: {b: 'y', list: ['z']}}
    expect(redactDeep(clean, text)).toEqual(clean)
    expect((redactDeep(clean, text) as typeof clean).nested).toBe(clean.nested)
    const dirty = {a: 'x', n: 1, nested: {b: 'y hunter2', c: 'kept'}, after: 'also kept', hunter2: 'key'}
    const before = structuredClone(dirty)
    const out = redactDeep(dirty, text) as Record<string, unknown>
    expect(out).toEqual({a: 'x', n: 1, nested: {b: 'y [redacted:TOKEN]', c: 'kept'}, after: 'also kept', '[redacted:TOKEN]': 'key'})
    expect(Object.keys(out)).toEqual(['a', 'n', 'nested', 'after', '[redacted:TOKEN]'])
    expect(dirty).toEqual(before)
  })
})

describe('rowRedactor', () => {
  it('gives what redactDeep gives for every row, its keys redacted once, and hands on a clean row as it is', () => {
    const seen: string[] = []
    const text = (s: string): string => (seen.push(s), redactText(s.replaceAll('hunter2', '[redacted:TOKEN]')))
    const rows: Row[] = [
      {a: 'x', n: 1, b: true, nil: null, big: 12n as unknown as number},
      {a: 'y hunter2', n: 2, b: false, nil: null, big: 0},
      {a: 'z', Variables: 'plain text under a Variables column', nested: {Variables: {KEY: 'v'}}, list: ['hunter2', {q: 'hunter2'}]},
      {hunter2: 'a key to hide', a: '{"Variables":{"TOKEN":"abc"}}', variables: {K: 'v'}},
      {a: 'x', n: 1, b: true, nil: null, big: 0},
    ]
    const redact = rowRedactor(text)
    for (const row of rows) {
      const before = structuredClone(row)
      const out = redact(row)
      expect(out).toEqual(redactDeep(row, text))
      expect(Object.keys(out)).toEqual(Object.keys(redactDeep(row, text) as Row))
      expect(row).toEqual(before)
    }
    expect(redact(rows[0]!)).toBe(rows[0])
    // Each column name once, however many rows carry it.
    seen.length = 0
    for (let i = 0; i < 3; i++) redact({a: 'x', n: 1})
    expect(seen.filter((s) => s === 'a' || s === 'n')).toHaveLength(0)
  })
})

describe('csvCell', () => {
  // The rules toCsv documents, each applied in turn: the formula's quote, controls shown as \uXXXX
  // but for line breaks and tabs, then RFC 4180 quoting.
  const byTheRules = (s: string): string => {
    const unformula = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s
    const safe = unformula.split('\n').map((l) => l.split('\t').map(escapeControls).join('\t')).join('\n')
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
  }

  it('writes every text as the rules say, whatever character it holds and wherever', () => {
    const specials = [...Array.from({length: 0x100}, (_, i) => String.fromCharCode(i)), '\u061C', '\u200E', '\u200F', '\u2028', '\u2029', '\u202A', '\u202E', '\u2066', '\u2069', '\u2070', 'é', '😀']
    for (const ch of specials) {
      for (const s of [ch, `a${ch}`, `${ch}a`, `a${ch}b${ch}`, `${ch}${ch}`]) expect(csvCell(s), JSON.stringify(s)).toBe(byTheRules(s))
    }
    expect(csvCell('arn:aws:iam::111122223333:role/x')).toBe('arn:aws:iam::111122223333:role/x')
    expect(csvCell(-1)).toBe('-1')
    expect(csvCell(null)).toBe('')
    expect(csvCell({a: '=1'})).toBe('"{""a"":""=1""}"')
  })
})
