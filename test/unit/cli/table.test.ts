import {describe, expect, it} from 'vitest'
import {renderTable, terminalSafe} from '../../../src/cli/table.js'

describe('renderTable', () => {
  it('shows escape sequences, C1 controls and bidirectional overrides escaped, in cells and in headers', () => {
    const out = renderTable([{'\u001b]0;pwned\u0007': 'a\u001b[2Jb', agent: 'report\u202Efdp.exe', csi: 'x\u009b31my', iso: '\u2066hidden\u2069'}])
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/)
    expect(out).toContain('\\u001b]0;pwned\\u0007')
    expect(out).toContain('a\\u001b[2Jb')
    expect(out).toContain('report\\u202efdp.exe')
    expect(out).toContain('x\\u009b31my')
    expect(out).toContain('\\u2066hidden\\u2069')
    expect(terminalSafe('plain text, ünïcode ✓')).toBe('plain text, ünïcode ✓')
  })

  it('keeps both ends of a long key and the start of long text, and escapes control characters', () => {
    const key = `cases/INC-1/runs/20261125T092522377Z-9a5c3d/cloudtrail/import/records/${'x'.repeat(40)}.lambda-backdoor-function.json.gz`
    const text = `${'word '.repeat(30)}END`
    const out = renderTable([{key, text, evil: 'a\u001b[2Jb'}], ['key', 'text', 'evil']).split('\n')[2]!
    const [keyCell] = out.split('  ')
    expect(keyCell).toHaveLength(80)
    expect(keyCell!.startsWith('cases/INC-1/runs/2026112')).toBe(true)
    expect(keyCell!.endsWith('lambda-backdoor-function.json.gz')).toBe(true)
    expect(out).toContain('word word')
    expect(out).not.toContain('END')
    expect(out).toContain('a\\u001b[2Jb')
    expect(out).not.toContain('\u001b')
  })
})
