import {describe, expect, it} from 'vitest'
import {ACTIONS} from '../../../src/actions/registry.js'
import {throttleStep} from '../../../src/steps/contain/actions.js'
import {undoStep} from '../../../src/steps/contain/undo.js'
import {coroner, type Envelope} from '../../support/cli.js'

type Policy = {Statement: Array<{Sid: string; Action: string[]}>}

describe('coroner permissions --action', () => {
  it('prints what each containment action needs to look up, snapshot, read, change and undo; all of them with --action all', async () => {
    const one = await coroner(['permissions', '--store', './here', '--action', 'throttle', '--json'])
    expect(one.error).toBeUndefined()
    const policy = (JSON.parse(one.stdout) as Envelope<{policy: Policy}>).result.policy
    expect(policy.Statement.map((s) => s.Sid)).toEqual(['ContainEvidenceFirst', 'ContainThrottle'])
    expect(policy.Statement[1]!.Action).toEqual(['lambda:DeleteFunctionConcurrency', 'lambda:GetFunctionConcurrency', 'lambda:PutFunctionConcurrency'])
    // The evidence-first statement is read-only: the snapshot and the look-ups change nothing.
    for (const a of policy.Statement[0]!.Action) expect(a).toMatch(/^[a-z]+:(Get|List)/)
    expect(policy.Statement[0]!.Action).toEqual(expect.arrayContaining(['lambda:GetFunction', 'iam:GetRole', 'lambda:GetFunctionConfiguration']))

    const all = (JSON.parse((await coroner(['permissions', '--store', './here', '--action', 'all', '--json'])).stdout) as Envelope<{policy: Policy}>).result.policy
    expect(all.Statement.map((s) => s.Sid)).toEqual(['ContainEvidenceFirst', ...ACTIONS.map((a) => `Contain${a.id.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')}`)])
    const granted = all.Statement.flatMap((s) => s.Action)
    for (const a of ACTIONS) for (const p of [...a.permissions.read, ...a.permissions.change, ...a.permissions.undo]) expect(granted).toContain(p)
    expect(granted).not.toContain('lambda:DeleteFunctionEventInvokeConfig')
  })

  it('a dry run needs no write permission; apply adds only the change, undo only the inverse', () => {
    const dry = throttleStep.permissions(throttleStep.params.parse({functions: ['f']}))
    expect(dry).not.toContain('lambda:PutFunctionConcurrency')
    expect(throttleStep.permissions(throttleStep.params.parse({functions: ['f'], apply: true}))).toContain('lambda:PutFunctionConcurrency')
    const undo = undoStep.permissions(undoStep.params.parse({run: '20261124T120000123Z-1a2b3c', actions: ['throttle'], apply: true}))
    expect(undo).toEqual(expect.arrayContaining(['lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency']))
    expect(undo).not.toContain('iam:PutRolePolicy')
  })
})
