import type {Column, ColumnKind} from './table.js'

/**
 * Table columns for rows of SQL, whose shape is the query's: the kind from the column's name
 * (times, hashes, keys and ARNs) or its values (numbers), and an importance that keeps the first
 * column, the times and the evidence hash on a narrow terminal and lets the evidence key go first.
 */
export function sqlColumns(columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): Column[] {
  return columns.map((name, i) => {
    const kind = kindOf(name, rows.find((r) => r[name] !== null && r[name] !== undefined)?.[name])
    const priority = i === 0 || kind === 'time' || kind === 'hash' ? 1 : name === 'evidence_key' || name === 'artifact_key' ? 4 : i < 5 ? 2 : 3
    return {key: name, kind, priority}
  })
}

function kindOf(name: string, sample: unknown): ColumnKind {
  if (/sha256$/.test(name)) return 'hash'
  if (/(^|_)(time|at)$|^(first|last)_seen$|_time$/.test(name)) return 'time'
  if (name === 'evidence_key' || name === 'artifact_key') return 'evidence'
  if (/(^|_)(key|path|arn|file)$/.test(name)) return 'key'
  if (typeof sample === 'number') return 'number'
  return 'text'
}
