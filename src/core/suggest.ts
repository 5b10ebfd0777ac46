/**
 * "Did you mean …?" for every name a user types among known ones: a command, a topic, a query
 * name, a playbook id, a step id, a flag or a flag value. One distance, one threshold, one phrasing,
 * so the same typo gets the same answer wherever it is made.
 */

/** Levenshtein distance (insertions, deletions and substitutions each cost 1), in O(|b|) memory. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)))
    prev = row
  }
  return prev[b.length]!
}

/** Case, and the separators people swap (`-`, `_`, `:`, space), do not count as typos. */
const normalise = (s: string): string => s.toLowerCase().replace(/[-_:\s]/g, '')

/**
 * The known word closest to `word`, if it is close enough to be a typo of it: at most a quarter of
 * its length in edits (at least one, at most three), or `word` is a prefix of it that leaves little out.
 */
export function closest(word: string, known: readonly string[]): string | undefined {
  const w = normalise(word)
  if (w === '') return undefined
  let best: {word: string; d: number} | undefined
  for (const k of known) {
    const n = normalise(k)
    const allowed = Math.min(3, Math.max(1, Math.floor(n.length / 4)))
    const prefix = n.startsWith(w) && w.length >= 3 && n.length - w.length <= allowed
    // The lengths alone bound the distance: a long word (an attacker's, say) costs nothing to rule out.
    if (!prefix && Math.abs(n.length - w.length) > allowed) continue
    const d = n === w ? 0 : editDistance(w, n)
    if ((d <= allowed || prefix) && (best === undefined || d < best.d)) best = {word: k, d}
  }
  return best?.word
}

/** `; did you mean "X"?` for the closest known word, or '' when none is close: appended to a message. */
export function didYouMean(word: string, known: readonly string[], quote: (s: string) => string = (s) => JSON.stringify(s)): string {
  const best = closest(word, known)
  return best === undefined ? '' : `; did you mean ${quote(best)}?`
}
