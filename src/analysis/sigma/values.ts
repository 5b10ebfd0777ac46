/** A Sigma string split into literal text and wildcards (`*` any run, `?` one character). */
export type SigmaStringPart = string | {wildcard: '*' | '?'}

/**
 * Reads a Sigma string value: `*` and `?` are wildcards; `\*`, `\?` and `\\` are the literal
 * characters; a backslash before anything else is a literal backslash (Sigma's escaping rules).
 */
export function parseSigmaString(value: string): SigmaStringPart[] {
  const parts: SigmaStringPart[] = []
  let text = ''
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!
    if (ch === '\\') {
      const next = value[i + 1]
      if (next === '*' || next === '?' || next === '\\') {
        text += next
        i++
      } else {
        text += ch
      }
    } else if (ch === '*' || ch === '?') {
      if (text !== '') parts.push(text)
      text = ''
      parts.push({wildcard: ch})
    } else {
      text += ch
    }
  }
  if (text !== '') parts.push(text)
  return parts
}

export const hasWildcard = (parts: readonly SigmaStringPart[]): boolean => parts.some((p) => typeof p !== 'string')

/** The literal text of a string without wildcards. */
export const plainText = (parts: readonly SigmaStringPart[]): string => parts.map((p) => (typeof p === 'string' ? p : p.wildcard)).join('')

/** Escapes the LIKE metacharacters `%`, `_` and the escape character itself in literal text. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

/** A LIKE pattern (escape `\`) matching the Sigma string exactly. */
export function toLikePattern(parts: readonly SigmaStringPart[]): string {
  return parts.map((p) => (typeof p === 'string' ? escapeLike(p) : p.wildcard === '*' ? '%' : '_')).join('')
}

/** The `|windash` variants: every dash-led option also written with `/`, en dash, em dash and horizontal bar. */
export function windashVariants(value: string): string[] {
  const dashes = ['-', '/', '\u2013', '\u2014', '\u2015']
  const variants = new Set<string>()
  for (const d of dashes) variants.add(value.replace(/(^|\s)-/g, `$1${d}`))
  return [...variants]
}

/** `|base64`: the value as base64 of its UTF-8 bytes. */
export function base64Of(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64')
}

/**
 * `|base64offset`: the three encodings of the value as it appears at each byte offset inside a
 * longer base64 text, with the characters that depend on its neighbours cut off.
 */
export function base64OffsetVariants(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8')
  const starts = [0, 2, 3]
  const out: string[] = []
  for (let i = 0; i < 3; i++) {
    const encoded = Buffer.concat([Buffer.alloc(i, 0x20), bytes]).toString('base64')
    const rest = (bytes.length + i) % 3
    const end = rest === 0 ? encoded.length : rest === 1 ? encoded.length - 3 : encoded.length - 2
    out.push(encoded.slice(starts[i], end))
  }
  return out
}
