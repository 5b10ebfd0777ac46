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
})
