import {describe, expect, it} from 'vitest'
import {approvalTargets} from '../../../src/cli/approve.js'
import {StepList} from '../../../src/cli/step-list.js'

/** A terminal stand-in: what was written, and the screen it leaves after cursor-up and clear-below. */
function fakeTerminal(): {stream: NodeJS.WriteStream; screen: () => string[]; raw: () => string} {
  let raw = ''
  const stream = {columns: 120, write: (s: string) => ((raw += s), true)} as unknown as NodeJS.WriteStream
  const screen = (): string[] => {
    const lines: string[] = []
    for (const part of raw.split(/(\u001B\[\d+A\u001B\[0J)/)) {
      const up = /^\u001B\[(\d+)A\u001B\[0J$/.exec(part)
      if (up) lines.splice(lines.length - Number(up[1]))
      else lines.push(...part.split('\n').filter((l, i, a) => i < a.length - 1 || l !== ''))
    }
    return lines
  }
  return {stream, screen, raw: () => raw}
}

describe('the live step list of coroner run', () => {
  it('shows every step, redraws it in place as steps start, progress and end, and keeps log lines above it', () => {
    let t = 0
    const term = fakeTerminal()
    const list = new StepList(term.stream, () => t, 0)
    list.planned([{id: 'targets', uses: 'lambda-targets'}, {id: 'snapshot', uses: 'lambda'}, {id: 'load', uses: 'load'}])
    list.started('targets')
    t = 100
    list.ended({id: 'targets', uses: 'lambda-targets', kind: 'collect', outcome: 'done', durationMs: 100, gaps: 0, findings: 0})
    list.started('snapshot')
    const task = list.progress('snapshot').task('collecting Lambda functions', 3)
    task.advance()
    list.log('warning: something to say')
    t = 1600
    task.advance()
    expect(term.screen()).toEqual([
      'warning: something to say',
      expect.stringMatching(/^✓ targets\s+lambda-targets\s+done\s+0\.1s\s*$/),
      expect.stringMatching(/^› snapshot\s+lambda\s+running\s+1\.5s\s+collecting Lambda functions: 2\/3$/),
      expect.stringMatching(/^· load\s+load\s+waiting/),
    ])
    list.ended({id: 'snapshot', uses: 'lambda', kind: 'collect', outcome: 'gap', durationMs: 1700, gaps: 2, findings: 0})
    list.ended({id: 'load', uses: 'load', kind: 'analyse', outcome: 'skipped', cause: 'when', reason: 'its condition is false: ${{ false }}', gaps: 0, findings: 0})
    list.close()
    expect(term.screen().slice(-2)).toEqual([expect.stringMatching(/^! snapshot\s+lambda\s+gap\s+1\.7s\s+2 gap\(s\)$/), expect.stringMatching(/^- load\s+load\s+skipped\s+its condition is false/)])
  })

  it('never lets a progress label from the account reach the screen raw', () => {
    const term = fakeTerminal()
    const list = new StepList(term.stream, () => 0, 0)
    list.planned([{id: 'snapshot', uses: 'lambda'}])
    list.started('snapshot')
    list.progress('snapshot').task('function \u001B[2Jevil\u202Etxt', 1).advance()
    list.close()
    expect(term.raw()).not.toContain('\u001B[2J')
    expect(term.raw()).not.toContain('\u202E')
    expect(term.raw()).toContain('\\u001b[2Jevil\\u202etxt')
  })

  it('lists what each containment step will act on, for the one question contain asks too', () => {
    const request = {playbook: 'lambda-compromise', steps: [{id: 'throttle', uses: 'throttle', targets: ['payments-api', 'evil\u001B[31m']}, {id: 'deny', uses: 'deny-role', targets: 'decided when it runs' as const}]}
    expect(approvalTargets(request)).toEqual(['throttle (throttle): payments-api', 'throttle (throttle): evil\u001B[31m', 'deny (deny-role): decided when it runs'])
  })
})
