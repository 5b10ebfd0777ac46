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

  it('keeps the run id and the file name of a long evidence key, the start of long text, and escapes control characters', () => {
    const key = `cases/INC-1/runs/20261125T092522377Z-9a5c3d/cloudtrail/import/records/${'x'.repeat(40)}.lambda-backdoor-function.json.gz`
    const text = `${'word '.repeat(30)}END`
    const rows = [{key, text, evil: 'a\u001b[2Jb'}]
    const columns = [{key: 'key', kind: 'evidence' as const, priority: 1}, {key: 'text', priority: 1}, {key: 'evil', priority: 1}]
    const lines = renderTable(rows, columns, {width: 80}).split('\n')
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80)
    const [keyCell] = lines[2]!.split('  ')
    expect(keyCell).toContain('20261125T092522377Z-9a5c3d/')
    expect(keyCell!.trimEnd()).toMatch(/9a5c3d\/…[a-z-]+\.json\.gz$/)
    expect(lines[2]).toContain('word word')
    expect(lines[2]).not.toContain('END')
    expect(lines[2]).toContain('a\\u001b[2Jb')
    expect(lines.join('\n')).not.toContain('\u001b')
    // Off a terminal there is no width to fit: every value whole.
    const whole = renderTable(rows, columns).split('\n')[2]!
    expect(whole).toContain(key)
    expect(whole).toContain('END')
  })
})
