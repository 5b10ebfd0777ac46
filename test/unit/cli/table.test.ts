import {describe, expect, it} from 'vitest'
import {renderTable} from '../../../src/cli/table.js'

describe('renderTable', () => {
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
