import {describe, expect, it} from 'vitest'
import type {Candidate} from '../../../../src/analysis/findings/candidates.js'
import {GROUP_FROM, mergeCandidates} from '../../../../src/analysis/findings/merge.js'
import type {FindingReason} from '../../../../src/analysis/findings/model.js'

const rule = (id: string, severity: FindingReason['severity'] = 'medium'): FindingReason => ({source: 'sigma', id, title: `rule ${id}`, author: 'someone', severity, attack: ['T1087'], file: `${id}.yml`})

const hit = (reason: FindingReason, n: number, actor: string | null, extra: Partial<Candidate> = {}): Candidate => ({
  reason,
  time: `2024-08-01T10:${String(n % 60).padStart(2, '0')}:00.000Z`,
  lastTime: null,
  actor,
  target: `role-${n % 3}`,
  sourceIp: '198.51.100.7',
  eventIds: [`e-${String(n).padStart(5, '0')}`],
  evidence: [{key: `cloudtrail/file-${n % 4}.json.gz`, sha256: 'a'.repeat(64)}],
  details: {event: n % 2 === 0 ? 'ListRoles' : 'ListUsers'},
  ...extra,
})

describe('mergeCandidates', () => {
  it('makes the repeated hits of one rule by one principal one finding that says how many events it covers and names each', () => {
    const r = rule('enum')
    const many = Array.from({length: GROUP_FROM + 5}, (_, i) => hit(r, i, 'arn:aws:iam::1:user/mallory'))
    const few = Array.from({length: 3}, (_, i) => hit(r, 100 + i, 'arn:aws:iam::1:user/bob'))
    const findings = mergeCandidates([...many, ...few], () => 'v1')
    expect(findings).toHaveLength(1 + few.length)
    const g = findings.find((f) => f.actor === 'arn:aws:iam::1:user/mallory')!
    expect(g.eventIds).toEqual(many.map((c) => c.eventIds[0]).sort())
    expect(g.details).toMatchObject({events: many.length, event: ['ListRoles', 'ListUsers'], targets: ['role-0', 'role-1', 'role-2']})
    expect(g.title).toBe('rule enum')
    expect(g.target).toBeNull()
    expect(g.sourceIp).toBe('198.51.100.7')
    expect([g.time, g.lastTime]).toEqual(['2024-08-01T10:00:00.000Z', `2024-08-01T10:${String(GROUP_FROM + 4).padStart(2, '0')}:00.000Z`])
    expect(g.evidence).toEqual([0, 1, 2, 3].map((k) => ({key: `cloudtrail/file-${k}.json.gz`, sha256: 'a'.repeat(64), versionId: 'v1'})))
    expect(findings.filter((f) => f.actor === 'arn:aws:iam::1:user/bob').map((f) => f.eventIds)).toEqual([['e-00100'], ['e-00101'], ['e-00102']])
  })

  it('keeps each distinct detail of grouped events once, a number apart from its text, in the order of their JSON', () => {
    const r = rule('mixed')
    const values: unknown[] = [1, '1', {a: 1}, null, 'b"q', {a: 1}, 1, 'a', [2], '1']
    const hits = Array.from({length: 60}, (_, i) => hit(r, i, 'p', {details: {value: values[i % values.length], n: i}}))
    const [g] = mergeCandidates(hits, () => null)
    expect(g!.details.value).toEqual(['1', 'a', 'b"q', 1, [2], {a: 1}])
    // Past 50 distinct values, the first 50 by their JSON are kept and all are counted.
    expect(g!.details.n).toEqual(hits.map((_, i) => String(i)).sort().slice(0, 50).map(Number))
    expect(g!.details.n_distinct).toBe(60)
  })

  it('keeps an event flagged by several rules in one finding with every reason, apart from the rule\'s repeats', () => {
    const a = rule('a')
    const b = rule('b', 'high')
    const repeats = Array.from({length: GROUP_FROM + 1}, (_, i) => hit(a, i, 'p'))
    const findings = mergeCandidates([...repeats, hit(b, 3, 'p')], () => null)
    const both = findings.filter((f) => f.eventIds.includes('e-00003'))
    expect(both).toHaveLength(1)
    expect(both[0]!.reasons.map((r) => r.id)).toEqual(['b', 'a'])
    expect(both[0]!.severity).toBe('high')
    const rest = findings.find((f) => f !== both[0])!
    expect(rest.eventIds).toHaveLength(GROUP_FROM)
    expect(rest.eventIds).not.toContain('e-00003')
  })

  it('gives the same findings, ids and order whatever order the hits come in', () => {
    const r = rule('enum')
    const hits = Array.from({length: GROUP_FROM * 2}, (_, i) => hit(r, i, i % 2 === 0 ? 'p1' : 'p2'))
    const once = mergeCandidates(hits, () => null)
    expect(mergeCandidates([...hits].reverse(), () => null)).toEqual(once)
    expect(once.map((f) => f.id)).toEqual([...new Set(once.map((f) => f.id))])
  })
})
