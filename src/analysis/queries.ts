import {formatIssue} from './issue.js'
import {readFileSync, readdirSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {CoronerError, usageError} from '../core/errors.js'
import {didYouMean} from '../core/suggest.js'
import {invalidTimeMessage, readTimeSpec} from '../core/time.js'

export type ParameterType = 'string' | 'integer' | 'number' | 'boolean' | 'timestamp'
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical'

export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical']
export const PARAMETER_TYPES: readonly ParameterType[] = ['string', 'integer', 'number', 'boolean', 'timestamp']
export const EVIDENCE_SOURCES = ['cloudtrail', 'logs', 'lambda', 'iam', 'custody', 'guardduty'] as const

export interface QueryParameter {
  name: string
  type: ParameterType
  /** The default as written; undefined when the parameter is required, null for `name:type=` (NULL). */
  default: string | null | undefined
}

/** One named query: a `.sql` file whose comment header describes it. */
export interface NamedQuery {
  id: string
  title: string
  description: string
  severity: Severity
  parameters: QueryParameter[]
  attack: string[]
  evidence: string[]
  /** Who wrote the query (`-- author:`); the shipped queries are coroner's own. */
  author: string
  sql: string
  file: string
}

/** A problem in a query file, located for the editor: `file:line:col severity code message`. */
export interface QueryIssue {
  file: string
  line: number
  column: number
  severity: 'error'
  code: string
  message: string
}


/** The queries shipped with coroner (`queries/` at the package root). */
export function builtinQueryDir(): string {
  return path.resolve(fileURLToPath(import.meta.url), '../../../queries')
}

const HEADER_KEYS = new Set(['id', 'title', 'description', 'severity', 'parameters', 'attack', 'evidence', 'author'])
const REQUIRED_KEYS = ['id', 'title', 'description', 'severity', 'evidence'] as const
const PARAM = /^([A-Za-z_][A-Za-z0-9_]*):([a-z]+)(?:=(.*))?$/
const ATTACK = /^T\d{4}(\.\d{3})?$/

/**
 * Parses one query file. The header is the run of `--` comment lines at the top: `-- key: value`
 * lines, a description may continue on following `--` lines. Returns the query, or every issue.
 */
type Header = Map<string, {value: string; line: number; column: number}>
type Issue = (line: number, column: number, code: string, message: string) => void

export function parseQuery(text: string, file: string): {query?: NamedQuery; issues: QueryIssue[]} {
  const issues: QueryIssue[] = []
  const issue: Issue = (line, column, code, message) => void issues.push({file, line, column, severity: 'error', code, message})
  const lines = text.split(/\r?\n/)
  const {header, bodyStart} = readHeader(lines, issue)
  checkHeader(header, file, issue)
  const parameters = readParameters(header, lines, issue)
  const attack = listed(header, 'attack')
  for (const t of attack) {
    if (!ATTACK.test(t)) issue(header.get('attack')!.line, header.get('attack')!.column, 'invalid-attack', `"${t}" is not a MITRE ATT&CK technique id (T1234 or T1234.001)`)
  }
  const evidence = listed(header, 'evidence')
  for (const e of evidence) {
    if (!(EVIDENCE_SOURCES as readonly string[]).includes(e)) {
      issue(header.get('evidence')!.line, header.get('evidence')!.column, 'invalid-evidence', `evidence "${e}" is not one of ${EVIDENCE_SOURCES.join(', ')}`)
    }
  }
  const sql = lines.slice(bodyStart).join('\n').trim()
  checkBody(sql, bodyStart, parameters, header, issue)
  if (issues.length > 0) return {issues}
  return {
    query: {
      id: header.get('id')!.value,
      title: header.get('title')!.value,
      description: header.get('description')!.value,
      severity: header.get('severity')!.value as Severity,
      parameters,
      attack,
      evidence,
      author: header.get('author')?.value || 'coroner',
      sql: sql.replace(/;\s*$/, ''),
      file,
    },
    issues,
  }
}

/** The `-- key: value` header up to the first line of SQL (a description may go on over several lines). */
function readHeader(lines: readonly string[], issue: Issue): {header: Header; bodyStart: number} {
  const header: Header = new Map()
  let last: string | undefined
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line.trim() === '') {
      last = undefined
      continue
    }
    if (!line.trimStart().startsWith('--')) return {header, bodyStart: i}
    const content = line.trimStart().slice(2)
    const m = /^\s*([a-z][a-z-]*):(?:\s|$)(.*)$/.exec(content)
    if (m && HEADER_KEYS.has(m[1]!)) {
      const key = m[1]!
      if (header.has(key)) issue(i + 1, line.indexOf(key) + 1, 'duplicate-key', `header key "${key}" appears twice`)
      header.set(key, {value: m[2]!.trim(), line: i + 1, column: line.indexOf(key) + 1})
      last = key
    } else if (last === 'description') {
      const d = header.get('description')!
      d.value = `${d.value} ${content.trim()}`.trim()
    } else if (m) {
      issue(i + 1, line.indexOf(m[1]!) + 1, 'unknown-key', `unknown header key "${m[1]}" (expected one of ${[...HEADER_KEYS].join(', ')})`)
    }
  }
  return {header, bodyStart: lines.length}
}

/** Required keys present, the id matching the file name, a known severity. */
function checkHeader(header: Header, file: string, issue: Issue): void {
  for (const key of REQUIRED_KEYS) {
    if (!header.get(key)?.value) issue(header.get(key)?.line ?? 1, 1, `missing-${key}`, `the header has no "-- ${key}:" line`)
  }
  const id = header.get('id')
  const expectedId = path.basename(file, '.sql')
  if (id?.value && id.value !== expectedId) issue(id.line, id.column, 'id-mismatch', `id "${id.value}" differs from the file name "${expectedId}.sql"`)
  if (id?.value && !/^[a-z0-9][a-z0-9-]*$/.test(id.value)) issue(id.line, id.column, 'invalid-id', `id "${id.value}" must be lower-case letters, digits and dashes`)
  const severity = header.get('severity')
  if (severity?.value && !SEVERITIES.includes(severity.value as Severity)) {
    issue(severity.line, severity.column, 'invalid-severity', `severity "${severity.value}" is not one of ${SEVERITIES.join(', ')}`)
  }
}

/** `-- parameters: name:type=default …`, each of a known type with a default of that type. */
function readParameters(header: Header, lines: readonly string[], issue: Issue): QueryParameter[] {
  const parameters: QueryParameter[] = []
  const paramLine = header.get('parameters')
  if (!paramLine?.value) return parameters
  for (const token of paramLine.value.split(/\s+/)) {
    const m = PARAM.exec(token)
    const column = paramLine.column + lines[paramLine.line - 1]!.slice(paramLine.column - 1).indexOf(token)
    if (!m) {
      issue(paramLine.line, column, 'invalid-parameter', `parameter "${token}" is not written name:type=default`)
      continue
    }
    const [, name, type, def] = m
    if (!PARAMETER_TYPES.includes(type as ParameterType)) {
      issue(paramLine.line, column, 'invalid-parameter-type', `parameter "${name}" has type "${type}", expected one of ${PARAMETER_TYPES.join(', ')}`)
      continue
    }
    if (parameters.some((p) => p.name === name)) issue(paramLine.line, column, 'duplicate-parameter', `parameter "${name}" is declared twice`)
    const parameter: QueryParameter = {name: name!, type: type as ParameterType, default: def === undefined ? undefined : def === '' ? null : def}
    if (typeof parameter.default === 'string') {
      try {
        convertParameter(parameter, parameter.default)
      } catch (error) {
        issue(paramLine.line, column, 'invalid-default', (error as Error).message)
      }
    }
    parameters.push(parameter)
  }
  return parameters
}

const listed = (header: Header, key: string): string[] => (header.get(key)?.value ?? '').split(/[\s,]+/).filter((t) => t !== '')

/** One statement, every parameter it uses declared and every declared one used. */
function checkBody(sql: string, bodyStart: number, parameters: readonly QueryParameter[], header: Header, issue: Issue): void {
  if (sql === '') issue(bodyStart + 1, 1, 'empty-query', 'the file has a header but no SQL')
  const used = usedParameters(sql)
  for (const u of used) {
    if (!parameters.some((p) => p.name === u.name)) {
      issue(bodyStart + u.line, u.column, 'undeclared-parameter', `$${u.name} is used but not declared in "-- parameters:"`)
    }
  }
  const paramLine = header.get('parameters')
  for (const p of parameters) {
    if (!used.some((u) => u.name === p.name)) issue(paramLine!.line, paramLine!.column, 'unused-parameter', `parameter "${p.name}" is declared but the SQL never uses $${p.name}`)
  }
  if (/;\s*\S/.test(stripLiterals(sql))) issue(bodyStart + 1, 1, 'multiple-statements', 'a query file holds one SQL statement')
}

/** Blanks out string literals, quoted identifiers and comments, keeping offsets. */
function stripLiterals(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*/g, (m) => m.replace(/[^\n]/g, ' '))
}

/** The `$name` parameters a statement uses, with where they appear. */
export function usedParameters(sql: string): Array<{name: string; line: number; column: number}> {
  const out: Array<{name: string; line: number; column: number}> = []
  const lines = stripLiterals(sql).split('\n')
  lines.forEach((line, i) => {
    for (const m of line.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)) out.push({name: m[1]!, line: i + 1, column: m.index + 1})
  })
  return out
}

/**
 * Checks a parameter value given as text against its declared type; returns it as the type's JS
 * value. A timestamp takes what every time value takes (core/time.ts): ISO 8601, a duration before
 * `now`, or `now`.
 */
export function convertParameter(parameter: Pick<QueryParameter, 'name' | 'type'>, text: string, now: Date = new Date()): string | number | boolean | Date {
  const fail = (expected: string): never => {
    throw usageError('invalid-param', `parameter "${parameter.name}" is a ${parameter.type}: ${JSON.stringify(text)} is not ${expected}`)
  }
  switch (parameter.type) {
    case 'string':
      return text
    case 'integer':
      if (!/^-?\d{1,15}$/.test(text)) fail('an integer')
      return Number(text)
    case 'number': {
      const n = Number(text)
      if (text.trim() === '' || !Number.isFinite(n)) fail('a number')
      return n
    }
    case 'boolean':
      if (!/^(true|false)$/i.test(text)) fail('true or false')
      return text.toLowerCase() === 'true'
    case 'timestamp': {
      const d = readTimeSpec(text, now)
      if (d === undefined) throw usageError('invalid-param', invalidTimeMessage(`parameter "${parameter.name}"`, text))
      return d
    }
  }
}

/**
 * Loads every `.sql` file of a directory (the shipped queries by default), sorted by id. Any issue
 * in any file fails the whole registry with `invalid-query` (exit 4), listing every issue.
 */
export function loadQueries(dir: string = builtinQueryDir()): NamedQuery[] {
  let names: string[]
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.sql')).sort()
  } catch (error) {
    throw new CoronerError('invalid-query', `Cannot read the query directory ${dir}: ${(error as Error).message}`, {cause: error})
  }
  const queries: NamedQuery[] = []
  const issues: QueryIssue[] = []
  for (const name of names) {
    const file = path.join(dir, name)
    const parsed = parseQuery(readFileSync(file, 'utf8'), file)
    issues.push(...parsed.issues)
    if (parsed.query) queries.push(parsed.query)
  }
  if (issues.length > 0) {
    throw new CoronerError('invalid-query', `Invalid query file(s):\n${issues.map(formatIssue).join('\n')}`, {
      hint: 'Fix the header or SQL at the places listed (see docs/analysis.md for the header format).',
    })
  }
  return queries
}

/** One query of the registry by id, or a usage error listing the ids there are. */
export function findQuery(queries: NamedQuery[], id: string): NamedQuery {
  const q = queries.find((x) => x.id === id)
  if (!q) {
    throw new CoronerError('unknown-query', `There is no query named ${JSON.stringify(id)}${didYouMean(id, queries.map((x) => x.id))}.`, {
      hint: 'Run `coroner query list` for the names of the queries.',
    })
  }
  return q
}
