/** A verification as the facts below need it: the engine's, or its --json form (absent values null). */
interface VerificationFacts {
  head: {text: string; runId: string} | null
  expected?: {head: string; found: boolean; runsAfter: number} | null | undefined
  runs: ReadonlyArray<{status: string; signature?: {publicKeySha256: string; checkedWith: 'given-key' | 'stored-key'} | null | undefined}>
  contentChecked: boolean
}

/** What a verification says beyond its problems: the case head (and the one expected), and who signed. */
export function verificationFacts(v: VerificationFacts): string[] {
  const lines: string[] = []
  if (v.head) lines.push(`Case head ${v.head.text} (run ${v.head.runId})`)
  if (v.expected) lines.push(v.expected.found ? `Expected head ${v.expected.head}: found${v.expected.runsAfter > 0 ? `, ${v.expected.runsAfter} run(s) sealed after it` : ''}` : `Expected head ${v.expected.head}: NOT FOUND`)
  const signed = v.runs.flatMap((r) => (r.signature ? [r.signature] : []))
  if (signed.length > 0) {
    const keys = [...new Set(signed.map((s) => s.publicKeySha256))].join(', ')
    const given = signed.every((s) => s.checkedWith === 'given-key')
    lines.push(`Signed: ${signed.length} of ${v.runs.filter((r) => r.status !== 'unsealed').length} sealed run(s), key ${keys} (checked with ${given ? 'the key given' : 'the key stored beside them: give --public-key'})`)
  }
  if (!v.contentChecked) lines.push('Bytes not re-read here: each was hashed as it was copied.')
  return lines
}
