import {existsSync} from 'node:fs'
import {usageError} from '../core/errors.js'
import {AnalysisDb} from './db.js'

/** An access key id some findings name, with the findings that name it. */
export interface NamedAccessKey {
  accessKeyId: string
  findings: string[]
}

const KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g

/** A finding as people can look it up: its id, rule or title, whichever the row has. */
function findingName(row: Record<string, unknown>, index: number): string {
  for (const field of ['finding_id', 'id', 'rule_id', 'rule', 'query', 'title', 'type']) {
    const v = row[field]
    if (typeof v === 'string' && v !== '') return v
  }
  return `row ${index + 1}`
}

/**
 * The IAM access key ids named anywhere in the rows of the case database's `findings` table,
 * whatever its columns (GuardDuty findings, rule hits, query results): long-term keys (AKIA…) that
 * deactivate-keys can act on, and temporary ones (ASIA…) that only revoking the role's sessions
 * ends. Read-only; a database or table that is not there is a usage error saying what builds it.
 */
export async function accessKeysInFindings(dbPath: string): Promise<{keys: NamedAccessKey[]; temporary: NamedAccessKey[]}> {
  if (!existsSync(dbPath)) throw usageError('no-case-db', `There is no case database at ${dbPath}.`, 'Run `coroner load --case X` (and `coroner findings --case X`) first, or name the keys with --access-key.')
  const db = await AnalysisDb.open(dbPath, {readOnly: true})
  try {
    const tables = await db.all("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'findings'")
    if (Number(tables.rows[0]?.n ?? 0) === 0) {
      throw usageError('no-findings-table', `The case database ${dbPath} has no findings table.`, 'Run `coroner findings --case X` to build it, or name the keys with --access-key.')
    }
    const {rows} = await db.all('SELECT CAST(to_json(f) AS VARCHAR) AS row FROM findings f')
    const named = new Map<string, Set<string>>()
    rows.forEach((r, i) => {
      const text = String(r.row ?? '')
      const matches = text.match(KEY_ID)
      if (!matches) return
      const name = findingName(JSON.parse(text) as Record<string, unknown>, i)
      for (const id of matches) named.set(id, (named.get(id) ?? new Set()).add(name))
    })
    const all = [...named.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([accessKeyId, f]) => ({accessKeyId, findings: [...f].sort()}))
    return {keys: all.filter((k) => k.accessKeyId.startsWith('AKIA')), temporary: all.filter((k) => k.accessKeyId.startsWith('ASIA'))}
  } finally {
    db.close()
  }
}
