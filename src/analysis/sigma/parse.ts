import {LineCounter, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Node, type YAMLMap} from 'yaml'
import {SIGMA_LEVELS, type RuleIssue, type SigmaLevel, type SigmaRule, type SourcePosition} from './rule.js'

export interface ParsedRuleFile {
  rule: SigmaRule | undefined
  issues: RuleIssue[]
}

/** What the phases of parsing one rule file share: where each offset is, and the issues found. */
interface Reading {
  file: string
  issues: RuleIssue[]
  at(offset: number | undefined): SourcePosition
  issue(severity: RuleIssue['severity'], code: string, message: string, pos?: SourcePosition): void
}

/**
 * Parses the text of one Sigma rule file. YAML errors and missing required fields become error
 * issues with their line and column; the rule is returned when its title and detection are usable.
 */
export function parseSigmaRule(text: string, file: string): ParsedRuleFile {
  const lineCounter = new LineCounter()
  const r: Reading = {
    file,
    issues: [],
    at(offset) {
      const p = lineCounter.linePos(offset ?? 0)
      return {line: p.line, col: p.col}
    },
    issue(severity, code, message, pos = {line: 1, col: 1}) {
      this.issues.push({file, line: pos.line, col: pos.col, severity, code, message})
    },
  }
  const read = readDocument(parseAllDocuments(text, {lineCounter, uniqueKeys: true, prettyErrors: false}), r)
  if (!read) return {rule: undefined, issues: r.issues}
  const {root, data} = read
  const keyPos = (name: string): SourcePosition => {
    const pair = root.items.find((p) => isScalar(p.key) && p.key.value === name)
    return r.at((pair?.key as Node | undefined)?.range?.[0])
  }
  checkFields(data, keyPos, r)
  if (r.issues.some((i) => i.severity === 'error')) return {rule: undefined, issues: r.issues}
  return {rule: toRule(data, file, detectionPositions(root, r)), issues: r.issues}
}

type Documents = ReturnType<typeof parseAllDocuments>
type Root = YAMLMap<unknown, unknown>

/** The one YAML document of the file as a mapping and as data, or undefined with the reason as an issue. */
function readDocument(docs: Documents, r: Reading): {root: Root; data: Record<string, unknown>} | undefined {
  const list = Array.isArray(docs) ? docs : [docs]
  const doc = list[0]
  if (doc === undefined || doc.contents === null) {
    r.issue('error', 'empty-file', 'the file holds no YAML document; expected a Sigma rule')
    return undefined
  }
  for (const d of list) for (const e of d.errors) r.issue('error', 'yaml-syntax', firstLine(e.message), r.at(e.pos[0]))
  if (r.issues.length > 0) return undefined
  if (list.length > 1) {
    r.issue('error', 'unsupported-collection', 'rule collections (several YAML documents in one file) are not supported; put one rule per file', r.at(list[1]?.range?.[0]))
    return undefined
  }
  const root = doc.contents
  if (!isMap(root)) {
    r.issue('error', 'not-a-rule', 'expected a mapping with title, logsource and detection at the top level', r.at(root.range?.[0]))
    return undefined
  }
  try {
    return {root, data: doc.toJS({maxAliasCount: 100}) as Record<string, unknown>}
  } catch (error) {
    // The yaml package refuses alias expansions that would blow up (a "billion laughs" file).
    r.issue('error', 'yaml-syntax', `the YAML cannot be read as data: ${firstLine((error as Error).message)}`, r.at(root.range?.[0]))
    return undefined
  }
}

/** A title, a detection with a condition, a logsource; a known level and a string id when given. */
function checkFields(data: Record<string, unknown>, keyPos: (name: string) => SourcePosition, r: Reading): void {
  if (typeof data.title !== 'string' || data.title.trim() === '') r.issue('error', 'missing-title', 'the rule has no title (a non-empty string is required)')
  const detection = data.detection
  if (detection === undefined || detection === null || typeof detection !== 'object' || Array.isArray(detection)) {
    r.issue('error', 'missing-detection', 'the rule has no detection mapping (selections and a condition)', keyPos('detection'))
  } else if (!('condition' in detection)) {
    r.issue('error', 'missing-condition', 'the detection has no condition', keyPos('detection'))
  }
  const logsource = data.logsource
  if (logsource === undefined || logsource === null || typeof logsource !== 'object' || Array.isArray(logsource)) {
    r.issue('error', 'missing-logsource', 'the rule has no logsource mapping (product and service)', keyPos('logsource'))
  }
  if (data.level !== undefined && !SIGMA_LEVELS.includes(data.level as SigmaLevel)) {
    r.issue('error', 'invalid-level', `level '${String(data.level)}' is not one of ${SIGMA_LEVELS.join(', ')}`, keyPos('level'))
  }
  if (data.id !== undefined && typeof data.id !== 'string') r.issue('error', 'invalid-id', 'id must be a string (a UUID)', keyPos('id'))
}

/** Where each selection of the detection, and each field in it, is written: for issues that point at them. */
function detectionPositions(root: Root, r: Reading): Map<string, SourcePosition> {
  const positions = new Map<string, SourcePosition>()
  const detNode = root.items.find((p) => isScalar(p.key) && p.key.value === 'detection')?.value
  if (!isMap(detNode)) return positions
  for (const item of detNode.items) {
    if (!isPair(item) || !isScalar(item.key)) continue
    const name = String(item.key.value)
    positions.set(name, r.at(item.key.range?.[0]))
    const value: unknown = item.value
    const maps = isMap(value) ? [value] : isSeq(value) ? value.items.filter((x) => isMap(x)) : []
    for (const m of maps) {
      for (const field of m.items) {
        if (isPair(field) && isScalar(field.key) && !positions.has(`${name}.${String(field.key.value)}`)) positions.set(`${name}.${String(field.key.value)}`, r.at(field.key.range?.[0]))
      }
    }
  }
  return positions
}

function toRule(data: Record<string, unknown>, file: string, positions: Map<string, SourcePosition>): SigmaRule {
  const ls = data.logsource as Record<string, unknown>
  return {
    path: file,
    title: (data.title as string).trim(),
    id: data.id as string | undefined,
    status: optionalString(data.status),
    description: optionalString(data.description),
    author: optionalString(data.author),
    references: stringList(data.references),
    date: data.date instanceof Date ? data.date.toISOString().slice(0, 10) : optionalString(data.date),
    level: data.level as SigmaLevel | undefined,
    tags: stringList(data.tags),
    logsource: {
      ...(typeof ls.product === 'string' ? {product: ls.product} : {}),
      ...(typeof ls.service === 'string' ? {service: ls.service} : {}),
      ...(typeof ls.category === 'string' ? {category: ls.category} : {}),
    },
    detection: data.detection as Record<string, unknown>,
    falsepositives: stringList(data.falsepositives),
    positions,
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')
}

function optionalString(v: unknown): string | undefined {
  if (typeof v === 'string') return v
  if (typeof v === 'number') return String(v)
  return undefined
}

function stringList(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x) => x !== null && x !== undefined).map(String)
  if (typeof v === 'string') return [v]
  return []
}
