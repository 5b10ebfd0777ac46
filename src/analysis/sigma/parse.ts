import {LineCounter, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Node} from 'yaml'
import {SIGMA_LEVELS, type RuleIssue, type SigmaLevel, type SigmaRule, type SourcePosition} from './rule.js'

export interface ParsedRuleFile {
  rule: SigmaRule | undefined
  issues: RuleIssue[]
}

/**
 * Parses the text of one Sigma rule file. YAML errors and missing required fields become error
 * issues with their line and column; the rule is returned when its title and detection are usable.
 */
export function parseSigmaRule(text: string, file: string): ParsedRuleFile {
  const lineCounter = new LineCounter()
  const docs = parseAllDocuments(text, {lineCounter, uniqueKeys: true, prettyErrors: false})
  const issues: RuleIssue[] = []
  const at = (offset: number | undefined): SourcePosition => {
    const p = lineCounter.linePos(offset ?? 0)
    return {line: p.line, col: p.col}
  }
  const issue = (severity: RuleIssue['severity'], code: string, message: string, pos: SourcePosition = {line: 1, col: 1}): void => {
    issues.push({file, line: pos.line, col: pos.col, severity, code, message})
  }
  const list = Array.isArray(docs) ? docs : [docs]
  const doc = list[0]
  if (doc === undefined || doc.contents === null) {
    issue('error', 'empty-file', 'the file holds no YAML document; expected a Sigma rule')
    return {rule: undefined, issues}
  }
  for (const d of list) {
    for (const e of d.errors) issue('error', 'yaml-syntax', firstLine(e.message), at(e.pos[0]))
  }
  if (issues.length > 0) return {rule: undefined, issues}
  if (list.length > 1) {
    issue('error', 'unsupported-collection', 'rule collections (several YAML documents in one file) are not supported; put one rule per file', at(list[1]?.range[0]))
    return {rule: undefined, issues}
  }
  const root = doc.contents
  if (!isMap(root)) {
    issue('error', 'not-a-rule', 'expected a mapping with title, logsource and detection at the top level', at(root.range?.[0]))
    return {rule: undefined, issues}
  }
  let data: Record<string, unknown>
  try {
    data = doc.toJS({maxAliasCount: 100}) as Record<string, unknown>
  } catch (error) {
    // The yaml package refuses alias expansions that would blow up (a "billion laughs" file).
    issue('error', 'yaml-syntax', `the YAML cannot be read as data: ${firstLine((error as Error).message)}`, at(root.range?.[0]))
    return {rule: undefined, issues}
  }
  const keyPos = (name: string): SourcePosition => {
    const pair = root.items.find((p) => isScalar(p.key) && p.key.value === name)
    return at((pair?.key as Node | undefined)?.range?.[0])
  }

  const title = data.title
  if (typeof title !== 'string' || title.trim() === '') issue('error', 'missing-title', 'the rule has no title (a non-empty string is required)')
  const detection = data.detection
  if (detection === undefined || detection === null || typeof detection !== 'object' || Array.isArray(detection)) {
    issue('error', 'missing-detection', 'the rule has no detection mapping (selections and a condition)', keyPos('detection'))
  } else if (!('condition' in detection)) {
    issue('error', 'missing-condition', 'the detection has no condition', keyPos('detection'))
  }
  const logsource = data.logsource
  if (logsource === undefined || logsource === null || typeof logsource !== 'object' || Array.isArray(logsource)) {
    issue('error', 'missing-logsource', 'the rule has no logsource mapping (product and service)', keyPos('logsource'))
  }
  const level = data.level
  if (level !== undefined && !SIGMA_LEVELS.includes(level as SigmaLevel)) {
    issue('error', 'invalid-level', `level '${String(level)}' is not one of ${SIGMA_LEVELS.join(', ')}`, keyPos('level'))
  }
  const id = data.id
  if (id !== undefined && typeof id !== 'string') issue('error', 'invalid-id', 'id must be a string (a UUID)', keyPos('id'))
  if (issues.some((i) => i.severity === 'error')) return {rule: undefined, issues}

  const positions = new Map<string, SourcePosition>()
  const detNode = root.items.find((p) => isScalar(p.key) && p.key.value === 'detection')?.value
  if (isMap(detNode)) {
    for (const item of detNode.items) {
      if (!isPair(item) || !isScalar(item.key)) continue
      const name = String(item.key.value)
      positions.set(name, at(item.key.range?.[0]))
      const value: unknown = item.value
      const maps = isMap(value) ? [value] : isSeq(value) ? value.items.filter((x) => isMap(x)) : []
      for (const m of maps) {
        for (const field of m.items) {
          if (isPair(field) && isScalar(field.key) && !positions.has(`${name}.${String(field.key.value)}`)) positions.set(`${name}.${String(field.key.value)}`, at(field.key.range?.[0]))
        }
      }
    }
  }
  const ls = logsource as Record<string, unknown>
  const rule: SigmaRule = {
    path: file,
    title: (title as string).trim(),
    id: id as string | undefined,
    status: optionalString(data.status),
    description: optionalString(data.description),
    author: optionalString(data.author),
    references: stringList(data.references),
    date: data.date instanceof Date ? data.date.toISOString().slice(0, 10) : optionalString(data.date),
    level: level as SigmaLevel | undefined,
    tags: stringList(data.tags),
    logsource: {
      ...(typeof ls.product === 'string' ? {product: ls.product} : {}),
      ...(typeof ls.service === 'string' ? {service: ls.service} : {}),
      ...(typeof ls.category === 'string' ? {category: ls.category} : {}),
    },
    detection: detection as Record<string, unknown>,
    falsepositives: stringList(data.falsepositives),
    positions,
  }
  return {rule, issues}
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
