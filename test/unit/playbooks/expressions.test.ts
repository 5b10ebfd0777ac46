import {describe, expect, it} from 'vitest'
import {Unavailable, UnavailableError, evaluate, evaluateCondition, renderTemplate, renderValue} from '../../../src/playbooks/expr/evaluate.js'
import {parseExpression, parseTemplate} from '../../../src/playbooks/expr/parse.js'
import {ExpressionError} from '../../../src/playbooks/expr/tokens.js'
import {asJson} from '../../../src/playbooks/resolve.js'

const scope = {
  params: {since: '2026-11-13T10:00:00.000Z', functions: ['payments-api', 'resize'], contain: false, limit: 3, team: "o'brien"},
  steps: {
    snapshot: {outcome: 'done', result: {functions: [{functionName: 'payments-api', role: 'arn:aws:iam::1:role/a'}, {functionName: 'resize', role: 'arn:aws:iam::1:role/a'}, {functionName: 'gone'}]}, outputs: {}},
    broken: {outcome: 'failed', result: new Unavailable('step broken failed, so it has no result'), outputs: new Unavailable('step broken failed, so it has no result')},
  },
  run: {case: 'INC-1', apply: false},
}
const ev = (text: string): unknown => evaluate(parseExpression(text).expr, scope)

describe('playbook expressions', () => {
  it('reads paths, indexes and projections over lists', () => {
    expect(ev('params.since')).toBe('2026-11-13T10:00:00.000Z')
    expect(ev('params.functions[1]')).toBe('resize')
    expect(ev('steps.snapshot.result.functions.*.role')).toEqual(['arn:aws:iam::1:role/a', 'arn:aws:iam::1:role/a'])
    expect(ev("steps['snapshot'].result.functions[0].functionName")).toBe('payments-api')
    expect(ev('params.nothing')).toBeNull()
    expect(ev('params.functions[9]')).toBeNull()
  })

  it('compares, combines and negates with the precedence of GitHub Actions', () => {
    expect(ev('params.limit > 2 && !params.contain')).toBe(true)
    expect(ev('!params.contain == true')).toBe(true)
    expect(ev("params.contain || 'fallback'")).toBe('fallback')
    expect(ev("run.case == 'INC-1' && params.limit <= 3")).toBe(true)
    expect(ev("params.since >= '2026-11-01'")).toBe(true)
    expect(ev('(params.limit == 3 || false) && params.limit != 4')).toBe(true)
    expect(ev("params.team == 'o''brien'")).toBe(true)
  })

  it('has a few pure functions', () => {
    expect(ev("contains(params.functions, 'resize')")).toBe(true)
    expect(ev("contains(params.since, '2026')")).toBe(true)
    expect(ev("startsWith(run.case, 'INC-') && endsWith(run.case, '1')")).toBe(true)
    expect(ev('length(steps.snapshot.result.functions)')).toBe(3)
    expect(ev("join(params.functions, ' ')")).toBe('payments-api resize')
    expect(ev('unique(steps.snapshot.result.functions.*.role)')).toEqual(['arn:aws:iam::1:role/a'])
    expect(ev("format('/aws/lambda/{0}', params.functions)")).toEqual(['/aws/lambda/payments-api', '/aws/lambda/resize'])
    expect(ev("format('{0} in {1} ({2})', run.case, params.limit, params.contain)")).toBe('INC-1 in 3 (false)')
    expect(() => ev("format('{0}{1}', params.functions, params.functions)")).toThrow(/at most one list/)
  })

  it('treats empty lists, empty strings, 0 and null as false', () => {
    for (const c of ['params.nothing', "''", '0', 'steps.snapshot.outputs', 'null']) expect(evaluateCondition(c, scope), c).toBe(false)
    expect(evaluateCondition('${{ params.functions }}', scope)).toBe(true)
  })

  it('keeps the type of a value that is one expression, and writes text around others', () => {
    expect(renderTemplate('${{ params.functions }}', scope)).toEqual(['payments-api', 'resize'])
    expect(renderTemplate('  ${{ params.limit }} ', scope)).toBe(3)
    expect(renderTemplate('from ${{ params.since }} for ${{ join(params.functions) }}', scope)).toBe('from 2026-11-13T10:00:00.000Z for payments-api,resize')
    expect(renderValue({a: ['${{ params.limit }}', 'x'], b: {c: '${{ run.apply }}'}}, scope)).toEqual({a: [3, 'x'], b: {c: false}})
    expect(() => renderTemplate('all: ${{ steps.snapshot.result }}', scope)).toThrow(/cannot be written into text/)
  })

  it('refuses to walk out of the playbook data: no prototypes, no constructors, no inherited names', () => {
    for (const bad of ['params.__proto__', 'params.constructor', "params['__proto__']", 'steps.snapshot.prototype', 'constructor']) {
      expect(() => ev(bad), bad).toThrow(ExpressionError)
      try {
        ev(bad)
      } catch (e) {
        expect((e as ExpressionError).code).toBe('forbidden-name')
      }
    }
    expect(ev('params.toString')).toBeNull()
    expect(ev('params.functions.map')).toBeNull()
    expect(ev('params.since.length')).toBeNull()
    expect(() => ev('process.env')).toThrow(/unknown name process/)
    expect(() => ev('globalThis')).toThrow(/unknown name/)
  })

  it('has no calls on values, no assignment, no arithmetic and no unknown functions', () => {
    for (const bad of ['params.since.toUpperCase()', 'params.limit = 4', 'params.limit + 1', 'eval("1")', 'Function("x")', '`x`', 'params[params.since]']) {
      expect(() => parseExpression(bad), bad).toThrow(ExpressionError)
    }
    expect(() => parseExpression('length(1, 2)')).toThrow(/takes 1 argument/)
    expect(() => parseExpression('eval(1)')).toThrow(expect.objectContaining({code: 'unknown-function'}))
  })

  it('says where an expression goes wrong', () => {
    try {
      parseTemplate('x ${{ params.since == }} y')
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(ExpressionError)
      expect((e as ExpressionError).offset).toBe(22)
    }
    expect(() => parseTemplate('${{ params.since')).toThrow(/not closed/)
    expect(() => parseExpression("'open")).toThrow(/string is not closed/)
    expect(() => parseExpression('('.repeat(40) + '1' + ')'.repeat(40))).toThrow(/nested deeper/)
  })

  it('reading the result of a step that did not finish is an UnavailableError, not a null', () => {
    expect(() => ev('steps.broken.result.functions')).toThrow(UnavailableError)
    expect(() => ev('steps.*.result')).toThrow(UnavailableError)
    expect(ev("steps.broken.outcome == 'failed'")).toBe(true)
  })

  it('a string with }} inside a literal does not end the expression', () => {
    expect(renderTemplate("${{ 'a}}b' }}", scope)).toBe('a}}b')
  })

  it('step results reach expressions (and the journal) as JSON: dates as text, big integers exact', () => {
    expect(asJson({n: 10n, big: 2n ** 70n, at: new Date('2026-11-20T10:00:00Z'), gone: undefined})).toEqual({n: 10, big: '1180591620717411303424', at: '2026-11-20T10:00:00.000Z'})
  })
})
