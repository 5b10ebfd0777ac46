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

/** One line of a journal, read in order: the entry (unless the line is not JSON) and whether it keeps the chain. */
export interface JournalLine {
  seq: number
  line: string
  entry?: JournalEntry
  /** Why this line breaks the hash chain (`entry 7 is not valid JSON`), when it does. */
  problem?: string
}

/**
 * The lines of a run's custody journal in order, each checked against the hash chain: its
 * sequence number and the SHA-256 of the line before it. The one journal reader.
 */
export async function* journalLines(store: EvidenceStore, key: string): AsyncIterable<JournalLine> {
  let lastHash = ''
  let seq = 1
  for await (const line of store.readJournal(key)) {
    let entry: JournalEntry | undefined
    try {
      entry = JSON.parse(line) as JournalEntry
    } catch {
      entry = undefined
    }
    const problem = entry === undefined ? `entry ${seq} is not valid JSON` : entry.seq !== seq || entry.prevHash !== lastHash ? `entry ${seq} breaks the hash chain` : undefined
    yield {seq, line, ...(entry === undefined ? {} : {entry}), ...(problem === undefined ? {} : {problem})}
    lastHash = sha256Hex(line)
    seq++
  }
}

/** What a journal says, read whole: its last hash, entry count, the artifacts it recorded and every break in its chain. */
export interface JournalChain {
  lastHash: string
  entries: number
  artifacts: ArtifactRecord[]
  problems: string[]
}

/**
 * Reads a journal through, checking its hash chain. With `trustUntilBreak`, artifacts after the
 * first broken line are not taken (what the analysis loads from a run that never sealed); without
 * it every break is named and reading goes on (what verify reports).
 */
export async function readJournalChain(store: EvidenceStore, key: string, options: {trustUntilBreak?: boolean} = {}): Promise<JournalChain> {
  const chain: JournalChain = {lastHash: '', entries: 0, artifacts: [], problems: []}
  for await (const l of journalLines(store, key)) {
    if (l.problem !== undefined) {
      chain.problems.push(`journal ${key}: ${l.problem}${options.trustUntilBreak ? '; later entries are not trusted' : ''}`)
      if (options.trustUntilBreak) break
    }
    if (l.entry?.type === 'artifact' && l.entry.artifact) chain.artifacts.push(l.entry.artifact)
    chain.lastHash = sha256Hex(l.line)
    chain.entries = l.seq
  }
  return chain
}
