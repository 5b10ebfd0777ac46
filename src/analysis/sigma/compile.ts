import {cidrMatchSql, parseCidr} from './cidr.js'
import {parseCondition, type ConditionNode} from './condition.js'
import {SigmaCompileError, type CompiledRule, type SigmaRule, type SourcePosition, type SqlParam, type UnsupportedRule} from './rule.js'
import {combine, param, raw, sql, type Fragment} from './sql.js'
import {base64Of, base64OffsetVariants, hasWildcard, parseSigmaString, plainText, toLikePattern, windashVariants, type SigmaStringPart} from './values.js'

/** The column holding the whole CloudTrail record as JSON. */
const RAW = 'raw'

const STRING_MODIFIERS = new Set(['contains', 'startswith', 'endswith'])
const NUMBER_MODIFIERS = new Set(['gt', 'gte', 'lt', 'lte'])
const SUPPORTED_MODIFIERS = new Set([...STRING_MODIFIERS, ...NUMBER_MODIFIERS, 'all', 're', 'i', 'm', 's', 'cidr', 'exists', 'windash', 'base64', 'base64offset', 'cased', 'fieldref'])

export interface CompileOptions {
  /**
   * How the text value at a JSON path is read. Default: `json_extract_string(raw, ?)` with the
   * path bound. A hunt passes the typed columns stored at load time for the paths they hold.
   */
  field?: (path: string) => Fragment
  /** Whether `field(path)` is a stored column (cheap to read): such tests run first, and unwrapped. */
  stored?: (path: string) => boolean
  /** The lower-cased text of a stored column when it is computed once per event; default `lower(value)` here. */
  lowered?: (value: Fragment) => Fragment | undefined
  /**
   * Compile what the stored columns alone decide, in SQL's three-valued logic: true or false where
   * they settle the rule, NULL where the record itself must be read (a field not stored, `exists`,
   * `fieldref`, keywords, or a nested stored field that an array may hide).
   */
  undecided?: boolean
  /**
   * Three-valued: where an array along a nested stored path may hide a match, given the stored
   * text. Default: the text is missing or starts with `[` (what the full rule then reads again).
   */
  arrayMayHide?: (path: string, value: Fragment) => Fragment
}

const extractField = (path: string): Fragment => sql`json_extract_string(${raw(RAW)}, ${param(path)})`

/** Whether a rule is written for CloudTrail (`logsource: {product: aws, service: cloudtrail}`). */
export function isCloudTrailRule(rule: SigmaRule): boolean {
  return rule.logsource.product?.toLowerCase() === 'aws' && rule.logsource.service?.toLowerCase() === 'cloudtrail'
}

/**
 * Compiles a CloudTrail Sigma rule into a DuckDB boolean expression over the `raw` JSON column.
 * Every value taken from the rule (strings, numbers, JSON paths) is a bound `?` parameter.
 * Throws SigmaCompileError naming the construct when the rule cannot be expressed.
 */
export function compileRule(rule: SigmaRule, options: CompileOptions = {}): CompiledRule & {undecidable: boolean} {
  if (!isCloudTrailRule(rule)) {
    const ls = [rule.logsource.product, rule.logsource.service ?? rule.logsource.category].filter(Boolean).join('/')
    throw new SigmaCompileError('unsupported-logsource', `logsource ${ls || '(none)'}`, `the rule is for logsource '${ls || '(none)'}'; coroner hunts aws/cloudtrail only`)
  }
  const compiler = new DetectionCompiler(rule, options)
  const fragment = compiler.compile()
  return {rule, sql: fragment.sql, params: fragment.params, undecidable: compiler.undecidable}
}

/** Like compileRule, but hands back why a rule cannot run instead of throwing. */
export function tryCompileRule(rule: SigmaRule): {compiled: CompiledRule} | {unsupported: UnsupportedRule} {
  try {
    return {compiled: compileRule(rule)}
  } catch (error) {
    if (!(error instanceof SigmaCompileError)) throw error
    const pos = error.position ?? {line: 1, col: 1}
    return {unsupported: {rule, path: rule.path, code: error.code, construct: error.construct, message: error.message, line: pos.line, col: pos.col, severity: error.severity}}
  }
}

class DetectionCompiler {
  private lambdaCount = 0
  private readonly selections = new Map<string, unknown>()
  private readonly field: (path: string) => Fragment
  private readonly stored: (path: string) => boolean
  private readonly lowered: (value: Fragment) => Fragment | undefined
  private readonly threeValued: boolean
  private readonly arrayMayHide: (path: string, value: Fragment) => Fragment
  /** Whether, compiled three-valued, the rule may leave an event undecided (NULL). */
  undecidable = false

  constructor(
    private readonly rule: SigmaRule,
    options: CompileOptions,
  ) {
    this.field = options.field ?? extractField
    this.stored = options.stored ?? (() => false)
    this.lowered = options.lowered ?? (() => undefined)
    this.threeValued = options.undecided === true
    this.arrayMayHide = options.arrayMayHide ?? ((_path, value) => sql`coalesce(left(${value}, 1), '[') = '['`)
    for (const [name, value] of Object.entries(rule.detection)) {
      if (name === 'condition') continue
      if (name === 'timeframe') continue
      this.selections.set(name, value)
    }
  }

  compile(): Fragment {
    const condition = this.rule.detection.condition
    const conditions = Array.isArray(condition) ? condition : [condition]
    if (conditions.length === 0 || conditions.some((c) => typeof c !== 'string' || c.trim() === '')) {
      throw new SigmaCompileError('invalid-condition', 'condition', 'the condition must be a non-empty string (or a list of them)', this.pos('condition'), 'error')
    }
    const parsed = (conditions as string[]).map((c) => parseCondition(c, this.pos('condition')))
    const timeframe = this.rule.detection.timeframe
    if (timeframe !== undefined) {
      throw new SigmaCompileError('unsupported-timeframe', 'timeframe', `'timeframe: ${String(timeframe)}' correlates events over time; a per-event hunt cannot run it`, this.pos('timeframe'))
    }
    return combine(parsed.map((c) => this.node(c)), 'OR')
  }

  private pos(key: string): SourcePosition | undefined {
    return this.rule.positions.get(key)
  }

  private node(n: ConditionNode): Fragment {
    switch (n.kind) {
      case 'ref': {
        if (!this.selections.has(n.name)) {
          throw new SigmaCompileError('unknown-identifier', `'${n.name}'`, `the condition names '${n.name}', which is not a selection of this rule`, this.pos('condition'), 'error')
        }
        return this.selection(n.name)
      }
      case 'not':
        return sql`(NOT ${this.node(n.operand)})`
      case 'and':
      case 'or':
        return combine(n.operands.map((o) => this.node(o)), n.kind === 'and' ? 'AND' : 'OR')
      case 'of': {
        const names = this.matching(n.pattern)
        return combine(names.map((name) => this.selection(name)), n.quantifier === 'all' ? 'AND' : 'OR')
      }
    }
  }

  private matching(pattern: string): string[] {
    const all = [...this.selections.keys()]
    const names =
      pattern === 'them'
        ? all.filter((n) => !n.startsWith('_'))
        : all.filter((n) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(n))
    if (names.length === 0) {
      throw new SigmaCompileError('unknown-identifier', `'${pattern}'`, `no selection matches '${pattern}' in the condition`, this.pos('condition'), 'error')
    }
    return names
  }

  private selection(name: string): Fragment {
    const body = this.selections.get(name)
    if (body === null || body === undefined) {
      throw new SigmaCompileError('invalid-selection', `selection '${name}'`, `selection '${name}' is empty`, this.pos(name), 'error')
    }
    if (typeof body === 'string' || typeof body === 'number') return this.keywords([body])
    if (Array.isArray(body)) {
      if (body.length === 0) throw new SigmaCompileError('invalid-selection', `selection '${name}'`, `selection '${name}' is an empty list`, this.pos(name), 'error')
      if (body.every((b) => typeof b === 'string' || typeof b === 'number')) return this.keywords(body as Array<string | number>)
      if (body.every((b) => b !== null && typeof b === 'object' && !Array.isArray(b))) {
        return combine(body.map((m) => this.fieldMap(name, m as Record<string, unknown>)), 'OR')
      }
      throw new SigmaCompileError('invalid-selection', `selection '${name}'`, `selection '${name}' mixes keywords and field maps`, this.pos(name), 'error')
    }
    if (typeof body === 'object') return this.fieldMap(name, body as Record<string, unknown>)
    throw new SigmaCompileError('invalid-selection', `selection '${name}'`, `selection '${name}' must be a mapping of fields or a list`, this.pos(name), 'error')
  }

  /** Three-valued: the record must be read to decide. */
  private unknown(): Fragment {
    this.undecidable = true
    return raw('CAST(NULL AS BOOLEAN)')
  }

  /** Keyword selections: any of the strings anywhere in the record's JSON text, case-insensitive. */
  private keywords(values: Array<string | number>): Fragment {
    if (this.threeValued) return this.unknown()
    const patterns = values.map((value) => param(toLikePattern([{wildcard: '*'}, ...parseSigmaString(String(value)), {wildcard: '*'}])))
    const text = sql`CAST(${raw(RAW)} AS VARCHAR)`
    if (patterns.length === 1) return sql`coalesce(${text} ILIKE ${patterns[0]!} ESCAPE '\\', false)`
    const v = raw(this.lambdaVar('kw'))
    return sql`coalesce(list_transform([${text}], ${v} -> ${combine(patterns.map((p) => sql`${v} ILIKE ${p} ESCAPE '\\'`), 'OR')})[1], false)`
  }

  private fieldMap(name: string, map: Record<string, unknown>): Fragment {
    const entries = Object.entries(map)
    if (entries.length === 0) throw new SigmaCompileError('invalid-selection', `selection '${name}'`, `selection '${name}' is an empty mapping`, this.pos(name), 'error')
    const items = entries.map(([key, value]) => ({stored: this.readsStoredColumn(key), test: this.fieldItem(key, value, this.pos(`${name}.${key}`) ?? this.pos(name))}))
    // Tests of stored columns first: the conjunction stops there on most events, before any JSON is read.
    return combine([...items.filter((i) => i.stored), ...items.filter((i) => !i.stored)].map((i) => i.test), 'AND')
  }

  /** Whether a field item tests a stored column (called after fieldItem accepted the key). */
  private readsStoredColumn(key: string): boolean {
    const [field = '', ...mods] = key.split('|')
    return !mods.some((m) => m.toLowerCase() === 'exists') && this.stored(jsonPath(field.split('.')))
  }

  /** `lower(v)`, or the lower-cased column computed once per event when v is a stored column. */
  private lower(v: Fragment): Fragment {
    return this.lowered(v) ?? sql`lower(${v})`
  }

  private fieldItem(key: string, value: unknown, pos: SourcePosition | undefined): Fragment {
    const [field = '', ...mods] = key.split('|')
    const modifiers = mods.map((m) => m.toLowerCase())
    if (field === '') throw new SigmaCompileError('unsupported-keyword-modifier', `keyword modifiers '${key}'`, 'keyword selections with modifiers are not supported', pos)
    for (const m of modifiers) {
      if (m === 'expand') throw new SigmaCompileError('unsupported-placeholder', "modifier 'expand'", `'${key}' uses a placeholder (|expand) that must be filled in before the rule can run`, pos)
      if (!SUPPORTED_MODIFIERS.has(m)) throw new SigmaCompileError('unsupported-modifier', `modifier '${m}'`, `modifier '${m}' on '${field}' is not supported`, pos)
    }
    const segments = fieldSegments(field, pos)
    const has = (m: string): boolean => modifiers.includes(m)
    const values = Array.isArray(value) ? value : [value]
    if (values.length === 0) throw new SigmaCompileError('invalid-value', `field '${field}'`, `'${key}' has an empty list of values`, pos, 'error')
    for (const v of values) {
      if (v !== null && typeof v === 'object') throw new SigmaCompileError('invalid-value', `field '${field}'`, `'${key}' has a nested mapping or list as a value`, pos, 'error')
    }
    const path = jsonPath(segments)

    if (has('exists')) {
      if (values.length !== 1 || typeof values[0] !== 'boolean') throw new SigmaCompileError('invalid-value', "modifier 'exists'", `'${key}' needs true or false`, pos, 'error')
      if (this.threeValued) return this.unknown()
      return values[0] ? sql`json_exists(${raw(RAW)}, ${param(path)})` : sql`(NOT json_exists(${raw(RAW)}, ${param(path)}))`
    }
    if (has('re') && modifiers.some((m) => STRING_MODIFIERS.has(m) || m === 'cidr' || m === 'fieldref')) {
      throw new SigmaCompileError('invalid-modifier', `modifiers '${modifiers.join('|')}'`, `'re' cannot be combined with '${modifiers.filter((m) => m !== 're').join('|')}'`, pos, 'error')
    }
    if (modifiers.some((m) => ['i', 'm', 's'].includes(m)) && !has('re')) {
      throw new SigmaCompileError('invalid-modifier', `modifiers '${modifiers.join('|')}'`, "the regular expression flags i, m and s need the 're' modifier", pos, 'error')
    }
    // Three-valued, a field read from the record (or compared with another field) leaves the event to be read.
    if (this.threeValued && (!this.stored(path) || has('fieldref'))) return this.unknown()
    const cased = has('cased')
    const matchAll = has('all')
    // Null tests look at the field itself; every other test also looks into arrays along the path.
    const nulls = values.filter((v) => v === null)
    const others = values.filter((v) => v !== null)
    const tests: Fragment[] = []
    if (nulls.length > 0) tests.push(sql`(${this.field(path)} IS NULL)`)
    if (others.length > 0) {
      const body = (v: Fragment): Fragment => {
        if (!matchAll && others.length > 1 && isPlainEquality(others, modifiers)) {
          const texts = others.map((o) => plainText(parseSigmaString(String(o))))
          return cased ? sql`(${v} IN (${joinParams(texts)}))` : sql`(${this.lower(v)} IN (${lowerParams(texts)}))`
        }
        return combine(others.map((val) => this.valueTest(v, val, modifiers, cased, key, pos)), matchAll ? 'AND' : 'OR')
      }
      tests.push(this.atPath(segments, body))
    }
    return combine(tests, matchAll ? 'AND' : 'OR')
  }

  /**
   * Applies a test to the value at a JSON path. The value itself (objects and arrays as their JSON
   * text) is tested; for nested paths the test also runs on each element when a step of the path is
   * an array (`resources.ARN` matches any resource's ARN; `requestParameters.layers` any layer).
   */
  private atPath(segments: string[], body: (v: Fragment) => Fragment): Fragment {
    const stored = this.stored(jsonPath(segments))
    const direct = stored ? sql`coalesce(${body(this.field(jsonPath(segments)))}, false)` : this.bindOnce(this.field(jsonPath(segments)), body)
    if (segments.length === 1) return direct
    if (this.threeValued) {
      // Only where the stored text is missing or is an array may an array along the path hold a match.
      this.undecidable = true
      return sql`(CASE WHEN ${direct} THEN true WHEN ${this.arrayMayHide(jsonPath(segments), this.field(jsonPath(segments)))} THEN NULL ELSE false END)`
    }
    const alternatives = segments.map((_, i) => {
      const v = this.lambdaVar('el')
      return sql`coalesce(list_bool_or(list_transform(json_extract_string(${raw(RAW)}, ${param(jsonPath(segments, i))}), ${raw(v)} -> ${body(raw(v))})), false)`
    })
    // Arrays are only possible when the path reads nothing (an array part-way) or an array's text
    // (an array at the end): elsewhere the element tests, each a fresh parse of the record, are skipped.
    const arrayPossible = sql`coalesce(left(${this.field(jsonPath(segments))}, 1), '[') = '['`
    return sql`(${direct} OR (CASE WHEN ${arrayPossible} THEN ${combine(alternatives, 'OR')} ELSE false END))`
  }

  /** Evaluates `body` on a value, extracting it once even when the body tests it several times. */
  private bindOnce(value: Fragment, body: (v: Fragment) => Fragment): Fragment {
    const probe = body(raw('\u0000'))
    const uses = probe.sql.split('\u0000').length - 1
    if (uses <= 1) return sql`coalesce(${body(value)}, false)`
    const v = this.lambdaVar('v')
    return sql`coalesce(list_transform([${value}], ${raw(v)} -> ${body(raw(v))})[1], false)`
  }

  private valueTest(v: Fragment, value: unknown, modifiers: string[], cased: boolean, key: string, pos: SourcePosition | undefined): Fragment {
    const has = (m: string): boolean => modifiers.includes(m)
    if (modifiers.some((m) => NUMBER_MODIFIERS.has(m))) {
      const n = typeof value === 'number' ? value : Number(value)
      if (typeof value === 'boolean' || !Number.isFinite(n)) throw new SigmaCompileError('invalid-value', `modifier '${modifiers.join('|')}'`, `'${key}' compares numbers but the value '${String(value)}' is not a number`, pos, 'error')
      const op = has('gt') ? '>' : has('gte') ? '>=' : has('lt') ? '<' : '<='
      return sql`(try_cast(${v} AS DOUBLE) ${raw(op)} ${param(n)})`
    }
    if (typeof value === 'boolean') return sql`(${this.lower(v)} = ${param(String(value))})`
    const text = String(value)
    if (has('re')) return this.regexTest(v, text, modifiers, key, pos)
    if (has('cidr')) {
      const cidr = parseCidr(text)
      if (cidr === undefined) throw new SigmaCompileError('invalid-value', "modifier 'cidr'", `'${text}' is not a network in CIDR notation`, pos, 'error')
      return cidrMatchSql(v, cidr)
    }
    if (has('fieldref')) {
      const other = this.field(jsonPath(fieldSegments(text, pos)))
      const [a, b] = cased ? [v, other] : [this.lower(v), this.lower(other)]
      if (has('contains')) return sql`contains(${a}, ${b})`
      if (has('startswith')) return sql`starts_with(${a}, ${b})`
      if (has('endswith')) return sql`ends_with(${a}, ${b})`
      return sql`(${a} = ${b})`
    }
    let variants = [text]
    if (has('windash')) variants = variants.flatMap(windashVariants)
    if (has('base64') || has('base64offset')) {
      if (variants.some((t) => hasWildcard(parseSigmaString(t)))) throw new SigmaCompileError('unsupported-modifier', "modifier 'base64' with wildcards", `'${key}' encodes a value with wildcards, which has no base64 form`, pos)
      variants = variants.flatMap((t) => (has('base64offset') ? base64OffsetVariants(plainText(parseSigmaString(t))) : [base64Of(plainText(parseSigmaString(t)))]))
      // The encoded text is literal: protect its characters from wildcard reading.
      variants = variants.map((t) => t.replace(/[*?\\]/g, '\\$&'))
    }
    return combine(variants.map((t) => this.stringTest(v, t, modifiers, cased)), 'OR')
  }

  private stringTest(v: Fragment, text: string, modifiers: string[], cased: boolean): Fragment {
    let parts: SigmaStringPart[] = parseSigmaString(text)
    const star = {wildcard: '*'} as const
    if (modifiers.includes('contains')) parts = [star, ...parts, star]
    else if (modifiers.includes('startswith')) parts = [...parts, star]
    else if (modifiers.includes('endswith')) parts = [star, ...parts]
    if (!hasWildcard(parts)) return cased ? sql`(${v} = ${param(plainText(parts))})` : sql`(${this.lower(v)} = lower(${param(plainText(parts))}))`
    if (cased) return sql`(${v} LIKE ${param(toLikePattern(parts))} ESCAPE '\\')`
    // ILIKE is LIKE over both sides lower-cased (so a column lower-cased once serves every rule).
    const l = this.lowered(v)
    return l ? sql`(${l} LIKE lower(${param(toLikePattern(parts))}) ESCAPE '\\')` : sql`(${v} ILIKE ${param(toLikePattern(parts))} ESCAPE '\\')`
  }

  private regexTest(v: Fragment, pattern: string, modifiers: string[], key: string, pos: SourcePosition | undefined): Fragment {
    const unsupported = /\(\?<?[=!]/.test(pattern) ? 'lookaround' : /\\[1-9]/.test(pattern) ? 'backreference' : /\(\?</.test(pattern) && !/\(\?P?</.test(pattern) ? 'named group' : undefined
    if (unsupported !== undefined) {
      throw new SigmaCompileError('unsupported-regex', `regular expression ${unsupported}`, `'${key}' uses a ${unsupported}, which DuckDB's RE2 engine does not support`, pos)
    }
    const flags = ['i', 'm', 's'].filter((f) => modifiers.includes(f)).join('')
    return sql`regexp_matches(${v}, ${param(flags === '' ? pattern : `(?${flags})${pattern}`)})`
  }

  private lambdaVar(prefix: string): string {
    this.lambdaCount++
    return `${prefix}${this.lambdaCount}`
  }
}

function isPlainEquality(values: unknown[], modifiers: string[]): boolean {
  return modifiers.every((m) => m === 'cased') && values.every((v) => (typeof v === 'string' && !hasWildcard(parseSigmaString(v))) || typeof v === 'number')
}

function lowerParams(values: string[]): Fragment {
  return {sql: values.map(() => 'lower(?)').join(', '), params: values}
}

function joinParams(values: SqlParam[]): Fragment {
  return {sql: values.map(() => '?').join(', '), params: values}
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

function fieldSegments(field: string, pos: SourcePosition | undefined): string[] {
  const segments = field.split('.')
  if (segments.some((s) => s === '' || /["\\\u0000-\u001f]/.test(s))) {
    throw new SigmaCompileError('unsupported-field', `field '${field}'`, `field name '${field}' cannot be mapped to a JSON path (empty step, quote, backslash or control character)`, pos)
  }
  return segments
}

/**
 * The JSONPath of a dotted Sigma field name: `userIdentity.type` → `$.userIdentity.type`; steps
 * that are not plain identifiers are quoted (`$."a-b"`). With `arrayAt`, that step is read as an
 * array and the path continues into each element (`$.resources[*].ARN`).
 */
export function jsonPath(segments: readonly string[], arrayAt?: number): string {
  return `$${segments.map((s, i) => `${IDENTIFIER.test(s) ? `.${s}` : `."${s}"`}${i === arrayAt ? '[*]' : ''}`).join('')}`
}
