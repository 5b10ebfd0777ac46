import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {loadRules} from '../../../../src/analysis/sigma/load.js'
import {tempDir} from '../../../support/temp.js'
import {parseSigmaRule} from '../../../../src/analysis/sigma/parse.js'
import {tryCompileRule} from '../../../../src/analysis/sigma/compile.js'

const good = `title: Example
id: 11111111-2222-4333-8444-555555555555
status: test
description: An example
author: Someone (@someone)
references:
    - https://example.com
date: 2024-01-02
tags:
    - attack.persistence
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventName: StopLogging
    condition: selection
falsepositives:
    - Admins
level: high
`

describe('parseSigmaRule', () => {
  it('reads the metadata a hit must cite', () => {
    const {rule, issues} = parseSigmaRule(good, 'example.yml')
    expect(issues).toEqual([])
    expect(rule).toMatchObject({
      title: 'Example',
      id: '11111111-2222-4333-8444-555555555555',
      status: 'test',
      author: 'Someone (@someone)',
      references: ['https://example.com'],
      date: '2024-01-02',
      level: 'high',
      tags: ['attack.persistence'],
      logsource: {product: 'aws', service: 'cloudtrail'},
      falsepositives: ['Admins'],
    })
  })

  it('reports YAML errors at their line and column with a stable code', () => {
    const broken = good.replace('        eventName: StopLogging', '        eventName: [StopLogging')
    const {rule, issues} = parseSigmaRule(broken, 'broken.yml')
    expect(rule).toBeUndefined()
    expect(issues[0]).toMatchObject({file: 'broken.yml', severity: 'error', code: 'yaml-syntax'})
    expect(issues[0]!.line).toBeGreaterThanOrEqual(16)
    const dup = parseSigmaRule(good.replace('level: high', 'level: high\ntitle: again'), 'dup.yml')
    expect(dup.issues[0]).toMatchObject({code: 'yaml-syntax', line: 21, col: 1})
  })

  it('reports a file whose aliases would expand without bound instead of failing the whole run', async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]']
    for (const [prev, name] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f'], ['f', 'g']]) levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`)
    const bomb = `${levels.join('\n')}\n${good}`
    const {rule, issues} = parseSigmaRule(bomb, 'bomb.yml')
    expect(rule).toBeUndefined()
    expect(issues).toEqual([expect.objectContaining({file: 'bomb.yml', severity: 'error', code: 'yaml-syntax', message: expect.stringMatching(/alias/i)})])
    const dir = await tempDir()
    await writeFile(path.join(dir, 'bomb.yml'), bomb)
    await writeFile(path.join(dir, 'good.yml'), good)
    const set = await loadRules([dir])
    expect(set.compiled.map((c) => c.rule.title)).toEqual(['Example'])
    expect(set.issues.map((i) => [path.basename(i.file), i.code])).toEqual([['bomb.yml', 'yaml-syntax']])
  })

  it('names missing and invalid fields', () => {
    const noDetection = parseSigmaRule('title: x\nlogsource:\n    product: aws\n', 'a.yml')
    expect(noDetection.issues.map((i) => i.code)).toEqual(['missing-detection'])
    const badLevel = parseSigmaRule(good.replace('level: high', 'level: severe'), 'b.yml')
    expect(badLevel.issues).toEqual([{file: 'b.yml', line: 20, col: 1, severity: 'error', code: 'invalid-level', message: expect.stringContaining("'severe'")}])
    expect(parseSigmaRule('', 'c.yml').issues.map((i) => i.code)).toEqual(['empty-file'])
    expect(parseSigmaRule('- a\n- b\n', 'd.yml').issues.map((i) => i.code)).toEqual(['not-a-rule'])
  })

  it('positions compile problems at the field that causes them', () => {
    const {rule} = parseSigmaRule(good.replace('eventName: StopLogging', 'eventName: StopLogging\n        src_ip|expand: "%ranges%"'), 'e.yml')
    const result = tryCompileRule(rule!)
    expect('unsupported' in result && result.unsupported).toMatchObject({code: 'unsupported-placeholder', line: 17, col: 9})
  })
})
