import {LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node} from 'yaml'
import type {IssueCode, PlaybookIssue, Severity} from './issues.js'

export type PathPart = string | number

/** Aliases expanding past this many nodes are refused (a YAML "billion laughs" would stall the tool). */
const MAX_ALIAS_COUNT = 100

/**
 * A playbook's YAML text with node positions kept, so every issue can name its line and column:
 * the value at a path, the key of a map entry, or a character inside a scalar.
 */
export class PlaybookSource {
  readonly issues: PlaybookIssue[] = []

  private constructor(
    readonly file: string,
    readonly text: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Parses YAML text; syntax errors and duplicate keys are recorded as issues, `value` is what could be read. */
  static parse(file: string, text: string): {source: PlaybookSource; value: unknown; readable: boolean} {
    const lines = new LineCounter()
    const doc = parseDocument(text, {lineCounter: lines, prettyErrors: false, uniqueKeys: true})
    const source = new PlaybookSource(file, text, doc, lines)
    let readable = true
    for (const e of doc.errors) {
      const duplicate = e.code === 'DUPLICATE_KEY'
      if (!duplicate) readable = false
      const message = duplicate ? `duplicate key: ${JSON.stringify(keyText(text, e.pos[0]))} is given twice in the same map; only the last would count` : `YAML: ${e.message.split('\n')[0]}`
      source.issueAt(e.pos[0], 'error', duplicate ? 'duplicate-key' : 'yaml-syntax', message)
    }
    if (!readable) return {source, value: undefined, readable}
    try {
      return {source, value: doc.toJS({maxAliasCount: MAX_ALIAS_COUNT}), readable}
    } catch (error) {
      source.issueAt(0, 'error', 'yaml-syntax', `YAML: ${(error as Error).message}`)
      return {source, value: undefined, readable: false}
    }
  }

  /** Records an issue at the node a path leads to (its key with `key`), or the nearest node above it. */
  issue(path: readonly PathPart[], severity: Severity, code: IssueCode, message: string, options: {key?: boolean; offset?: number} = {}): void {
    this.issueAt(this.offsetOf(path, options), severity, code, message)
  }

  issueAt(offset: number, severity: Severity, code: IssueCode, message: string): void {
    const {line, col} = this.lines.linePos(offset)
    this.issues.push({file: this.file, line, col, severity, code, message})
  }

  /**
   * The offset of a path's value (or key). `offset` counts characters into a scalar's value: for a
   * plain or single-line quoted scalar this lands on the character; otherwise on the scalar itself.
   */
  offsetOf(path: readonly PathPart[], options: {key?: boolean; offset?: number} = {}): number {
    let node: Node | null = (this.doc.contents as Node | null) ?? null
    let keyNode: Node | null = null
    for (const part of path) {
      const found = child(node, part)
      if (!found) break
      node = found.value
      keyNode = found.key
    }
    const target = options.key && keyNode ? keyNode : (node ?? keyNode)
    const start = target?.range?.[0] ?? 0
    if (options.offset === undefined || !isScalar(target)) return start
    const raw = this.text.slice(start, target.range![1])
    if (raw.includes('\n')) return start
    if (target.type === 'PLAIN') return start + options.offset
    if ((target.type === 'QUOTE_SINGLE' || target.type === 'QUOTE_DOUBLE') && !/\\|''/.test(raw)) return start + 1 + options.offset
    return start
  }
}

function child(node: Node | null, part: PathPart): {key: Node | null; value: Node | null} | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue
      const k = isScalar(pair.key) ? pair.key.value : pair.key
      if (k === part || String(k) === String(part)) return {key: pair.key as Node, value: (pair.value as Node | null) ?? (pair.key as Node)}
    }
    return undefined
  }
  if (isSeq(node) && typeof part === 'number') {
    const item = node.items[part] as Node | undefined
    return item ? {key: null, value: item} : undefined
  }
  return undefined
}

/** The key text starting at `offset`, for the duplicate-key message. */
function keyText(text: string, offset: number): string {
  const m = /^[^:\n,{}]+/.exec(text.slice(offset, offset + 200))
  return (m?.[0] ?? '').trim().replace(/^["']|["']$/g, '')
}
