import {describe, expect, it} from 'vitest'
import {ISSUE_CODES, formatIssue, type IssueCode} from '../../../src/playbooks/issues.js'
import {parsePlaybook} from '../../../src/playbooks/load.js'
import {validatePlaybook} from '../../../src/playbooks/validate.js'

/** A valid playbook; each case below changes it in one place. Line numbers refer to this text. */
const BASE = `id: t
title: T
description: D
version: 1
status: test
parameters:
  functions: {type: functions, description: F, required: true}
targets:
  functions: \${{ params.functions }}
steps:
  - id: snapshot
    uses: lambda
    with:
      functions: \${{ targets.functions }}
  - id: load
    uses: load
    needs: [snapshot]
`

const edit = (replacements: Array<[string, string]>, text = BASE): string => replacements.reduce((t, [from, to]) => {
  if (!t.includes(from)) throw new Error(`the base playbook has no ${JSON.stringify(from)}`)
  return t.replace(from, to)
}, text)

interface Case {
  name: string
  text: string
  file?: string
  /** Every issue expected, as [code, line, column]. */
  issues: Array<[IssueCode, number, number]>
}

const CASES: Case[] = [
  {name: 'YAML that does not parse', text: edit([['status: test', 'status: [test']]), issues: [['yaml-syntax', 6, 1]]},
  {name: 'a key given twice', text: edit([['    needs: [snapshot]', '    needs: [snapshot]\n    needs: [snapshot]']]), issues: [['duplicate-key', 18, 5]]},
  {name: 'a field the format does not know (and a typo of one it does)', text: edit([['    needs: [snapshot]', '    needs: [snapshot]\n    onFailure: stop']]), issues: [['unknown-field', 18, 5]]},
  {name: 'a required field left out', text: edit([['    uses: load\n', '']]), issues: [['missing-field', 15, 5]]},
  {name: 'a header field left out and another wrong: the steps are still checked', text: edit([['version: 1\n', ''], ['status: test', 'status: done'], ['    uses: load', '    uses: lod']]), issues: [['missing-field', 1, 1], ['invalid-value', 4, 9], ['unknown-step', 15, 11]]},
  {name: 'a field of the wrong type', text: edit([['status: test', 'status: done']]), issues: [['invalid-value', 5, 9]]},
  {name: 'an id that is not the file name', text: BASE, file: 'other.yaml', issues: [['id-mismatch', 1, 5]]},
  {name: 'two steps with one id', text: `${BASE}  - id: load\n    uses: load\n    needs: [snapshot]\n`, issues: [['duplicate-step-id', 18, 9]]},
  {name: 'a step named like the targets step', text: edit([['  - id: load', '  - id: targets']]), issues: [['reserved-step-id', 15, 9]]},
  {name: 'a step that is not registered', text: edit([['    uses: load', '    uses: lod']]), issues: [['unknown-step', 16, 11]]},
  {name: 'a with: key the step does not take', text: edit([['      functions: ${{ targets.functions }}', '      functions: ${{ targets.functions }}\n      allVersion: true']]), issues: [['unknown-with-key', 15, 7]]},
  {name: 'a required with: key left out', text: edit([['    with:\n      functions: ${{ targets.functions }}\n', '    with:\n      allVersions: true\n']]), issues: [['missing-with-key', 13, 5], ['targets-unused', 8, 1]]},
  {name: 'a literal with: value of the wrong type', text: edit([['      functions: ${{ targets.functions }}', '      functions: ${{ targets.functions }}\n      concurrency: 99']]), issues: [['invalid-with-value', 15, 20]]},
  {name: 'an expression whose type cannot fit', text: edit([['      functions: ${{ targets.functions }}', '      functions: ${{ targets.functions }}\n      allVersions: ${{ params.functions }}']]), issues: [['invalid-with-value', 15, 20]]},
  {name: 'a parameter that is not declared', text: edit([['${{ targets.functions }}', '${{ params.function }}']]), issues: [['unknown-parameter', 14, 22], ['targets-unused', 8, 1]]},
  {name: 'a default that is not of its type', text: edit([['required: true}', 'required: true}\n  since: {type: timestamp, description: S, default: last week}']]), issues: [['invalid-parameter', 8, 53], ['unused-parameter', 8, 3]]},
  {name: 'a choice without choices', text: edit([['required: true}', 'required: true}\n  mode: {type: choice, description: M}']]), issues: [['invalid-parameter', 8, 16], ['unused-parameter', 8, 3]]},
  {name: 'a reference to a step that does not exist', text: edit([['    needs: [snapshot]', '    needs: [snapshot]\n    when: ${{ steps.snapshots.result }}']]), issues: [['unresolved-reference', 18, 15]]},
  {name: 'needs naming no step', text: edit([['    needs: [snapshot]', '    needs: [snapshot, collect]']]), issues: [['unresolved-reference', 17, 23]]},
  {name: 'a reference to an output that is not declared', text: edit([['    needs: [snapshot]', '    needs: [snapshot]\n    when: steps.snapshot.outputs.roles']]), issues: [['unresolved-reference', 18, 11]]},
  {name: 'steps that wait for each other', text: edit([['      functions: ${{ targets.functions }}', '      functions: ${{ targets.functions }}\n    needs: load']]), issues: [['needs-cycle', 11, 9]]},
  {name: 'an expression that does not parse', text: edit([['    needs: [snapshot]', '    needs: [snapshot]\n    when: ${{ params.functions == }}']]), issues: [['expression-syntax', 18, 35]]},
  {name: 'a path out of the playbook data', text: edit([['    needs: [snapshot]', '    needs: [snapshot]\n    when: ${{ params.constructor }}']]), issues: [['forbidden-name', 18, 22]]},
  {name: 'a function that does not exist', text: edit([['    needs: [snapshot]', '    needs: [snapshot]\n    when: ${{ eval(params.functions) }}']]), issues: [['unknown-function', 18, 15]]},
  {name: 'an analysis that may run before the collection it reads', text: edit([['    needs: [snapshot]\n', '']]), issues: [['analysis-before-collection', 16, 11]]},
  {name: 'a parameter nothing reads', text: edit([['required: true}', 'required: true}\n  extra: {type: int, description: E, default: 3}']]), issues: [['unused-parameter', 8, 3]]},
  {name: 'a containment step with no max-resources guard', text: `${BASE}  - id: throttle\n    uses: throttle\n    needs: [snapshot]\n    with:\n      functions: \${{ targets.functions }}\n`, issues: [['contain-without-guard', 19, 11]]},
  {name: 'a with: key the engine sets itself', text: `${BASE.replace('steps:', 'max-resources: 5\nsteps:')}  - id: throttle\n    uses: throttle\n    needs: [snapshot]\n    with:\n      functions: \${{ targets.functions }}\n      apply: true\n`, issues: [['engine-managed-key', 24, 7]]},
  {name: 'targets nothing reads', text: edit([['${{ targets.functions }}', '${{ params.functions }}']]), issues: [['targets-unused', 8, 1]]},
]

const found = (c: Case) => validatePlaybook(parsePlaybook(c.file ?? 't.yaml', c.text)).map((i) => [i.code, i.line, i.col] as [IssueCode, number, number])

describe('playbook validate: each issue with its code, line and column', () => {
  it('the base playbook is valid', () => {
    expect(validatePlaybook(parsePlaybook('t.yaml', BASE))).toEqual([])
  })

  for (const c of CASES) {
    it(c.name, () => {
      const sort = (l: Array<[string, number, number]>) => [...l].sort((a, b) => a[1] - b[1] || a[2] - b[2] || a[0].localeCompare(b[0]))
      expect(sort(found(c))).toEqual(sort(c.issues))
    })
  }

  it('every code has a case above', () => {
    const tested = new Set(CASES.flatMap((c) => c.issues.map((i) => i[0])))
    expect(ISSUE_CODES.filter((c) => !tested.has(c))).toEqual([])
  })

  it('collects every issue of a file in one pass, each printed as file:line:col  severity  code  message', () => {
    const text = edit([
      ['    uses: load', '    uses: lod'],
      ['      functions: ${{ targets.functions }}', '      functions: ${{ targets.functions }}\n      allVersion: true'],
      ['    needs: [snapshot]', '    needs: [snapshot]\n    onFailure: stop'],
    ])
    const issues = validatePlaybook(parsePlaybook('playbooks/t.yaml', text))
    expect(issues.map((i) => i.code).sort()).toEqual(['unknown-field', 'unknown-step', 'unknown-with-key'])
    const lines = issues.map(formatIssue)
    expect(lines).toContain('playbooks/t.yaml:15:7  error  unknown-with-key  step snapshot: lambda has no parameter "allVersion"; did you mean "allVersions"? (it takes functions, region, allVersions, collectRoles, concurrency)')
    expect(lines.find((l) => l.includes('unknown-field'))).toMatch(/did you mean "on-failure"\?/)
  })
})
