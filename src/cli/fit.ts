/**
 * How a table cell of each kind is shown and cut to a width:
 * - `text` loses its end (`…`);
 * - `key` (paths, ARNs) keeps both ends;
 * - `evidence` (an evidence key) keeps both ends and always its run id
 *   (`cases/INC-1/runs/<run>/…/records/x.ndjson.gz`, then `…runs/<run>/…x.ndjson.gz`): it is never
 *   narrower than a run id and a file name;
 * - `hash` shows 16 hex digits and `…` on a terminal (enough to match with grep or `evidence
 *   list`), in full when wide or off a terminal, and is never cut further;
 * - `time` drops a zero millisecond part (2024-07-30T21:57:20Z) and is never cut;
 * - `number` and `id` are never cut.
 */
export type ColumnKind = 'text' | 'key' | 'evidence' | 'hash' | 'time' | 'number' | 'id'

/** Hex digits a hash keeps when not wide. */
export const HASH_DIGITS = 16

const ELLIPSIS = '…'
/** The least a cut key keeps of its end (the file name): below that, a key is cut in the middle. */
const KEY_TAIL = 12

function prepare(kind: ColumnKind, text: string, wide: boolean): string {
  if (kind === 'time') return text.replace(/^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.000(Z|[+-]\d{2}:\d{2})$/, '$1$2')
  if (kind === 'hash' && !wide && /^[0-9a-f]{17,}$/i.test(text)) return `${text.slice(0, HASH_DIGITS)}${ELLIPSIS}`
  return text
}

/** The narrowest a column of this kind is made before columns are dropped instead. */
function minWidth(kind: ColumnKind, header: number): number {
  switch (kind) {
    case 'hash':
      return HASH_DIGITS + 1
    case 'time':
    case 'number':
    case 'id':
      return Number.POSITIVE_INFINITY
    case 'key':
      return Math.max(header, 20)
    case 'evidence':
      return EVIDENCE_MIN
    default:
      return Math.max(header, 8)
  }
}

function fit(kind: ColumnKind, v: string, width: number): string {
  if (v.length <= width) return v
  if (width <= 1) return ELLIPSIS.slice(0, width)
  if (kind === 'key' || kind === 'evidence' || (kind === 'text' && v.includes('/') && !/\s/.test(v))) return fitKey(v, width)
  return `${v.slice(0, width - 1)}${ELLIPSIS}`
}

/** Room for `…<run id>/…` and the end of the file name: the narrowest an evidence key is shown. */
const EVIDENCE_MIN = 1 + 26 + 2 + KEY_TAIL + 1

const EVIDENCE_KEY = /^(cases\/[^/]+\/)(runs\/[^/]+\/)(.*)$/

/** A key or path cut in the middle; an evidence key keeps its run id (what tells one collection from another). */
export function fitKey(v: string, width: number): string {
  if (v.length <= width) return v
  const m = EVIDENCE_KEY.exec(v)
  if (m) {
    const [, casePart, runPart, rest] = m as unknown as [string, string, string, string]
    for (const head of [`${casePart}${runPart}`, `${ELLIPSIS}${runPart}`, `${ELLIPSIS}${runPart.slice('runs/'.length)}`]) {
      const room = width - head.length - 1
      if (room >= Math.min(KEY_TAIL, rest.length)) return room >= rest.length ? `${head}${rest}` : `${head}${ELLIPSIS}${rest.slice(rest.length - room)}`
    }
  }
  const head = Math.floor((width - 1) / 3)
  return `${v.slice(0, head)}${ELLIPSIS}${v.slice(v.length - (width - 1 - head))}`
}

export const fitCell = {prepare, minWidth, fit}
