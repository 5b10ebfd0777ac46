import type {Gap} from '../evidence/gap.js'
import {terminalSafe} from './table.js'

/** Gaps for people: one line each, in full (a reason often says what to do), terminal-safe. */
export function renderGaps(gaps: ReadonlyArray<Pick<Gap, 'code' | 'resource' | 'reason'>>): string[] {
  if (gaps.length === 0) return []
  return ['', `Gaps (${gaps.length}):`, ...gaps.map((g) => `  [${g.code}] ${terminalSafe(g.resource)}: ${terminalSafe(g.reason)}`)]
}
