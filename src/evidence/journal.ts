import {sha256Hex} from './hashing.js'
import type {ArtifactRecord} from './manifest.js'
import type {EvidenceStore} from './store.js'

/** One custody journal entry as written by EvidenceRun: a sequence number, the previous line's hash, a type. */
export interface JournalEntry {
  seq?: number
  prevHash?: string
  type?: string
  artifact?: ArtifactRecord
  [field: string]: unknown
}

/** What keeps a journal line from being exactly what coroner wrote. */
export type JournalProblemCode = 'journal-crlf' | 'journal-blank-line' | 'journal-unterminated' | 'journal-not-json' | 'journal-chain'

/** One line of a journal, read in order, with what (if anything) is wrong with it. */
export interface JournalLine {
  /** The entry's number, from 1; a blank line carries the number of the entry before it. */
  seq: number
  /** The line's text without its newline (a `\r` kept). */
  line: string
  /** Whether the line is empty: coroner never writes one, and it is not an entry. */
  blank: boolean
  entry?: JournalEntry
  /** Every way the line departs from the journal coroner wrote; empty when it keeps the chain byte for byte. */
  problems: JournalProblemCode[]
}

/**
 * The lines of a run's custody journal in order, each checked byte for byte and against the hash
 * chain: one `\n` after every line and nothing else (no `\r`, no blank line), its sequence number,
 * and the SHA-256 of the line before it. The one journal reader. `lines` are the store's lines of
 * the journal (each with its newline) when the caller has read them already.
 */
export async function* journalLines(store: EvidenceStore, key: string, lines: AsyncIterable<string> | Iterable<string> = store.readJournal(key)): AsyncIterable<JournalLine> {
  let lastHash = ''
  let seq = 0
  for await (const raw of lines) {
    const terminated = raw.endsWith('\n')
    const line = terminated ? raw.slice(0, -1) : raw
    const problems: JournalProblemCode[] = terminated ? [] : ['journal-unterminated']
    if (line === '') {
      yield {seq, line, blank: true, problems: [...problems, 'journal-blank-line']}
      continue
    }
    seq++
    let entry: JournalEntry | undefined
    try {
      const parsed = JSON.parse(line) as unknown
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) entry = parsed as JournalEntry
    } catch {
      entry = undefined
    }
    if (line.endsWith('\r')) problems.push('journal-crlf')
    if (entry === undefined) problems.push('journal-not-json')
    else if (entry.seq !== seq || entry.prevHash !== lastHash) problems.push('journal-chain')
    yield {seq, line, blank: false, ...(entry === undefined ? {} : {entry}), problems}
    lastHash = sha256Hex(line)
  }
}

/** One kind of problem found in a journal: how often, and the first entry it was met at. */
export interface JournalProblem {
  code: JournalProblemCode
  message: string
  count: number
  firstSeq: number
}

/** What a journal says, read whole: its last hash, entry count, its entries of note and every departure from what was written. */
export interface JournalChain {
  lastHash: string
  entries: number
  artifacts: ArtifactRecord[]
  /** The first `run-started` and the last `run-ended` entry, which the manifest must agree with. */
  started?: JournalEntry
  ended?: JournalEntry
  gaps: number
  warnings: string[]
  problems: JournalProblem[]
}

const DESCRIBE: Record<JournalProblemCode, (n: number, seq: number) => string> = {
  'journal-crlf': (n, seq) => `${n} line(s) end with a carriage return (its line endings were changed to CRLF), first entry ${seq}`,
  'journal-blank-line': (n, seq) => `${n} blank line(s), first after entry ${seq}: coroner writes none`,
  'journal-unterminated': (_n, seq) => `its last line (entry ${seq}) has no newline: it was cut short or edited`,
  'journal-not-json': (n, seq) => `entry ${seq} is not a JSON object${n > 1 ? ` (and ${n - 1} more)` : ''}`,
  'journal-chain': (n, seq) => `entry ${seq} breaks the hash chain${n > 1 ? ` (and ${n - 1} more entries)` : ''}`,
}

/** Reads a journal through, naming every kind of break in its bytes or chain once (with a count), and keeping what verify compares with the manifest. */
export async function readJournalChain(store: EvidenceStore, key: string, lines?: Iterable<string>): Promise<JournalChain> {
  const chain: JournalChain = {lastHash: '', entries: 0, artifacts: [], gaps: 0, warnings: [], problems: []}
  const seen = new Map<JournalProblemCode, {count: number; firstSeq: number}>()
  for await (const l of journalLines(store, key, lines)) {
    for (const code of l.problems) {
      const s = seen.get(code)
      if (s) s.count++
      else seen.set(code, {count: 1, firstSeq: l.seq})
    }
    if (l.blank) continue
    const e = l.entry
    if (e?.type === 'artifact' && e.artifact) chain.artifacts.push(e.artifact)
    if (e?.type === 'run-started' && chain.started === undefined) chain.started = e
    if (e?.type === 'run-ended') chain.ended = e
    if (e?.type === 'gap') chain.gaps++
    if (e?.type === 'warning' && typeof e.message === 'string') chain.warnings.push(e.message)
    chain.lastHash = sha256Hex(l.line)
    chain.entries = l.seq
  }
  for (const [code, s] of seen) chain.problems.push({code, count: s.count, firstSeq: s.firstSeq, message: `journal ${key}: ${DESCRIBE[code](s.count, s.firstSeq)}`})
  return chain
}
